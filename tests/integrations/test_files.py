"""The local folder behind the files port: keys inside one company's prefix, whole files or
none, nothing outside the folder; and what counts as a photo or a signature."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from app.integrations import files
from app.integrations.files import FileMissing, FileRefused, LocalFolderFiles

TENANT = uuid.UUID("7c9e6679-7425-40de-944b-e07fc1f90ae7")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32


@pytest.fixture
def store(tmp_path: Path) -> LocalFolderFiles:
    return LocalFolderFiles(tmp_path / "files")


def test_a_file_is_kept_under_its_key_and_read_back(store: LocalFolderFiles, tmp_path: Path):
    visit = uuid.uuid4()
    key = files.visit_file_key(TENANT, visit, "image/jpeg")

    store.put(key, JPEG, "image/jpeg")

    assert key.startswith(f"{TENANT}/visits/{visit}/") and key.endswith(".jpg")
    assert (tmp_path / "files" / key).read_bytes() == JPEG
    assert store.get(key) == JPEG
    assert [
        p.name for p in (tmp_path / "files" / str(TENANT) / "visits" / str(visit)).iterdir()
    ] == [key.rsplit("/", 1)[1]]  # no partial file left behind


def test_keys_are_new_each_time_and_carry_the_type():
    visit = uuid.uuid4()
    keys = {files.visit_file_key(TENANT, visit, "image/png") for _ in range(3)}
    assert len(keys) == 3
    assert {k.rsplit(".", 1)[1] for k in keys} == {"png"}
    assert files.visit_file_key(TENANT, visit, "image/webp").endswith(".webp")


def test_a_deleted_file_is_missing(store: LocalFolderFiles):
    key = files.visit_file_key(TENANT, uuid.uuid4(), "image/png")
    store.put(key, PNG, "image/png")

    store.delete(key)
    store.delete(key)  # deleting twice is harmless

    with pytest.raises(FileMissing):
        store.get(key)


@pytest.mark.parametrize(
    "key",
    [
        f"{TENANT}/../../etc/passwd",
        f"{TENANT}/visits/../../outside.png",
        f"{TENANT}/visits/..",
        f"/{TENANT}/visits/a.png",
        "/etc/passwd",
        "visits/a.png",  # no company prefix
        "not-a-uuid/visits/a.png",
        str(TENANT),  # the company's folder itself
        f"{TENANT}/",
        f"{TENANT}//a.png",
        f"{TENANT}/visits\\..\\a.png",
        f"{TENANT}/.hidden",
        f"{str(TENANT).upper()}/a.png",
    ],
)
def test_keys_outside_a_companys_prefix_are_refused(store: LocalFolderFiles, tmp_path, key):
    for attempt in (
        lambda: store.put(key, PNG, "image/png"),
        lambda: store.get(key),
        lambda: store.delete(key),
    ):
        with pytest.raises(ValueError):
            attempt()
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_a_symlink_out_of_the_folder_is_not_followed(store: LocalFolderFiles, tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "files" / str(TENANT)).mkdir(parents=True)
    (tmp_path / "files" / str(TENANT) / "link").symlink_to(outside, target_is_directory=True)

    with pytest.raises(ValueError):
        store.put(f"{TENANT}/link/a.png", PNG, "image/png")
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [(JPEG, "image/jpeg"), (PNG, "image/png"), (WEBP, "image/webp")],
)
def test_photos_are_known_by_their_first_bytes(data, expected):
    assert files.check_photo(data) == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "That file is empty."),
        (b"hello, I am text pretending to be a .jpg", "That file is not a photo."),
        (b"GIF89a" + b"\x00" * 20, "That file is not a photo."),
        (b"%PDF-1.7" + b"\x00" * 20, "That file is not a photo."),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 20, "That file is not a photo."),
        (JPEG + b"\x00" * files.MAX_PHOTO_BYTES, "photos can be at most 10 MB"),
    ],
)
def test_anything_else_is_refused_with_a_reason(data, message):
    with pytest.raises(FileRefused) as refused:
        files.check_photo(data)
    assert message in refused.value.message


def test_a_photo_of_exactly_10_mb_is_allowed():
    assert files.check_photo(JPEG + b"\x00" * (files.MAX_PHOTO_BYTES - len(JPEG))) == "image/jpeg"


def test_a_signature_is_a_small_png():
    files.check_signature(PNG)
    with pytest.raises(FileRefused):
        files.check_signature(JPEG)
    with pytest.raises(FileRefused):
        files.check_signature(PNG + b"\x00" * files.MAX_SIGNATURE_BYTES)
