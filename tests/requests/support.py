"""Service requests and privacy requests made with real inserts, as the database owner (as the
portal's definers would make them: the homeowner's first message, no staff author)."""

from __future__ import annotations

import io
import os
import tempfile
from datetime import datetime
from uuid import UUID, uuid4

from PIL import Image

from app.db import Connection
from app.integrations import files


def make_request(
    admin: Connection,
    tenant_id: UUID,
    customer_id: UUID,
    subject: str = "Thermostat keeps resetting",
    body: str = "It goes back to 60 every night.",
    *,
    property_id: UUID | None = None,
    status: str = "open",
    assigned_to: UUID | None = None,
    at: datetime | None = None,
) -> UUID:
    row = admin.execute(
        "insert into public.service_requests (tenant_id, customer_id, property_id, subject,"
        " status, assigned_to, closed_at, last_activity_at)"
        " values (%(t)s, %(c)s, %(p)s, %(s)s, %(status)s, %(a)s,"
        " case when %(status)s = 'closed' then now() end, coalesce(%(at)s, now())) returning id",
        {
            "t": tenant_id,
            "c": customer_id,
            "p": property_id,
            "s": subject,
            "status": status,
            "a": assigned_to,
            "at": at,
        },
    ).fetchone()
    assert row is not None
    admin.execute(
        "insert into public.service_request_messages (tenant_id, request_id, customer_id,"
        " author_kind, body) values (%s, %s, %s, 'homeowner', %s)",
        [tenant_id, row["id"], customer_id, body],
    )
    return UUID(str(row["id"]))


def jpeg(width: int = 64, height: int = 48) -> bytes:
    """A small real photo."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(out, "JPEG")
    return out.getvalue()


def files_root(conn: Connection) -> str:
    """The test app's files folder for the database `conn` is on (tests/conftest.py)."""
    return os.path.join(tempfile.gettempdir(), "plenum-test-files", conn.info.dbname)


def make_photo(admin: Connection, tenant_id: UUID, request_id: UUID) -> UUID:
    """A photo of the request, kept as the portal keeps one: the bytes, then the row."""
    picture = files.clean_photo(jpeg())
    key = f"{tenant_id}/requests/{request_id}/{uuid4()}.jpg"
    store = files.LocalFolderFiles(files_root(admin))
    store.put(key, picture.data, picture.content_type)
    assert picture.thumbnail is not None
    store.put(files.thumbnail_key(key), picture.thumbnail, "image/jpeg")
    row = admin.execute(
        "insert into public.service_request_photos (tenant_id, request_id, customer_id,"
        " storage_key, content_type, byte_size)"
        " select tenant_id, id, customer_id, %s, 'image/jpeg', %s from public.service_requests"
        " where id = %s returning id",
        [key, len(picture.data), request_id],
    ).fetchone()
    assert row is not None
    return UUID(str(row["id"]))


def make_privacy_request(
    admin: Connection, tenant_id: UUID, customer_id: UUID, kind: str = "deletion"
) -> UUID:
    """A request as the portal files it (the database owner stands in for its definer)."""
    row = admin.execute(
        "insert into public.privacy_requests (tenant_id, customer_id, kind, details, source)"
        " values (%s, %s, %s, 'Please remove me.', 'portal') returning id",
        [tenant_id, customer_id, kind],
    ).fetchone()
    assert row is not None
    return UUID(str(row["id"]))
