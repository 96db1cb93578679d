"""The files port, the same tests over both adapters (the local folder and Supabase Storage,
against a loopback Storage): keys inside one company's prefix, whole files or none, nothing
outside the company; and what counts as a photo or a signature."""

from __future__ import annotations

import dataclasses
import io
import tempfile
import uuid
from pathlib import Path

import pytest
from PIL import Image

from app.config import ConfigError, Settings
from app.integrations import files
from app.integrations.files import FileMissing, FileRefused, FileStore, LocalFolderFiles
from app.integrations.storage import StorageFailed, SupabaseStorageFiles
from tests.integrations.storage_server import StorageServer

TENANT = uuid.UUID("7c9e6679-7425-40de-944b-e07fc1f90ae7")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
BUCKET = "plenum-test"


@pytest.fixture
def server(storage_server: StorageServer) -> StorageServer:
    return storage_server


@pytest.fixture(params=["local folder", "Supabase Storage"])
def store(request: pytest.FixtureRequest, tmp_path: Path, server: StorageServer) -> FileStore:
    """Each adapter, empty (Storage: a new loopback server)."""
    if request.param == "local folder":
        return LocalFolderFiles(tmp_path / "files")
    return SupabaseStorageFiles(server.url, server.key, BUCKET)


def behind(store: FileStore, server: StorageServer) -> dict[str, bytes]:
    """Everything the adapter's backing store holds, by name, looked at without the port."""
    if isinstance(store, LocalFolderFiles):
        found = (p for p in store.root.rglob("*") if p.is_file())
        return {p.relative_to(store.root).as_posix(): p.read_bytes() for p in found}
    return {key: server.objects[f"{BUCKET}/{key}"].data for key in server.keys(BUCKET)}


def test_a_file_is_kept_under_its_key_and_read_back(store: FileStore, server: StorageServer):
    visit = uuid.uuid4()
    key = files.visit_file_key(TENANT, visit, "image/jpeg")

    store.put(key, JPEG, "image/jpeg")

    assert key.startswith(f"{TENANT}/visits/{visit}/") and key.endswith(".jpg")
    assert behind(store, server) == {key: JPEG}  # no partial file left behind
    assert store.get(key) == JPEG
    store.put(key, PNG, "image/png")  # a second write replaces the first
    assert store.get(key) == PNG


def test_keys_are_new_each_time_and_carry_the_type():
    visit = uuid.uuid4()
    keys = {files.visit_file_key(TENANT, visit, "image/png") for _ in range(3)}
    assert len(keys) == 3
    assert {k.rsplit(".", 1)[1] for k in keys} == {"png"}
    assert files.visit_file_key(TENANT, visit, "image/webp").endswith(".webp")


def test_a_deleted_file_is_missing(store: FileStore):
    key = files.visit_file_key(TENANT, uuid.uuid4(), "image/png")
    store.put(key, PNG, "image/png")

    store.delete(key)
    store.delete(key)  # deleting twice is harmless

    with pytest.raises(FileMissing):
        store.get(key)
    with pytest.raises(FileMissing):
        store.open(key)


def test_a_file_never_stored_is_missing(store: FileStore):
    never = files.visit_file_key(TENANT, uuid.uuid4(), "image/png")
    with pytest.raises(FileMissing):
        store.get(never)
    with pytest.raises(FileMissing):
        store.open(never)


