"""Files in Supabase Storage: the files port's production adapter, on the official client
(`supabase`, whose `storage` is storage3).

Everything is in one private bucket per environment (`plenum-production`), under the same
company-prefixed keys as the local folder; the keys are checked before any call, so a company's
file can only be reached through its own prefix. The app and the worker call Storage with the
service role, as they act for every company; nothing is ever given a public URL, and the
policies of `storage.objects` (supabase/policies/storage_objects.sql) let no other key in.

What Storage refuses or cannot do (unreachable, a 500) is a StorageFailed, an OSError like a
full disk of the local folder, so that the jobs' "try again later" holds for both."""

from __future__ import annotations

import io
import mimetypes
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

import httpx
from storage3.exceptions import StorageApiError
from storage3.utils import StorageException

from app.integrations.files import (
    CHUNK_BYTES,
    MEGABYTE,
    FileMissing,
    LocalFolderFiles,
    check_key,
    check_prefix,
    valid_key,
)
from supabase import ClientOptions, create_client

PAGE = 100  # entries of a folder Storage lists at a time (its default)
SIGNED_URL_SECONDS = 60  # open(): the download starts at once; the link is useless soon after
SPOOL_BYTES = 8 * MEGABYTE  # open(): a file up to this size stays in memory, a larger one on disk
TIMEOUT = httpx.Timeout(60.0, connect=10.0)


class StorageFailed(OSError):
    """Storage did not do what was asked; the caller may try again later."""


def _is_missing(error: StorageApiError) -> bool:
    """Storage says 404 in the body's statusCode (NoSuchKey, NoSuchBucket), over HTTP 400."""
    return str(error.status) == "404"


@contextmanager
def _calling(key: str) -> Iterator[None]:
    """FileMissing when Storage has no file under `key`; StorageFailed for any other failure."""
    try:
        yield
    except StorageApiError as error:
        if _is_missing(error):
            raise FileMissing(key) from error
        raise StorageFailed(f"Storage refused {key!r}: {error.code} {error.message}") from error
    except (StorageException, httpx.HTTPError) as error:
        raise StorageFailed(f"Storage failed on {key!r}: {error}") from error


@contextmanager
def _uploadable(source: BinaryIO) -> Iterator[io.BufferedReader | bytes]:
    """What the client sends for `source`, from its start: a reader of the same open file, which
    it streams (it takes any other kind of object for a path), or the bytes of a file that is
    only in memory anyway."""
    try:
        descriptor = source.fileno()
    except (AttributeError, io.UnsupportedOperation):
        source.seek(0)
        yield source.read()
        return
    source.flush()  # what was written through `source` but is still in its buffer
    with open(descriptor, "rb", closefd=False) as reader:
        reader.seek(0)
        yield reader


