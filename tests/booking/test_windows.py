"""The windows offered online (app.public_bookable_windows, and the office's
app.bookable_windows, which share one computation): working hours, time off, booked visits with
the travel buffer or the drive between places, the company's kinds, notice and horizon."""

# ruff: noqa: F811  (the module-scoped fixtures are imported by name, then requested)

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import psycopg
import pytest
from psycopg.types.range import Range

from app.db import Connection
from tests.booking.support import (
    MONDAY,
    NEW_YORK,
    Company,
    at,
    book_public,
    company,
    configure,
    on,
    public_windows,
    token_holder,
)
from tests.conftest import TestDatabase as Database
from tests.factories import Factory, Member
from tests.policies.conftest import shared_admin, shared_database, shared_make  # noqa: F401
from tests.policies.identity import acting_as, claims_of

CHICAGO = (Decimal("41.880000"), Decimal("-87.630000"))
TWENTY_KM_NORTH = (Decimal("42.050000"), Decimal("-87.630000"))  # 19 km: 29 minutes at 40 km/h


def booked_visit(
    make: Factory,
    firm: Company,
    technician: Member,
    starts: datetime,
    minutes: int,
    place: tuple[Decimal, Decimal] | None = None,
) -> UUID:
    """A visit of another customer, booked on `technician` (at `place`, when geocoded)."""
    property_id = make.property(firm.tenant.id, make.customer(firm.tenant.id))
    if place is not None:
        locate(make.conn, property_id, place)
    job = make.job(firm.tenant.id, property_id)
    return make.visit(
        firm.tenant.id, job, starts, technicians=(technician.account_id,), minutes=minutes
    )


def locate(conn: Connection, property_id: UUID, place: tuple[Decimal, Decimal]) -> None:
    conn.execute(
        "update public.properties set latitude = %s, longitude = %s, geocode_status = 'done'"
        " where id = %s",
        [place[0], place[1], property_id],
    )


def all_day_every_day(conn: Connection, firm: Company, technician: Member) -> None:
    conn.execute(
        "delete from public.working_hours where technician_id = %s", [technician.account_id]
    )
    for weekday in range(1, 8):
        conn.execute(
            "insert into public.working_hours (tenant_id, technician_id, weekday, starts_at,"
            " ends_at) values (%s, %s, %s, '00:00', '23:59')",
            [firm.tenant.id, technician.account_id, weekday],
        )


def test_only_working_hours_are_offered(
    shared_database: Database,
    shared_make: Factory,
) -> None:
    firm = company(shared_make)
    with token_holder(shared_database) as conn:
        repairs = public_windows(conn, firm.slug, "repair")
        installs = public_windows(conn, firm.slug, "install")
    assert on(repairs, MONDAY) == [8, 10]  # 8 to noon: 10 + 90 minutes still ends by noon
    assert on(repairs, MONDAY + timedelta(days=1)) == []
    assert on(installs, MONDAY) == [8]  # four hours fit only from 8
    assert all(s.astimezone(NEW_YORK).weekday() == 0 for s in repairs)


def test_time_off_removes_windows(
    shared_database: Database,
    shared_make: Factory,
) -> None:
    firm = company(shared_make)
    shared_make.conn.execute(
        "insert into public.time_off (tenant_id, technician_id, during) values (%s, %s, %s)",
        [firm.tenant.id, firm.technicians[0].account_id, Range(at(MONDAY, 10), at(MONDAY, 11))],
    )
    with token_holder(shared_database) as conn:
        assert on(public_windows(conn, firm.slug), MONDAY) == [8]


@pytest.mark.parametrize(("buffer", "expected"), [(15, [8, 10]), (16, [8])])
def test_the_buffer_keeps_time_around_a_booked_visit(
    shared_database: Database,
    shared_make: Factory,
    buffer: int,
    expected: list[int],
) -> None:
    """A 15-minute visit at 9:30: a maintenance hour at 10 starts as it ends plus the buffer."""
    firm = company(shared_make, buffer_minutes=buffer)
    booked_visit(shared_make, firm, firm.technicians[0], at(MONDAY, 9, 30), 15)
    with token_holder(shared_database) as conn:
        assert on(public_windows(conn, firm.slug, "maintenance"), MONDAY) == expected


@pytest.mark.parametrize(
    ("here", "expected"),
    [(CHICAGO, [8, 10]), (None, [8, 10]), (TWENTY_KM_NORTH, [8])],
    ids=["same place", "not geocoded: the buffer only", "30 minutes away"],
)
def test_the_drive_from_the_visit_before_is_kept_free(
    shared_database: Database,
    shared_make: Factory,
    here: tuple[Decimal, Decimal] | None,
    expected: list[int],
) -> None:
    """A 15-minute visit in Chicago ends at 9:45; a window at 10 nineteen km away needs 29
    minutes of driving. The office's windows (no buffer here) count the drive too."""
    firm = company(shared_make)
    dispatcher = shared_make.member(firm.tenant.id, "dispatcher")
    booked_visit(shared_make, firm, firm.technicians[0], at(MONDAY, 9, 30), 15, CHICAGO)
    target = shared_make.property(firm.tenant.id, shared_make.customer(firm.tenant.id))
    if here is not None:
        locate(shared_make.conn, target, here)
    with acting_as(shared_database, claims_of(dispatcher)) as conn:
        rows = conn.execute(
            "select window_starts_at from app.bookable_windows(%s, 'maintenance', 1, 0, 2, %s)",
            [target, MONDAY],
        ).fetchall()
    assert on([r["window_starts_at"] for r in rows], MONDAY) == expected


def test_only_the_companys_online_kinds_are_offered_or_booked(
    shared_database: Database,
    shared_make: Factory,
) -> None:
    firm = company(shared_make, kinds=["maintenance"])
    with token_holder(shared_database) as conn:
        assert public_windows(conn, firm.slug, "repair") == []
        assert public_windows(conn, firm.slug, "maintenance") != []
        with pytest.raises(psycopg.errors.CheckViolation) as refused:
            book_public(conn, firm.slug, at(MONDAY, 8), "repair")
    assert refused.value.diag.constraint_name == "online_bookings_kind_offered"


def test_nothing_is_offered_before_the_notice_or_past_the_horizon(
    shared_database: Database,
    shared_make: Factory,
) -> None:
    firm = company(shared_make, lead_hours=48, horizon_days=5)
    all_day_every_day(shared_make.conn, firm, firm.technicians[0])
    today = datetime.now(NEW_YORK).date()
    with token_holder(shared_database) as conn:
        now = conn.execute("select now() as now").fetchone()["now"]  # type: ignore[index]
        starts = public_windows(conn, firm.slug, "maintenance", first=None)
        later = public_windows(conn, firm.slug, "maintenance", first=today + timedelta(days=5))
    assert starts and min(starts) >= now + timedelta(hours=48)
    assert min(starts) < now + timedelta(hours=50)  # windows every 2 hours from midnight
    last_day: date = max(s.astimezone(NEW_YORK).date() for s in starts)
    assert last_day == today + timedelta(days=4)
    assert later == []


def test_a_closed_or_unknown_page_offers_nothing(
    shared_database: Database,
    shared_make: Factory,
) -> None:
    firm = company(shared_make)
    with token_holder(shared_database) as conn:
        assert public_windows(conn, firm.slug) != []
        assert public_windows(conn, "no-such-company") == []
    configure(shared_make.conn, firm.tenant.id, public_page=False)
    with token_holder(shared_database) as conn:
        assert public_windows(conn, firm.slug) == []
