"""Service requests and privacy requests made with real inserts, as the database owner (as the
portal's definers would make them: the homeowner's first message, no staff author)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from app.db import Connection


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
