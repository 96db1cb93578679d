"""The files port: photos and signatures taken on visits. Every key starts with the company's
id, so a company's files sit apart from every other company's (a purge removes one prefix).
The embedded default keeps them in a local folder; Supabase Storage takes the same keys.

What a file *is* is decided by its first bytes, never by its name or the type the phone
declared: a text file renamed `.jpg` is refused."""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from pathlib import Path
from typing import Protocol
from uuid import UUID

from flask import current_app

MEGABYTE = 1024 * 1024
MAX_PHOTO_BYTES = 10 * MEGABYTE  # visit_files_size_range allows up to 10485760
MAX_SIGNATURE_BYTES = 300 * 1024
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
PNG = b"\x89PNG\r\n\x1a\n"
UNREADABLE_SIGNATURE = "The signature could not be read. Ask the customer to sign again."

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

    def delete(self, key: str) -> None: ...


def check_key(key: str) -> str:
    """The key itself, when it names a file inside one company's prefix; ValueError otherwise."""
    if not _KEY.fullmatch(key):
        raise ValueError(f"not a company file key: {key!r}")
    return key


def visit_file_key(tenant_id: UUID, visit_id: UUID, content_type: str) -> str:
    """A new key for a visit's photo or signature: `<tenant>/visits/<visit>/<uuid>.<ext>`."""
    return f"{tenant_id}/visits/{visit_id}/{uuid.uuid4()}.{EXTENSIONS[content_type]}"


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
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(partial, path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as missing:
            raise FileMissing(key) from missing

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


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
        raise FileRefused(
            f"That photo is {len(data) / MEGABYTE:.1f} MB; photos can be at most"
            f" {MAX_PHOTO_BYTES // MEGABYTE} MB."
        )
    content_type = sniff(data)
    if content_type is None:
        raise FileRefused("That file is not a photo. Upload a JPEG, PNG or WebP image.")
    return content_type


def check_signature(data: bytes) -> None:
    """A signature is a PNG drawn on the screen, small by nature; FileRefused otherwise."""
    if not data.startswith(PNG):
        raise FileRefused(UNREADABLE_SIGNATURE)
    if len(data) > MAX_SIGNATURE_BYTES:
        raise FileRefused(
            "The signature image is too large. Clear it and ask the customer to sign again."
        )
