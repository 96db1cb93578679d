"""`flask files migrate`: a local files folder copied into Supabase Storage (a loopback one),
resumably, without touching the local files."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask

from app import create_app
from app.integrations.files import LocalFolderFiles
from tests.conftest import TestDatabase, make_settings
from tests.integrations.storage_server import StorageServer

BUCKET = "plenum-test"


@pytest.fixture
def folder(tmp_path: Path) -> LocalFolderFiles:
    """Two companies' files: photos with thumbnails, a logo, an export's zip."""
    kept = LocalFolderFiles(tmp_path / "files")
    for company in (uuid.uuid4(), uuid.uuid4()):
        for n in range(6):
            kept.put(f"{company}/visits/{uuid.uuid4()}/{n}.jpg", b"\xff\xd8\xff" * n, "image/jpeg")
        kept.put(f"{company}/company/logo-1.png", b"\x89PNG logo", "image/png")
        kept.put(f"{company}/exports/{uuid.uuid4()}.zip", b"PK zip", "application/zip")
    return kept


@contextmanager
def _app(database: TestDatabase, folder: LocalFolderFiles, **storage: str) -> Iterator[Flask]:
    application = create_app(make_settings(database, files_dir=str(folder.root), **storage))
    yield application
    application.extensions["plenum.pool"].close()


@pytest.fixture
def app(
    database: TestDatabase, folder: LocalFolderFiles, storage_server: StorageServer
) -> Iterator[Flask]:
    with _app(
        database,
        folder,
        supabase_url=storage_server.url,
        supabase_service_role_key=storage_server.key,
        storage_bucket=BUCKET,
    ) as application:
        yield application


def migrate(app: Flask) -> Result:
    return app.test_cli_runner().invoke(args=["files", "migrate"])


def local_files(folder: LocalFolderFiles) -> dict[str, bytes]:
    return {
        p.relative_to(folder.root).as_posix(): p.read_bytes()
        for p in folder.root.rglob("*")
        if p.is_file()
    }


def test_every_file_is_copied_with_its_type_and_the_local_ones_are_kept(
    app: Flask, folder: LocalFolderFiles, storage_server: StorageServer
):
    before = local_files(folder)

    result = migrate(app)

    assert result.exit_code == 0, result.output
    assert "16 copied, 0 already there, 0 left out" in result.output
    assert {key: storage_server.objects[f"{BUCKET}/{key}"].data for key in before} == before
    assert storage_server.buckets[BUCKET]["public"] is False
    types = {
        key.rsplit(".", 1)[1]: storage_server.objects[f"{BUCKET}/{key}"].content_type
        for key in before
    }
    assert types == {"jpg": "image/jpeg", "png": "image/png", "zip": "application/zip"}
    assert local_files(folder) == before


def test_an_interrupted_copy_carries_on_where_it_stopped(
    app: Flask, folder: LocalFolderFiles, storage_server: StorageServer
):
    storage_server.fail_uploads_after = 5

    interrupted = migrate(app)

    assert interrupted.exit_code != 0
    assert "5 copied, 0 already there, then Storage failed" in interrupted.output
    assert len(storage_server.keys(BUCKET)) == 5
    storage_server.fail_uploads_after = None
    changed = next(iter(sorted(storage_server.keys(BUCKET))))
    (folder.root / changed).write_bytes(b"a longer photo than the one copied")

    resumed = migrate(app)

    assert resumed.exit_code == 0, resumed.output
    assert "12 copied, 4 already there" in resumed.output  # 11 new, and the changed one again
    assert {k: storage_server.objects[f"{BUCKET}/{k}"].data for k in local_files(folder)} == (
        local_files(folder)
    )
    uploads = storage_server.uploads
    assert len(uploads) == 17 and uploads.count(f"{BUCKET}/{changed}") == 2
    assert len(set(uploads)) == 16  # nothing else was sent twice
    assert "0 copied, 16 already there" in migrate(app).output


def test_what_is_no_company_file_is_left_out(
    app: Flask, folder: LocalFolderFiles, storage_server: StorageServer
):
    (folder.root / "not-a-company").mkdir()
    (folder.root / "not-a-company" / "a.jpg").write_bytes(b"x")
    company = next(p for p in folder.root.iterdir() if p.name != "not-a-company")
    (company / "notes with spaces.txt").write_bytes(b"x")

    result = migrate(app)

    assert result.exit_code == 0, result.output
    assert "16 copied, 0 already there, 1 left out" in result.output
    assert "left out not-a-company/" in result.output
    assert len(storage_server.keys(BUCKET)) == 16


def test_it_refuses_to_run_without_storage(database: TestDatabase, folder: LocalFolderFiles):
    with _app(database, folder) as app:
        result = migrate(app)

    assert result.exit_code != 0
    assert "Supabase Storage is not configured" in result.output


def test_it_refuses_a_missing_or_empty_folder(
    database: TestDatabase, tmp_path: Path, storage_server: StorageServer
):
    """Run where the volume is not mounted, it says so instead of "0 copied"."""
    (tmp_path / "empty").mkdir()
    for where in (tmp_path / "absent", tmp_path / "empty"):
        with _app(
            database,
            LocalFolderFiles(where),
            supabase_url=storage_server.url,
            supabase_service_role_key=storage_server.key,
            storage_bucket=BUCKET,
        ) as app:
            result = migrate(app)
        assert result.exit_code != 0
        assert "is missing or empty" in result.output
    assert storage_server.uploads == []