class SupabaseStorageFiles:
    """Files in a private bucket of Supabase Storage, at `<bucket>/<key>`."""

    def __init__(self, url: str, service_role_key: str, bucket: str) -> None:
        self.bucket = bucket
        self._http = httpx.Client(timeout=TIMEOUT)
        client = create_client(
            url,
            service_role_key,
            ClientOptions(auto_refresh_token=False, persist_session=False, httpx_client=self._http),
        )
        self._storage = client.storage
        self._files = self._storage.from_(bucket)
        self._bucket_checked = False

    def ensure_bucket(self) -> bool:
        """Make sure the bucket exists and is private: created private when missing (True),
        StorageFailed when it is public (nothing is written into a public bucket)."""
        with _calling(self.bucket):
            try:
                found = self._storage.get_bucket(self.bucket)
            except StorageApiError as error:
                if not _is_missing(error):
                    raise
                self._create_bucket()
                self._bucket_checked = True
                return True
        if found.public:
            raise StorageFailed(
                f"the Storage bucket {self.bucket} is public: make it private in Supabase"
            )
        self._bucket_checked = True
        return False

    def _create_bucket(self) -> None:
        """A private bucket; one that another process created meanwhile is just as good."""
        try:
            self._storage.create_bucket(self.bucket, options={"public": False})
        except StorageApiError as error:
            if str(error.status) != "409":
                raise

    def _ready(self) -> None:
        if not self._bucket_checked:
            self.ensure_bucket()

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._upload(check_key(key), data, content_type)

    def put_file(self, key: str, source: BinaryIO, content_type: str) -> None:
        """Store the whole file `source` (from its start), streamed from its open file."""
        check_key(key)
        with _uploadable(source) as body:
            self._upload(key, body, content_type)

    def _upload(self, key: str, body: io.BufferedReader | bytes, content_type: str) -> None:
        self._ready()
        with _calling(key):
            self._files.upload(key, body, {"content-type": content_type, "upsert": "true"})

    def get(self, key: str) -> bytes:
        with _calling(check_key(key)):
            return self._files.download(key)

    def open(self, key: str) -> BinaryIO:
        """The file fetched in chunks through a short-lived signed URL into a temporary file
        (memory for a small one, disk past SPOOL_BYTES); FileMissing when there is none."""
        with _calling(check_key(key)):
            signed = self._files.create_signed_url(key, SIGNED_URL_SECONDS)["signedURL"]
        copy = tempfile.SpooledTemporaryFile(SPOOL_BYTES)  # noqa: SIM115 (the caller closes it)
        try:
            with _calling(key), self._http.stream("GET", str(signed)) as response:
                if response.status_code != 200:
                    response.read()
                    raise _refusal(response)
                for chunk in response.iter_bytes(CHUNK_BYTES):
                    copy.write(chunk)
        except BaseException:
            copy.close()
            raise
        copy.seek(0)
        return cast(BinaryIO, copy)

    def delete(self, key: str) -> None:
        with _calling(check_key(key)):
            self._files.remove([key])

    def keys(self, prefix: str) -> Iterator[str]:
        for key, _size in self.sizes(check_prefix(prefix)):
            yield key

    def sizes(self, prefix: str) -> Iterator[tuple[str, int]]:
        """Every file under `prefix` with its size in bytes, folder by folder. Each folder is
        listed whole before it is walked, so deleting what was yielded skips nothing. What the
        port cannot have written (the dashboard's `.emptyFolderPlaceholder`) is left out."""
        entries = list(self._listing(check_prefix(prefix)))
        for entry in entries:
            name = f"{prefix}{entry['name']}"
            if entry.get("id") is None:  # a folder
                if valid_key(f"{name}/x"):
                    yield from self.sizes(f"{name}/")
            elif valid_key(name):
                yield name, int((entry.get("metadata") or {}).get("size") or 0)

    def _listing(self, folder: str) -> Iterator[dict[str, Any]]:
        """Every entry of one folder (files and folders), a page at a time."""
        offset = 0
        while True:
            with _calling(folder):
                page = self._files.list(
                    folder.rstrip("/"),
                    {"limit": PAGE, "offset": offset, "sortBy": {"column": "name", "order": "asc"}},
                )
            yield from page
            if len(page) < PAGE:
                return
            offset += PAGE


@dataclass
class Copied:
    """What copying a folder into Storage did, file by file."""

    copied: int = 0
    skipped: int = 0  # already in Storage with the same size
    left_out: int = 0  # not a company file key: nothing the port could have written


def copy_folder(
    folder: LocalFolderFiles,
    storage: SupabaseStorageFiles,
    done: Copied,
    report: Callable[[str], None] = lambda line: None,
) -> Copied:
    """Copy every company's files from the local folder into Storage, counting into `done`.
    A file Storage already holds with the same size is skipped, so a copy that was interrupted
    (StorageFailed) carries on where it stopped when run again; the folder is only read."""
    storage.ensure_bucket()
    for company in sorted(p.name for p in folder.root.iterdir() if p.is_dir()):
        prefix = f"{company}/"
        if not valid_key(f"{prefix}x"):
            report(f"left out {company}/: not a company's folder")
            continue
        present = dict(storage.sizes(prefix))
        for key in sorted(folder.keys(prefix)):
            path = folder.root / key
            if not valid_key(key):
                done.left_out += 1
                report(f"left out {key}: not a company file key")
            elif present.get(key) == path.stat().st_size:
                done.skipped += 1
            else:
                with path.open("rb") as source:
                    storage.put_file(key, source, _content_type(key))
                done.copied += 1
    return done


def _content_type(key: str) -> str:
    """What a kept file is, by the extension its key was given (photos, logos, zips)."""
    return mimetypes.guess_type(key)[0] or "application/octet-stream"


def _refusal(response: httpx.Response) -> StorageApiError:
    """Storage's error body as the client reads it (`statusCode`, `error`, `message`)."""
    try:
        body = response.json()
        return StorageApiError(body["message"], body["error"], body["statusCode"])
    except (ValueError, KeyError, TypeError):
        return StorageApiError(response.text[:200], "InternalError", response.status_code)