@pytest.mark.parametrize(
    "key",
    [
        f"{TENANT}/../../etc/passwd",
        f"{TENANT}/visits/../../outside.png",
        f"{TENANT}/visits/..",
        f"{TENANT}/visits/%2e%2e/a.png",
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
def test_keys_outside_a_companys_prefix_are_refused(
    store: FileStore, server: StorageServer, key: str
):
    """Refused before anything is asked of the backing store."""
    asked = len(server.requests)
    for attempt in (
        lambda: store.put(key, PNG, "image/png"),
        lambda: store.put_file(key, io.BytesIO(PNG), "image/png"),
        lambda: store.get(key),
        lambda: store.open(key),
        lambda: store.delete(key),
    ):
        with pytest.raises(ValueError):
            attempt()
    assert behind(store, server) == {}
    assert len(server.requests) == asked


def test_a_companys_keys_are_listed_without_another_companys(store: FileStore):
    a, b = uuid.uuid4(), uuid.uuid4()
    kept = {f"{a}/visits/{uuid.uuid4()}/photo.jpg", f"{a}/company/logo.png"}
    for key in (*kept, f"{b}/visits/{uuid.uuid4()}/photo.jpg"):
        store.put(key, b"bytes", "image/jpeg")

    assert set(store.keys(f"{a}/")) == kept
    assert list(store.keys(f"{a}/visits/")) == [k for k in kept if "/visits/" in k]
    assert list(store.keys(f"{uuid.uuid4()}/")) == []


@pytest.mark.parametrize(
    "prefix",
    ["", "/", "../", "visits/", "not-a-company/", f"{TENANT}", f"{TENANT}/../", f"{TENANT}//"],
)
def test_listing_outside_a_company_is_refused(store: FileStore, server: StorageServer, prefix: str):
    store.put(f"{TENANT}/visits/a.png", PNG, "image/png")
    asked = len(server.requests)
    with pytest.raises(ValueError):
        list(store.keys(prefix))
    assert len(server.requests) == asked


def test_keys_are_listed_past_one_page(store: FileStore, server: StorageServer):
    """Storage lists a folder 100 entries at a time: a folder of 230 files and one of 120
    folders are listed whole."""
    visit = uuid.uuid4()
    photos = {f"{TENANT}/visits/{visit}/{n:03}.jpg" for n in range(230)}
    others = {f"{TENANT}/visits/{uuid.uuid4()}/a.jpg" for _ in range(119)}
    for key in photos | others:
        store.put(key, b"x", "image/jpeg")

    assert sorted(store.keys(f"{TENANT}/")) == sorted(photos | others)
    if isinstance(store, SupabaseStorageFiles):
        listed = [route for method, route in server.requests if "/object/list/" in route]
        assert len(listed) == 1 + 2 + 3 + 119  # company; visits (120); the 230; one each


@pytest.mark.parametrize("kind", ["temporary file", "in memory"])
def test_a_file_is_stored_from_what_the_export_job_writes(
    store: FileStore, server: StorageServer, kind: str
):
    """The export writes its zip into a temporary file (read and written, not a plain reader)."""
    key = files.export_key(TENANT, uuid.uuid4())
    data = b"PK" + bytes(range(256)) * 40
    with tempfile.TemporaryFile() if kind == "temporary file" else io.BytesIO() as written:
        written.write(data)
        written.seek(0)
        store.put_file(key, written, "application/zip")
        assert not written.closed

    assert behind(store, server) == {key: data}


def test_a_partial_write_of_the_local_folder_is_not_listed(tmp_path: Path):
    store = LocalFolderFiles(tmp_path / "files")
    store.put(f"{TENANT}/company/logo.png", PNG, "image/png")
    (store.root / str(TENANT) / "company" / ".partial-abc").write_bytes(b"half")

    assert list(store.keys(f"{TENANT}/")) == [f"{TENANT}/company/logo.png"]


def test_what_the_port_cannot_have_written_to_storage_is_not_listed(server: StorageServer):
    """The dashboard's `.emptyFolderPlaceholder` is no company file."""
    store = SupabaseStorageFiles(server.url, server.key, BUCKET)
    store.put(f"{TENANT}/company/logo.png", PNG, "image/png")
    store.put_file(f"{TENANT}/company/x.png", io.BytesIO(PNG), "image/png")
    server.objects[f"{BUCKET}/{TENANT}/company/.emptyFolderPlaceholder"] = server.objects.pop(
        f"{BUCKET}/{TENANT}/company/x.png"
    )

    assert list(store.keys(f"{TENANT}/")) == [f"{TENANT}/company/logo.png"]


def test_a_symlink_out_of_the_folder_is_not_followed(tmp_path: Path):
    store = LocalFolderFiles(tmp_path / "files")
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "files" / str(TENANT)).mkdir(parents=True)
    (tmp_path / "files" / str(TENANT) / "link").symlink_to(outside, target_is_directory=True)

    with pytest.raises(ValueError):
        store.put(f"{TENANT}/link/a.png", PNG, "image/png")
    assert list(outside.iterdir()) == []


def test_storage_is_called_with_the_service_key_only(server: StorageServer):
    """Another key (a leaked anon key, a typo) is refused by Storage; the port says so as an
    OSError, which the jobs take for "try again later"."""
    key = f"{TENANT}/company/logo.png"
    SupabaseStorageFiles(server.url, server.key, BUCKET).put(key, PNG, "image/png")
    other = SupabaseStorageFiles(server.url, "an-anon-key", BUCKET)

    for attempt in (
        lambda: other.get(key),
        lambda: other.open(key),
        lambda: other.delete(key),
        lambda: list(other.keys(f"{TENANT}/")),
        lambda: other.put(key, JPEG, "image/jpeg"),
    ):
        with pytest.raises(StorageFailed):
            attempt()
    assert server.objects[f"{BUCKET}/{key}"].data == PNG


def test_the_bucket_is_created_private_and_a_public_one_is_refused(server: StorageServer):
    store = SupabaseStorageFiles(server.url, server.key, BUCKET)

    assert store.ensure_bucket() is True
    assert server.buckets[BUCKET]["public"] is False
    assert store.ensure_bucket() is False

    server.buckets[BUCKET]["public"] = True
    exposed = SupabaseStorageFiles(server.url, server.key, BUCKET)
    with pytest.raises(StorageFailed, match="public"):
        exposed.put(f"{TENANT}/company/logo.png", PNG, "image/png")
    assert server.keys(BUCKET) == set()


def test_storage_that_fails_is_an_os_error(server: StorageServer):
    store = SupabaseStorageFiles(server.url, server.key, BUCKET)
    store.ensure_bucket()
    server.fail_uploads_after = 0

    with pytest.raises(StorageFailed):
        store.put(f"{TENANT}/company/logo.png", PNG, "image/png")


@pytest.mark.parametrize(
    ("data", "expected"),
    [(JPEG, "image/jpeg"), (PNG, "image/png"), (WEBP, "image/webp")],
)
def test_photos_are_known_by_their_first_bytes(data, expected):
    assert files.check_photo(data) == expected


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow's, as we refuse
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "That file is empty."),
        (b"hello, I am text pretending to be a .jpg", "That file is not a photo."),
        (b"GIF89a" + b"\x00" * 20, "That file is not a photo."),
        (b"%PDF-1.7" + b"\x00" * 20, "That file is not a photo."),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 20, "That file is not a photo."),
        (JPEG + b"\x00" * files.MAX_PHOTO_BYTES, "The photo is larger than 10 MB."),
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


