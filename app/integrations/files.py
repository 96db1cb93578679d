"""The files port: photos and signatures taken on visits. Every key starts with the company's
id, so a company's files sit apart from every other company's (a purge removes one prefix).
The embedded default keeps them in a local folder; Supabase Storage takes the same keys.

What a file *is* is decided by its first bytes, never by its name or the type the phone
declared: a text file renamed `.jpg` is refused. What is kept is never the upload itself but
the picture decoded and written again: a phone's photo carries where it was taken (EXIF GPS),
and a technician's precise location is kept only with their consent (P-14)."""

from __future__ import annotations

import base64
import io
import math
import os
import re
import shutil
import struct
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol
from uuid import UUID

from flask import current_app
from PIL import Image, ImageOps

from app.config import Settings

MEGABYTE = 1024 * 1024
CHUNK_BYTES = MEGABYTE  # how much of a large file is read or written at a time
MAX_PHOTO_BYTES = 10 * MEGABYTE  # visit_files_size_range allows up to 10485760
MAX_SIGNATURE_BYTES = 300 * 1024
# A 48-megapixel phone camera saves 12 MP by default; 40 MP leaves room for any phone photo
# while a small file that claims huge dimensions (a decompression bomb) is refused unread.
MAX_PHOTO_PIXELS = 40_000_000
MAX_SIGNATURE_PIXELS = 4_000_000  # the pad is at most a tablet's width, twice for sharpness
Image.MAX_IMAGE_PIXELS = MAX_PHOTO_PIXELS  # Pillow's own guard, for every image it opens
PHOTO_SIDE = 2000  # px on the long side: plenty to read a nameplate, a fraction of the bytes
THUMBNAIL_SIDE = 240  # px on the long side: shown at 96 CSS px on screens of up to 2.5x
JPEG_QUALITY = 85
THUMBNAIL_QUALITY = 80
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
DECODERS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}  # Pillow's names
PNG = b"\x89PNG\r\n\x1a\n"
PHOTO_TOO_LARGE = f"The photo is larger than {MAX_PHOTO_BYTES // MEGABYTE} MB."
UNREADABLE_PHOTO = "That photo could not be read. Take it again or choose another one."
PHOTO_TOO_MANY_PIXELS = (
    f"That image is too large to open (more than {MAX_PHOTO_PIXELS // 1_000_000} megapixels)."
    " Take the photo again with the phone's camera."
)
UNREADABLE_SIGNATURE = "The signature could not be read. Ask the customer to sign again."
SIGNATURE_TOO_LARGE = (
    "The signature image is too large. Clear it and ask the customer to sign again."
)
# What a decoder raises on a broken or hostile file takes many forms; each means "unreadable".
_DECODING_FAILED = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)
_TOO_MANY_PIXELS = (Image.DecompressionBombError, Image.DecompressionBombWarning)

# "<tenant uuid>/" then path segments that cannot climb out (none starts with a dot).
_KEY = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"(/[A-Za-z0-9_-][A-Za-z0-9._-]{0,127})+$"
)


