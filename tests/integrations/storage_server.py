"""A loopback Supabase Storage for the tests: a threaded HTTP server that answers the Storage API
(`/storage/v1/…`) as the official client (storage3) calls it: bucket get and create, upload
(multipart, `x-upsert`), authenticated download, remove, list (one folder, `limit`/`offset`),
signed URL create and fetch. It keeps objects in memory and answers failures in Storage's
error shape (`statusCode` as text in the body, HTTP 400; 500 for its own faults).

Every call but a signed URL's fetch must carry the service key, as `apikey` and as
`Authorization: Bearer`; anything else is refused as an invalid JWT.

    with StorageServer() as storage:
        settings = dataclasses.replace(settings, supabase_url=storage.url,
                                       supabase_service_role_key=storage.key)
        ...
        assert f"{settings.storage_bucket}/{key}" in storage.objects

`fail_uploads_after = n` makes every upload after the first n fail (an interrupted copy);
`down = True` makes every call fail (an outage)."""

from __future__ import annotations

import email
import email.policy
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

KEY = "sb_secret_test-service-role-key-0123456789"
PREFIX = "/storage/v1"


@dataclass
class StoredObject:
    data: bytes
    content_type: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())


class Refused(Exception):
    """An answer in Storage's error shape."""

    def __init__(self, status: str, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict[str, str]:
        return {"statusCode": self.status, "code": self.code, "error": self.code,
                "message": self.message}  # fmt: skip

    @property
    def http_status(self) -> int:
        return 500 if self.status == "500" else 400


FOLDER_FIELDS = ("id", "updated_at", "created_at", "last_accessed_at", "metadata")  # all null
NO_SUCH_KEY = ("404", "NoSuchKey", "Object not found")
NO_SUCH_BUCKET = ("404", "NoSuchBucket", "Bucket not found")


@dataclass
class StorageServer:
    """What the server keeps (`objects`, by `<bucket>/<key>`; `buckets`) and was asked."""

    url: str = ""
    key: str = KEY
    buckets: dict[str, dict[str, Any]] = field(default_factory=dict)
    objects: dict[str, StoredObject] = field(default_factory=dict)
    uploads: list[str] = field(default_factory=list)  # `<bucket>/<key>` of each stored upload
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    fail_uploads_after: int | None = None
    down: bool = False  # every call answers 500, as Storage does in an outage
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None

    def __enter__(self) -> StorageServer:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def keys(self, bucket: str) -> set[str]:
        """The keys stored in `bucket`."""
        return {name.split("/", 1)[1] for name in self.objects if name.startswith(f"{bucket}/")}

    # --- the API ------------------------------------------------------------------------

    def answer(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, Any, str]:
        """(HTTP status, body: JSON-able or bytes, content type)."""
        parts = urlsplit(path)
        route = unquote(parts.path.removeprefix(PREFIX))
        with self.lock:
            self.requests.append((method, route))
            try:
                if self.down:
                    raise Refused("500", "InternalError", "Internal server error")
                if method == "GET" and route.startswith("/object/sign/"):
                    token = parse_qs(parts.query).get("token", [""])[0]
                    return self._fetch_signed(route.removeprefix("/object/sign/"), token)
                self._authorize(headers)
                return self._route(method, route, headers, body)
            except Refused as refused:
                return refused.http_status, refused.body(), "application/json"

    def _authorize(self, headers: Any) -> None:
        if (
            headers.get("apikey") != self.key
            or headers.get("Authorization") != f"Bearer {self.key}"
        ):
            raise Refused("400", "InvalidJWT", "invalid signature")

    def _route(self, method: str, route: str, headers: Any, body: bytes) -> tuple[int, Any, str]:
        document = json.loads(body) if body and "json" in headers.get("Content-Type", "") else {}
        if method == "GET" and route.startswith("/bucket/"):
            return 200, self._bucket(route.removeprefix("/bucket/")), "application/json"
        if method == "POST" and route == "/bucket":
            return 200, self._create_bucket(document), "application/json"
        if method == "POST" and route.startswith("/object/list/"):
            return (
                200,
                self._list(route.removeprefix("/object/list/"), document),
                "application/json",
            )
        if method == "POST" and route.startswith("/object/sign/"):
            return 200, self._sign(route.removeprefix("/object/sign/")), "application/json"
        if method == "POST" and route.startswith("/object/"):
            stored = self._upload(route.removeprefix("/object/"), headers, body)
            return 200, stored, "application/json"
        if method == "GET" and route.startswith("/object/"):
            found = self._object(route.removeprefix("/object/"))
            return 200, found.data, found.content_type
        if method == "DELETE" and route.startswith("/object/"):
            return 200, self._remove(route.removeprefix("/object/"), document), "application/json"
        raise Refused("400", "InvalidRequest", f"Route {method}:{route} not found")

    def _bucket(self, bucket_id: str) -> dict[str, Any]:
        if bucket_id not in self.buckets:
            raise Refused(*NO_SUCH_BUCKET)
        return self.buckets[bucket_id]

    def _create_bucket(self, document: dict[str, Any]) -> dict[str, str]:
        bucket_id = document["id"]
        if bucket_id in self.buckets:
            raise Refused("409", "BucketAlreadyExists", "The resource already exists")
        now = datetime.now(UTC).isoformat()
        self.buckets[bucket_id] = {
            "id": bucket_id, "name": document.get("name", bucket_id), "owner": "",
            "public": bool(document.get("public", False)), "created_at": now, "updated_at": now,
            "file_size_limit": document.get("file_size_limit"),
            "allowed_mime_types": document.get("allowed_mime_types"),
        }  # fmt: skip
        return {"name": bucket_id}

    def _upload(self, path: str, headers: Any, body: bytes) -> dict[str, str]:
        bucket, _, key = path.partition("/")
        self._bucket(bucket)
        if self.fail_uploads_after is not None and len(self.uploads) >= self.fail_uploads_after:
            raise Refused("500", "InternalError", "Internal server error")
        name = f"{bucket}/{key}"
        if name in self.objects and headers.get("x-upsert") != "true":
            raise Refused("409", "Duplicate", "The resource already exists")
        data, content_type = _multipart_file(headers.get("Content-Type", ""), body)
        self.objects[name] = StoredObject(data, content_type)
        self.uploads.append(name)
        return {"Key": name, "Id": self.objects[name].id}

    def _object(self, path: str) -> StoredObject:
        bucket, _, _key = path.partition("/")
        self._bucket(bucket)
        if path not in self.objects:
            raise Refused(*NO_SUCH_KEY)
        return self.objects[path]

    def _remove(self, bucket: str, document: dict[str, Any]) -> list[dict[str, Any]]:
        removed = []
        for key in document.get("prefixes", []):
            found = self.objects.pop(f"{bucket}/{key}", None)
            if found is not None:
                removed.append({"name": key, "id": found.id, "bucket_id": bucket})
        return removed

    def _list(self, bucket: str, document: dict[str, Any]) -> list[dict[str, Any]]:
        """One folder's files and sub-folders (these with id null), by name, a page of them."""
        folder = document.get("prefix", "")
        if folder and not folder.endswith("/"):
            folder += "/"  # as Storage does: the prefix is always a folder
        entries: dict[str, dict[str, Any]] = {}
        for key in self.keys(bucket):
            if not key.startswith(folder):
                continue
            first, slash, _rest = key.removeprefix(folder).partition("/")
            if slash:
                entries[first] = dict.fromkeys(FOLDER_FIELDS) | {"name": first}
            else:
                entries[first] = self._entry(first, self.objects[f"{bucket}/{key}"])
        offset, limit = int(document.get("offset", 0)), int(document.get("limit", 100))
        return [entries[name] for name in sorted(entries)][offset : offset + limit]

    @staticmethod
    def _entry(name: str, found: StoredObject) -> dict[str, Any]:
        return {
            "name": name, "id": found.id, "updated_at": found.created_at,
            "created_at": found.created_at, "last_accessed_at": found.created_at,
            "metadata": {"eTag": f'"{found.id}"', "size": len(found.data),
                         "mimetype": found.content_type, "cacheControl": "max-age=3600",
                         "lastModified": found.created_at, "contentLength": len(found.data),
                         "httpStatusCode": 200},
        }  # fmt: skip

    def _sign(self, path: str) -> dict[str, str]:
        self._object(path)
        token = secrets.token_urlsafe(24)
        self.tokens[token] = (path, time.monotonic() + 60)
        return {"signedURL": f"/object/sign/{path}?token={token}"}

    def _fetch_signed(self, path: str, token: str) -> tuple[int, Any, str]:
        signed_path, until = self.tokens.get(token, ("", 0.0))
        if signed_path != path or time.monotonic() > until:
            raise Refused("400", "InvalidSignature", "Invalid signature")
        found = self._object(path)
        return 200, found.data, found.content_type


def _multipart_file(content_type: str, body: bytes) -> tuple[bytes, str]:
    """The `file` part of a multipart/form-data body: its bytes and declared type."""
    if not content_type.startswith("multipart/form-data"):
        raise Refused("400", "InvalidRequest", "The upload must be multipart/form-data")
    message = email.message_from_bytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body, policy=email.policy.HTTP
    )
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "file":
            return bytes(part.get_payload(decode=True)), part.get_content_type()
    raise Refused("400", "InvalidRequest", "No file in the upload")


def _handler(storage: StorageServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = self.headers.get("Content-Length")
            if length is None and self.command in ("POST", "PUT"):
                status, body, kind = (
                    400,
                    Refused(
                        "400",
                        "MissingContentLength",
                        "You must provide the Content-Length HTTP header.",
                    ).body(),
                    "application/json",
                )
            else:
                data = self.rfile.read(int(length or 0))
                status, body, kind = storage.answer(self.command, self.path, self.headers, data)
            payload = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = _answer

        def log_message(self, *args: Any) -> None:
            pass

    return Handler