def test_a_thumbnail_is_kept_beside_its_photo_in_the_same_prefix():
    key = files.visit_file_key(TENANT, uuid.uuid4(), "image/jpeg")

    assert files.thumbnail_key(key) == f"{key}.thumb.jpg"
    with pytest.raises(ValueError):
        files.thumbnail_key(f"{TENANT}/../elsewhere.jpg")


def test_the_settings_choose_the_folder(tmp_path: Path):
    settings = dataclasses.replace(Settings.from_env(), files_dir=str(tmp_path / "kept"))
    key = files.visit_file_key(TENANT, uuid.uuid4(), "image/png")

    files.for_settings(settings).put(key, PNG, "image/png")

    assert (tmp_path / "kept" / key).read_bytes() == PNG


def test_a_supabase_url_chooses_storage(tmp_path: Path, server: StorageServer):
    settings = dataclasses.replace(
        Settings.from_env(),
        files_dir=str(tmp_path / "kept"),
        supabase_url=server.url,
        supabase_service_role_key=server.key,
        storage_bucket="plenum-chosen",
    )
    key = files.visit_file_key(TENANT, uuid.uuid4(), "image/png")

    files.for_settings(settings).put(key, PNG, "image/png")

    assert server.objects[f"plenum-chosen/{key}"].data == PNG
    assert server.objects[f"plenum-chosen/{key}"].content_type == "image/png"
    assert not (tmp_path / "kept").exists()


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """A production environment with everything set but where files are kept."""
    for name in ("FILES_DIR", "SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY", "STORAGE_BUCKET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PLENUM_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-production-secret")
    monkeypatch.setenv("PUBLIC_URL", "https://plenum.example.com")
    monkeypatch.setenv("ENCRYPTION_KEY", "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=")
    monkeypatch.setenv("AUDIT_SIGNING_KEY", "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=")
    return monkeypatch


def test_production_keeps_files_in_storage_or_on_a_volume(production: pytest.MonkeyPatch):
    with pytest.raises(ConfigError, match=r"SUPABASE_URL .* or FILES_DIR"):
        Settings.from_env()

    production.setenv("FILES_DIR", "/data/files")
    assert Settings.from_env().supabase_url is None

    production.delenv("FILES_DIR")
    production.setenv("SUPABASE_URL", "https://abcd.supabase.co")
    with pytest.raises(ConfigError, match="SUPABASE_SERVICE_ROLE_KEY is required"):
        Settings.from_env()
    production.setenv("SUPABASE_SERVICE_ROLE_KEY", "sb_secret_abc")
    settings = Settings.from_env()
    assert (settings.supabase_url, settings.storage_bucket) == (
        "https://abcd.supabase.co",
        "plenum-production",
    )
    production.setenv("SUPABASE_URL", "http://abcd.supabase.co")
    with pytest.raises(ConfigError, match="SUPABASE_URL must start with https://"):
        Settings.from_env()


