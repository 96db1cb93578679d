"""Companies that take bookings online, and calls into the booking functions exactly as the
pages make them (the public page's as the token holder's role, `db.SIGN_IN`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from app import db
from app.db import Connection
from tests.conftest import TestDatabase
from tests.factories import Factory, Member, Tenant

NEW_YORK = ZoneInfo("America/New_York")  # the zone of companies made by the factories
ALL_KINDS = ["repair", "maintenance", "install", "estimate"]
DETAILS: dict[str, Any] = {
    "first_name": "Pat",
    "last_name": "Lee",
    "phone": "+13125550100",
    "email": "pat@example.com",
    "street": "1 Oak St",
    "unit": "",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62701",
    "description": "No heat since this morning",
}


def monday_a_week_ahead() -> date:
    """A Monday 7 to 13 days ahead: inside a 14-day horizon, and never today."""
    today = datetime.now(NEW_YORK).date()
    return today + timedelta(days=7 + (7 - today.weekday()) % 7)


MONDAY = monday_a_week_ahead()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock(hour, minute), tzinfo=NEW_YORK)


@dataclass(frozen=True)
class Company:
    tenant: Tenant
    technicians: list[Member]
    slug: str


def configure(conn: Connection, tenant_id: UUID, **values: Any) -> None:
    """Set the company's online booking settings as an owner would on the settings page."""
    conn.execute(
        sql.SQL("update public.online_booking_settings set {} where tenant_id = %(tenant)s").format(
            sql.SQL(", ").join(
                sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder(name))
                for name in values
            )
        ),
        values | {"tenant": tenant_id},
    )


def mornings(conn: Connection, tenant_id: UUID, technician: Member, weekday: int = 1) -> None:
    """The technician works 8 to noon on `weekday` only (repairs then start at 8 and 10)."""
    conn.execute(
        "insert into public.working_hours (tenant_id, technician_id, weekday, starts_at, ends_at)"
        " values (%s, %s, %s, '08:00', '12:00')",
        [tenant_id, technician.account_id, weekday],
    )


def company(make: Factory, technicians: int = 1, **settings: Any) -> Company:
    """A company whose public page is on, booking every kind at once with no notice; its
    technicians work Monday mornings only."""
    tenant = make.tenant()
    crew = [make.member(tenant.id, "technician") for _ in range(technicians)]
    for member in crew:
        mornings(make.conn, tenant.id, member)
    configure(
        make.conn,
        tenant.id,
        **(
            {
                "public_page": True,
                "kinds": ALL_KINDS,
                "lead_hours": 0,
                "needs_confirmation": False,
            }
            | settings
        ),
    )
    row = make.conn.execute(
        "select slug from public.online_booking_settings where tenant_id = %s", [tenant.id]
    ).fetchone()
    assert row is not None
    return Company(tenant, crew, row["slug"])


@contextmanager
def token_holder(
    database: TestDatabase, client_addr: str = "203.0.113.7", *, commit: bool = False
) -> Iterator[Connection]:
    """A transaction as the public page's requests run: rolled back, unless `commit`."""
    with (
        psycopg.connect(database.app_url, row_factory=dict_row) as conn,
        conn.transaction(force_rollback=not commit),
    ):
        db.begin(conn, db.SIGN_IN, {"client_addr": client_addr})
        yield conn


def public_windows(
    conn: Connection, slug: str, kind: str = "repair", first: date | None = MONDAY
) -> list[datetime]:
    rows = conn.execute(
        "select window_starts_at, window_ends_at from app.public_bookable_windows(%s, %s, %s)",
        [slug, kind, first],
    ).fetchall()
    return [r["window_starts_at"] for r in rows]


def on(starts: list[datetime], day: date) -> list[int]:
    """The local start hours of the windows on `day`."""
    return [s.astimezone(NEW_YORK).hour for s in starts if s.astimezone(NEW_YORK).date() == day]


def book_public(
    conn: Connection, slug: str, starts: datetime, kind: str = "repair", **details: Any
) -> dict[str, Any]:
    values = DETAILS | details
    row = conn.execute(
        "select status, window_starts_at, window_ends_at from app.book_online_as_new_customer("
        "%(slug)s, %(first_name)s, %(last_name)s, %(phone)s, %(email)s, %(street)s, %(unit)s,"
        " %(city)s, %(region)s, %(postal_code)s, %(kind)s, %(description)s, %(starts)s)",
        values | {"slug": slug, "kind": kind, "starts": starts},
    ).fetchone()
    assert row is not None
    return dict(row)