class FileRefused(ValueError):
    """An upload that is not stored; `message` tells the user why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FileMissing(LookupError):
    """No file is stored under the key."""


class FileStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...

    def put_file(self, key: str, source: BinaryIO, content_type: str) -> None:
        """Store what `source` holds, read in chunks: a large file (an export's zip) is never
        held in memory whole."""
        ...

    def open(self, key: str) -> BinaryIO:
        """The stored file to read in chunks (close it after); FileMissing when there is none."""
        ...

    def delete(self, key: str) -> None: ...

    def keys(self, prefix: str) -> Iterator[str]:
        """Every stored key under `prefix` (a company's `<tenant>/`, or deeper), in no
        particular order: what an export copies and a purge removes."""
        ...


def check_prefix(prefix: str) -> str:
    """The prefix itself, when it is a company's (`<tenant>/`) or a folder inside it."""
    if not prefix.endswith("/") or not valid_key(f"{prefix}x"):
        raise ValueError(f"not a company folder: {prefix!r}")
    return prefix


def valid_key(key: str) -> bool:
    """Whether `key` names a file inside one company's prefix."""
    return _KEY.fullmatch(key) is not None


def check_key(key: str) -> str:
    """The key itself, when it names a file inside one company's prefix; ValueError otherwise."""
    if not valid_key(key):
        raise ValueError(f"not a company file key: {key!r}")
    return key


def visit_file_key(tenant_id: UUID, visit_id: UUID, content_type: str) -> str:
    """A new key for a visit's photo or signature: `<tenant>/visits/<visit>/<uuid>.<ext>`."""
    return f"{tenant_id}/visits/{visit_id}/{uuid.uuid4()}.{EXTENSIONS[content_type]}"


def thumbnail_key(key: str) -> str:
    """Where a photo's thumbnail is kept: beside it, in the same company's prefix, so that
    whatever removes the photo's key can remove the thumbnail's too."""
    return check_key(f"{check_key(key)}.thumb.jpg")


class LocalFolderFiles:
    """Files under a folder on this machine, at `<root>/<key>`: the embedded default."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        if not path.is_relative_to(self.root):  # a symlink could still lead elsewhere
            raise ValueError(f"key leaves the files folder: {key!r}")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Write the whole file or nothing: a reader never sees half a photo."""
        self.put_file(key, io.BytesIO(data), content_type)

    def put_file(self, key: str, source: BinaryIO, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
        try:
            with os.fdopen(handle, "wb") as out:
                shutil.copyfileobj(source, out, CHUNK_BYTES)
            os.replace(partial, path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError as missing:
            raise FileMissing(key) from missing

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as missing:
            raise FileMissing(key) from missing

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self, prefix: str) -> Iterator[str]:
        folder = self.root / check_prefix(prefix)
        for parent, _folders, names in os.walk(folder):
            for name in names:
                if not name.startswith(".partial-"):  # a write that has not finished
                    yield (Path(parent) / name).relative_to(self.root).as_posix()


def for_settings(settings: Settings) -> FileStore:
    """The store the settings choose, the app's (app.integrations) and the jobs worker's:
    Supabase Storage with SUPABASE_URL, else the local folder."""
    if settings.supabase_url is None:
        return LocalFolderFiles(settings.files_dir)
    from app.integrations.storage import SupabaseStorageFiles  # built on this module's keys

    return SupabaseStorageFiles(
        settings.supabase_url, settings.supabase_service_role_key, settings.storage_bucket
    )


def store() -> FileStore:
    """The app's file store (app.integrations.init_app chooses it)."""
    files: FileStore = current_app.extensions["plenum.files"]
    return files


# --- what may be stored -------------------------------------------------------------------


def sniff(data: bytes) -> str | None:
    """The image type the bytes actually are, among those we keep; None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(PNG):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_photo(data: bytes) -> str:
    """The photo's content type, or FileRefused saying why it cannot be kept."""
    if not data:
        raise FileRefused("That file is empty. Take the photo again.")
    if len(data) > MAX_PHOTO_BYTES:
        raise FileRefused(PHOTO_TOO_LARGE)
    content_type = sniff(data)
    if content_type is None:
        raise FileRefused("That file is not a photo. Upload a JPEG, PNG or WebP image.")
    return content_type


def check_signature(data: bytes) -> None:
    """A signature is a PNG drawn on the screen, small by nature; FileRefused otherwise."""
    if not data.startswith(PNG):
        raise FileRefused(UNREADABLE_SIGNATURE)
    if len(data) > MAX_SIGNATURE_BYTES:
        raise FileRefused(SIGNATURE_TOO_LARGE)


# --- what is kept: the picture written anew, without what the file said about itself -----


@dataclass(frozen=True)
class Picture:
    """What is stored for an upload: the bytes, their type, and a photo's thumbnail."""

    data: bytes
    content_type: str
    thumbnail: bytes | None = None


def clean_photo(data: bytes) -> Picture:
    """The photo as it is kept: upright, at most PHOTO_SIDE px on its long side, as a JPEG with
    no metadata at all (no GPS position, no camera serial, no comment), and its thumbnail;
    FileRefused when it is not a photo we keep, too large, or cannot be decoded."""
    content_type = check_photo(data)
    photo = _decoded(
        data, content_type, MAX_PHOTO_PIXELS, PHOTO_TOO_MANY_PIXELS, UNREADABLE_PHOTO, PHOTO_SIDE
    )
    try:
        flat = _on_white(ImageOps.exif_transpose(photo))
    except _DECODING_FAILED as error:  # a broken EXIF block, a mode that cannot be converted
        raise FileRefused(UNREADABLE_PHOTO) from error
    flat.thumbnail((PHOTO_SIDE, PHOTO_SIDE), Image.Resampling.LANCZOS)
    small = flat.copy()
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return Picture(
        _encoded(flat, "JPEG", quality=JPEG_QUALITY, optimize=True),
        "image/jpeg",
        _encoded(small, "JPEG", quality=THUMBNAIL_QUALITY, optimize=True),
    )


# A photo inside a document (an estimate's PDF): two to a row of a printed page, sharp at
# about 200 dpi, a small fraction of the kept photo's bytes.
DOCUMENT_PHOTO_SIDE = 720
DOCUMENT_PHOTO_QUALITY = 72


@contextmanager
def kept(pictures: Mapping[str, Picture]) -> Iterator[None]:
    """Each picture's bytes (its thumbnail beside them) stored under its key before what
    follows writes the rows naming them; removed again when that fails, so that no row names
    missing bytes and a refused row leaves none behind (a crash in between leaves only bytes
    that no row names, never a broken photo)."""
    files = store()
    try:
        for key, picture in pictures.items():
            files.put(key, picture.data, picture.content_type)
            if picture.thumbnail is not None:
                files.put(thumbnail_key(key), picture.thumbnail, "image/jpeg")
        yield
    except BaseException:
        for key in pictures:
            files.delete(key)
            files.delete(thumbnail_key(key))
        raise


def document_photo(data: bytes) -> bytes:
    """A kept photo made small for a document: a JPEG of at most DOCUMENT_PHOTO_SIDE px on its
    long side; FileRefused when the stored file is not a photo that decodes."""
    content_type = check_photo(data)
    photo = _decoded(
        data,
        content_type,
        MAX_PHOTO_PIXELS,
        PHOTO_TOO_MANY_PIXELS,
        UNREADABLE_PHOTO,
        DOCUMENT_PHOTO_SIDE,
    )
    try:
        flat = _on_white(photo)
    except _DECODING_FAILED as error:
        raise FileRefused(UNREADABLE_PHOTO) from error
    flat.thumbnail((DOCUMENT_PHOTO_SIDE, DOCUMENT_PHOTO_SIDE), Image.Resampling.LANCZOS)
    return _encoded(flat, "JPEG", quality=DOCUMENT_PHOTO_QUALITY, optimize=True)


MAX_LOGO_BYTES = MEGABYTE
MAX_LOGO_PIXELS = 25_000_000  # a 1 MB file that claims more is a bomb, not a logo
LOGO_SIZE = (600, 300)  # px at most: sharp at the 12rem by 5rem a document gives it
LOGO_TOO_LARGE = f"The logo is larger than {MAX_LOGO_BYTES // MEGABYTE} MB."
UNREADABLE_LOGO = "That logo could not be read. Save it again as a PNG or JPEG and upload it."
LOGO_TYPES = ("image/png", "image/jpeg")


def logo_key(tenant_id: UUID) -> str:
    """A new key for the company's logo: `<tenant>/company/logo-<uuid>.png` (a new name for
    each, so a document never shows half of one logo and half of the next)."""
    return check_key(f"{tenant_id}/company/logo-{uuid.uuid4()}.png")


def clean_logo(data: bytes) -> bytes:
    """The logo as it is kept: a PNG of at most LOGO_SIZE px with nothing but its pixels (its
    transparency kept); FileRefused when it is not a PNG or JPEG of at most 1 MB that decodes."""
    if not data:
        raise FileRefused("That file is empty. Choose your logo's file.")
    if len(data) > MAX_LOGO_BYTES:
        raise FileRefused(LOGO_TOO_LARGE)
    content_type = sniff(data)
    if content_type not in LOGO_TYPES:
        raise FileRefused("That file is not a PNG or JPEG image. Upload your logo as one.")
    logo = _decoded(
        data, content_type, MAX_LOGO_PIXELS, LOGO_TOO_LARGE, UNREADABLE_LOGO, max(LOGO_SIZE)
    )
    try:
        upright = ImageOps.exif_transpose(logo)
        pixels = upright.convert("RGBA" if _has_alpha(upright) else "RGB")
    except _DECODING_FAILED as error:
        raise FileRefused(UNREADABLE_LOGO) from error
    pixels.thumbnail(LOGO_SIZE, Image.Resampling.LANCZOS)
    return _encoded(pixels, "PNG", optimize=True)


SIGNATURE_DATA_URL = "data:image/png;base64,"


def decode_signature(data_url: str) -> bytes:
    """The PNG a signature pad wrote into a form (a data URL), written anew with nothing but
    its pixels; FileRefused when it is not one."""
    if not data_url.startswith(SIGNATURE_DATA_URL):
        raise FileRefused(UNREADABLE_SIGNATURE)
    try:
        data = base64.b64decode(data_url[len(SIGNATURE_DATA_URL) :], validate=True)
    except ValueError as error:  # binascii.Error included
        raise FileRefused(UNREADABLE_SIGNATURE) from error
    return clean_signature(data)


def clean_signature(data: bytes) -> bytes:
    """The signature as it is kept: the same drawing as a PNG with nothing but its pixels;
    FileRefused when it is not a small PNG that decodes."""
    check_signature(data)
    drawing = _decoded(
        data, "image/png", MAX_SIGNATURE_PIXELS, SIGNATURE_TOO_LARGE, UNREADABLE_SIGNATURE
    )
    try:
        pixels = drawing.convert("RGBA" if _has_alpha(drawing) else "RGB")
    except _DECODING_FAILED as error:
        raise FileRefused(UNREADABLE_SIGNATURE) from error
    return _encoded(pixels, "PNG", optimize=True)


def _decoded(
    data: bytes,
    content_type: str,
    max_pixels: int,
    too_large: str,
    unreadable: str,
    side: int | None = None,
) -> Image.Image:
    """The image with its pixels, decoded only by the decoder of the type its first bytes
    name, its dimensions checked before any pixel is decoded. A JPEG wanted at most `side` px
    decodes at a fraction of its size (and memory)."""
    try:
        image = Image.open(io.BytesIO(data), formats=[DECODERS[content_type]])
    except _TOO_MANY_PIXELS as error:
        raise FileRefused(too_large) from error
    except _DECODING_FAILED as error:  # Pillow's UnidentifiedImageError is an OSError
        raise FileRefused(unreadable) from error
    if image.width * image.height > max_pixels:
        raise FileRefused(too_large)
    try:
        if side is not None and max(image.size) > side:
            scale = side / max(image.size)
            image.draft("RGB", (math.ceil(image.width * scale), math.ceil(image.height * scale)))
        image.load()
    except _TOO_MANY_PIXELS as error:
        raise FileRefused(too_large) from error
    except _DECODING_FAILED as error:  # a truncated or corrupt file fails only here
        raise FileRefused(unreadable) from error
    return image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _on_white(image: Image.Image) -> Image.Image:
    """RGB (or grey) pixels that JPEG can hold; what was transparent becomes white."""
    if image.mode in ("RGB", "L"):
        return image
    if not _has_alpha(image):
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    white = Image.new("RGB", rgba.size, "white")
    white.paste(rgba, mask=rgba.getchannel("A"))
    return white


def _encoded(image: Image.Image, kind: str, **options: int | bool) -> bytes:
    """The pixels written into a new image first: Pillow carries some of what the file said
    (a JPEG comment, a PNG's colour profile) from `info` into what it saves."""
    bare = Image.new(image.mode, image.size)
    bare.paste(image)
    out = io.BytesIO()
    bare.save(out, kind, **options)
    return out.getvalue()


def export_key(tenant_id: UUID, export_id: UUID) -> str:
    """Where a company export's zip is kept: `<tenant>/exports/<export>.zip`."""
    return check_key(f"{tenant_id}/{EXPORTS_FOLDER}/{export_id}.zip")


EXPORTS_FOLDER = "exports"  # the company's export zips: not copied into a new export