@pytest.mark.parametrize("bucket", ["avatars", "plenum-", "Plenum-files", "plenum-a/b"])
def test_the_bucket_is_one_the_policies_name(production: pytest.MonkeyPatch, bucket: str):
    production.setenv("FILES_DIR", "/data/files")
    production.setenv("STORAGE_BUCKET", "plenum-eu-1")
    assert Settings.from_env().storage_bucket == "plenum-eu-1"
    production.setenv("STORAGE_BUCKET", bucket)
    with pytest.raises(ConfigError, match="STORAGE_BUCKET must be 'plenum-'"):
        Settings.from_env()


def _exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    return exif.tobytes()


def _image(kind: str, size: tuple[int, int], mode: str = "RGB", **options) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "teal").save(out, kind, **options)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "size"),
    [
        (
            _image("JPEG", (2400, 1800), exif=_exif()),
            (2000, 1500),
        ),
        (_image("PNG", (1200, 2500), "RGBA"), (960, 2000)),
        (_image("WEBP", (640, 480)), (640, 480)),
        (_image("PNG", (300, 200), "I;16"), (300, 200)),
    ],
    ids=["jpeg", "png-with-alpha", "webp", "png-16-bit-grey"],
)
def test_a_photo_is_kept_as_a_jpeg_of_at_most_2000_px_with_a_thumbnail(data, size):
    kept = files.clean_photo(data)

    image = Image.open(io.BytesIO(kept.data))
    assert (kept.content_type, image.format, image.size) == ("image/jpeg", "JPEG", size)
    assert image.mode in ("RGB", "L") and dict(image.getexif()) == {}
    assert kept.thumbnail is not None
    assert max(Image.open(io.BytesIO(kept.thumbnail)).size) == 240


def test_a_photo_smaller_than_its_thumbnail_is_not_enlarged():
    kept = files.clean_photo(_image("JPEG", (100, 50)))

    assert kept.thumbnail is not None
    assert Image.open(io.BytesIO(kept.thumbnail)).size == (100, 50)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow's, as we refuse
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "That file is empty."),
        (JPEG, files.UNREADABLE_PHOTO),
        (WEBP, files.UNREADABLE_PHOTO),
        (_image("PNG", (7000, 6000), "1"), files.PHOTO_TOO_MANY_PIXELS),
    ],
    ids=["empty", "fake-jpeg", "fake-webp", "42-megapixels"],
)
def test_a_photo_that_cannot_be_kept_is_refused_with_a_reason(data, message):
    with pytest.raises(FileRefused) as refused:
        files.clean_photo(data)
    assert message in refused.value.message


def test_a_signature_is_kept_as_the_same_png_with_nothing_else():
    drawn = _image("PNG", (300, 120), "RGBA", dpi=(300, 300))

    kept = files.clean_signature(drawn)

    image = Image.open(io.BytesIO(kept))
    assert image.format == "PNG" and "dpi" not in image.info
    assert image.tobytes() == Image.open(io.BytesIO(drawn)).tobytes()
    with pytest.raises(FileRefused):
        files.clean_signature(PNG)  # PNG's first bytes, then nothing that decodes


def test_a_large_file_is_stored_and_read_back_in_chunks(
    store: FileStore, server: StorageServer, tmp_path: Path
):
    """An export's zip goes through the port from a file and back, never whole in memory
    (Storage: streamed up from the open file, down through a signed URL)."""
    export = uuid.uuid4()
    key = files.export_key(TENANT, export)
    data = bytes(range(256)) * (files.CHUNK_BYTES // 256 * 3 + 7)  # more than three chunks
    source = tmp_path / "export.zip"
    source.write_bytes(data)

    with source.open("rb") as reading:
        store.put_file(key, reading, "application/zip")

    assert key == f"{TENANT}/exports/{export}.zip"
    with store.open(key) as stored:
        chunks = iter(lambda: stored.read(files.CHUNK_BYTES), b"")
        assert b"".join(chunks) == data
    assert list(behind(store, server)) == [key]  # no partial file left behind
    with pytest.raises(FileMissing):
        store.open(files.export_key(TENANT, uuid.uuid4()))
    if isinstance(store, SupabaseStorageFiles):
        assert server.objects[f"{BUCKET}/{key}"].content_type == "application/zip"
        assert ("GET", f"/object/sign/{BUCKET}/{key}") in server.requests
        assert ("GET", f"/object/{BUCKET}/{key}") not in server.requests
