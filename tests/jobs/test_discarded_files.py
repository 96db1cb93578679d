"""P-10: when a customer (or a visit, or a whole company) is deleted, the photos and
signatures of its visits are removed from the files port by the `discarded_files` job, and
nobody else's files are touched."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from flask import Flask

from app import create_app
from app.db import Connection
from app.integrations import files
from app.integrations.files import LocalFolderFiles
from jobs import REGISTRY
from jobs.discarded_files import BATCH, sweep
from tests.conftest import Client, TestDatabase, make_settings
from tests.factories import Factory
from tests.integrations.storage_server import StorageServer
from tests.technician.support import JPEG, Day, make_day, signature_data_url


@pytest.fixture
def files_dir(tmp_path: Path) -> Path:
    return tmp_path / "files"


@pytest.fixture
def app(database: TestDatabase, files_dir: Path) -> Iterator[Flask]:
    application = create_app(make_settings(database, files_dir=str(files_dir)))
    application.test_client_class = Client
    yield application
    application.extensions["plenum.pool"].close()


@pytest.fixture
def store(files_dir: Path) -> LocalFolderFiles:
    return LocalFolderFiles(files_dir)


@pytest.fixture
def day(make: Factory) -> Day:
    return make_day(make)


def signed_in(app: Flask, email: str) -> Client:
    client: Client = app.test_client()  # type: ignore[assignment]
    client.sign_in(email)
    return client


def add_photo(client: Client, visit_id: UUID) -> None:
    response = client.post(
        f"/my-day/visits/{visit_id}/photos",
        data={"csrf_token": client.csrf_token(), "photo": (io.BytesIO(JPEG), "a.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302


def kept_files(files_dir: Path) -> set[str]:
    """Every file in the files folder, by key."""
    return {str(p.relative_to(files_dir)) for p in files_dir.rglob("*") if p.is_file()}


def keys_of(admin: Connection, visit_id: UUID) -> list[str]:
    rows = admin.execute(
        "select storage_key from public.visit_files where visit_id = %s", [visit_id]
    ).fetchall()
    return [row["storage_key"] for row in rows]


def queued(admin: Connection) -> list[str]:
    rows = admin.execute("select storage_key from app.discarded_files").fetchall()
    return [row["storage_key"] for row in rows]


def with_thumbnail(key: str) -> set[str]:
    return {key, files.thumbnail_key(key)}


@pytest.mark.promise("P-10")
def test_deleting_a_customer_removes_their_visit_photos_once_the_job_runs(
    app, pool, store, admin, day: Day, files_dir: Path
):
    tech = signed_in(app, day.tech.email)
    add_photo(tech, day.first)
    for status in ("en_route", "on_site"):
        tech.submit(f"/my-day/visits/{day.first}/status", {"status": status})
    tech.submit(
        f"/my-day/visits/{day.first}/complete",
        {"signed_by": "Dana Reyes", "signature": signature_data_url()},
    )
    add_photo(signed_in(app, day.other_tech.email), day.others)  # another customer's visit
    signature, photo = sorted(keys_of(admin, day.first), key=lambda k: k.endswith(".jpg"))
    [other] = keys_of(admin, day.others)
    assert kept_files(files_dir) == with_thumbnail(photo) | {signature} | with_thumbnail(other)

    owner = signed_in(app, day.tenant.owner.email)
    assert owner.submit(f"/customers/{day.customer}/delete").status_code == 302

    assert sorted(queued(admin)) == sorted([photo, signature])
    assert with_thumbnail(photo) <= kept_files(files_dir)  # until the job runs
    assert sweep(pool, store) == 2
    assert kept_files(files_dir) == with_thumbnail(other)
    assert queued(admin) == []
    assert sweep(pool, store) == 0  # running it again is safe
    assert kept_files(files_dir) == with_thumbnail(other)


@pytest.mark.promise("P-10")
def test_deleting_a_company_removes_all_its_files(
    app, pool, store, admin, make: Factory, day: Day, files_dir: Path
):
    add_photo(signed_in(app, day.tech.email), day.first)
    theirs = make_day(make)
    add_photo(signed_in(app, theirs.tech.email), theirs.first)
    [their_photo] = keys_of(admin, theirs.first)

    admin.execute("delete from public.tenants where id = %s", [day.tenant.id])

    assert sweep(pool, store) == 1
    assert kept_files(files_dir) == with_thumbnail(their_photo)


def test_a_missing_file_does_not_stop_the_sweep(app, pool, store, admin, day: Day, files_dir):
    tech = signed_in(app, day.tech.email)
    for _ in range(3):
        add_photo(tech, day.first)
    first, *_ = keys_of(admin, day.first)
    (files_dir / first).unlink()  # already gone, and its thumbnail with it
    (files_dir / files.thumbnail_key(first)).unlink()

    admin.execute("delete from public.visit_files where visit_id = %s", [day.first])

    assert sweep(pool, store) == 3
    assert kept_files(files_dir) == set() and queued(admin) == []


def test_a_file_that_cannot_be_deleted_stays_queued_and_the_others_go(
    app, pool, store, admin, day: Day, files_dir: Path
):
    tech = signed_in(app, day.tech.email)
    add_photo(tech, day.first)
    add_photo(tech, day.first)
    stuck, other = keys_of(admin, day.first)
    (files_dir / stuck).unlink()
    (files_dir / stuck).mkdir()  # a folder where the file was: deleting it fails

    admin.execute("delete from public.visit_files where visit_id = %s", [day.first])

    assert sweep(pool, store) == 1
    assert queued(admin) == [stuck]
    assert not (files_dir / other).exists()
    assert sweep(pool, store) == 0  # tried again at the next run, and the run still ends
    (files_dir / stuck).rmdir()
    assert sweep(pool, store) == 1 and queued(admin) == []


def test_more_than_a_batch_is_swept_in_one_run(pool, store, admin, make: Factory, files_dir):
    tenant = make.tenant().id
    keys = [f"{tenant}/visits/old/{n:04}.jpg" for n in range(BATCH * 2 + 5)]
    for key in keys[:10]:
        store.put(key, JPEG, "image/jpeg")
    with admin.cursor() as cursor:
        cursor.executemany(
            "insert into app.discarded_files (storage_key) values (%s)", [[k] for k in keys]
        )
    admin.execute("insert into app.discarded_files (storage_key) values (%s)", [f"{tenant}/../x"])

    assert sweep(pool, store) == len(keys) + 1  # a key no store could have written is dropped
    assert kept_files(files_dir) == set() and queued(admin) == []


def test_the_worker_runs_the_job_on_the_apps_files_folder(
    app, pool, admin, day: Day, files_dir: Path, monkeypatch
):
    add_photo(signed_in(app, day.tech.email), day.first)
    admin.execute("delete from public.visits where id = %s", [day.first])
    monkeypatch.setenv("FILES_DIR", str(files_dir))

    assert REGISTRY["discarded_files"].sweep(pool) == 1
    assert kept_files(files_dir) == set()


@pytest.mark.promise("P-10")
def test_the_worker_deletes_through_supabase_storage(
    database: TestDatabase, pool, admin, day: Day, storage_server: StorageServer, monkeypatch
):
    """The app keeps its photos in Storage; the worker, configured the same way from its
    environment, deletes them there, and an outage of Storage leaves the keys queued."""
    in_storage = make_settings(
        database,
        supabase_url=storage_server.url,
        supabase_service_role_key=storage_server.key,
        storage_bucket="plenum-test",
    )
    app = create_app(in_storage)
    app.test_client_class = Client
    try:
        add_photo(signed_in(app, day.tech.email), day.first)
        add_photo(signed_in(app, day.other_tech.email), day.others)
    finally:
        app.extensions["plenum.pool"].close()
    [photo] = keys_of(admin, day.first)
    [other] = keys_of(admin, day.others)
    assert storage_server.keys("plenum-test") == with_thumbnail(photo) | with_thumbnail(other)
    admin.execute("delete from public.visits where id = %s", [day.first])
    for name, value in (
        ("SUPABASE_URL", storage_server.url),
        ("SUPABASE_SERVICE_ROLE_KEY", storage_server.key),
        ("STORAGE_BUCKET", "plenum-test"),
    ):
        monkeypatch.setenv(name, value)

    storage_server.down = True
    assert REGISTRY["discarded_files"].sweep(pool) == 0
    assert queued(admin) == [photo]
    storage_server.down = False
    assert REGISTRY["discarded_files"].sweep(pool) == 1

    assert storage_server.keys("plenum-test") == with_thumbnail(other)
    assert queued(admin) == []
