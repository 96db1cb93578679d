"""Bookable windows (`app.bookable_windows`): the arrival windows a dispatcher can still offer,
with how many technicians are free for each. Everything runs in a dispatcher's transaction
(the function runs as its caller), which also makes the bookings and is rolled back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
import pytest
from psycopg.types.range import Range

from app.db import Connection
from tests.conftest import TestDatabase as Database
from tests.factories import Factory, Member, Tenant
from tests.policies.conftest import shared_admin, shared_database, shared_make  # noqa: F401
from tests.policies.identity import acting_as, claims_of

NEW_YORK = ZoneInfo("America/New_York")
Windows = dict[tuple[date, clock], int]  # (local day, local start) -> technicians free


def monday_a_week_ahead() -> date:
    today = datetime.now(NEW_YORK).date()
    ahead = (7 - today.weekday()) % 7
    return today + timedelta(days=ahead if ahead >= 7 else ahead + 7)


MONDAY = monday_a_week_ahead()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock(hour, minute), tzinfo=NEW_YORK)


@dataclass(frozen=True)
class Company:
    tenant: Tenant
    dispatcher: Member
    terry: Member
    tina: Member
    property_id: UUID


@pytest.fixture(scope="module")
def company(shared_make: Factory) -> Company:  # noqa: F811
    """Two technicians; the other staff and a removed technician are never offered."""
    tenant = shared_make.tenant()
    for role in ("admin", "office"):
        shared_make.member(tenant.id, role)
    shared_make.member(tenant.id, "technician", status="removed")
    return Company(
        tenant,
        shared_make.member(tenant.id, "dispatcher"),
        shared_make.member(tenant.id, "technician"),
        shared_make.member(tenant.id, "technician"),
        shared_make.property(tenant.id, shared_make.customer(tenant.id)),
    )


def windows(
    conn: Connection,
    company: Company,
    kind: str = "maintenance",
    *,
    days: int = 7,
    buffer: int = 30,
    first: date = MONDAY,
    property_id: UUID | None = None,
) -> Windows:
    rows = conn.execute(
        "select window_starts_at, window_ends_at, technicians from app.bookable_windows("
        "%(property)s, %(kind)s, %(days)s, %(buffer)s, 2, %(first)s)",
        {
            "property": property_id or company.property_id,
            "kind": kind,
            "days": days,
            "buffer": buffer,
            "first": first,
        },
    ).fetchall()
    assert all(r["window_ends_at"] - r["window_starts_at"] == timedelta(hours=2) for r in rows)
    local = [(r["window_starts_at"].astimezone(NEW_YORK), r["technicians"]) for r in rows]
    return {(starts.date(), starts.time()): free for starts, free in local}


def on(found: Windows, day: date) -> dict[int, int]:
    """The windows of one day: start hour -> technicians free."""
    return {starts.hour: free for (d, starts), free in found.items() if d == day}


def book(
    conn: Connection, company: Company, technician: Member, starts: datetime, minutes: int
) -> None:
    """A visit booked on a technician by the dispatcher, as the board would save it."""
    params = {
        "t": company.tenant.id,
        "p": company.property_id,
        "starts": starts,
        "minutes": minutes,
        "tech": technician.account_id,
    }
    job = conn.execute(
        "insert into public.jobs (tenant_id, customer_id, property_id, kind, summary)"
        " select tenant_id, customer_id, id, 'repair', 'No heat' from public.properties"
        " where tenant_id = %(t)s and id = %(p)s returning id",
        params,
    ).fetchone()
    assert job is not None
    visit = conn.execute(
        "insert into public.visits (tenant_id, job_id, status, window_starts_at, window_ends_at,"
        " duration_minutes) values (%(t)s, %(job)s, 'scheduled', %(starts)s,"
        " %(starts)s + interval '2 hours', %(minutes)s) returning id",
        params | {"job": job["id"]},
    ).fetchone()
    assert visit is not None
    conn.execute(
        "insert into public.visit_assignments (tenant_id, visit_id, technician_id)"
        " values (%(t)s, %(visit)s, %(tech)s)",
        params | {"visit": visit["id"]},
    )


def time_off(
    conn: Connection, company: Company, technician: Member, starts: datetime, ends: datetime
) -> None:
    conn.execute(
        "insert into public.time_off (tenant_id, technician_id, during, reason)"
        " values (%s, %s, %s, 'Training')",
        [company.tenant.id, technician.account_id, Range(starts, ends)],
    )


EVERY_TWO_HOURS = {8: 2, 10: 2, 12: 2, 14: 2, 16: 2}


@pytest.mark.parametrize(
    ("kind", "starts"),
    [
        ("maintenance", [8, 10, 12, 14, 16]),  # 60 minutes: 4pm still ends by 5pm
        ("estimate", [8, 10, 12, 14, 16]),  # 45 minutes
        ("repair", [8, 10, 12, 14]),  # 90 minutes: 4pm would run to 5:30
        ("install", [8, 10, 12]),  # 4 hours: noon is the last start that ends by 5pm
    ],
)
def test_an_empty_week_offers_every_window_that_fits_the_working_day(
    shared_database: Database,  # noqa: F811
    company: Company,
    kind: str,
    starts: list[int],
) -> None:
    with acting_as(shared_database, claims_of(company.dispatcher)) as conn:
        found = windows(conn, company, kind)
    for offset in range(7):
        day = MONDAY + timedelta(days=offset)
        expected = {hour: 2 for hour in starts} if day.weekday() < 5 else {}
        assert on(found, day) == expected, day.strftime("%A")


def test_a_full_day_leaves_the_other_technician(
    shared_database: Database,  # noqa: F811
    company: Company,
) -> None:
    tuesday = MONDAY + timedelta(days=1)
    with acting_as(shared_database, claims_of(company.dispatcher)) as conn:
        book(conn, company, company.terry, at(MONDAY, 8), 9 * 60)
        book(conn, company, company.terry, at(tuesday, 8), 9 * 60)
        book(conn, company, company.tina, at(tuesday, 8), 4 * 60)
        book(conn, company, company.tina, at(tuesday, 12), 5 * 60)
        found = windows(conn, company, days=3)
    assert on(found, MONDAY) == {8: 1, 10: 1, 12: 1, 14: 1, 16: 1}
    assert on(found, tuesday) == {}  # both full
    assert on(found, MONDAY + timedelta(days=2)) == EVERY_TWO_HOURS


def test_time_off_removes_the_technicians_windows(
    shared_database: Database,  # noqa: F811
    company: Company,
) -> None:
    tuesday = MONDAY + timedelta(days=1)
    with acting_as(shared_database, claims_of(company.dispatcher)) as conn:
        time_off(conn, company, company.terry, at(MONDAY, 0), at(tuesday, 0))
        time_off(conn, company, company.tina, at(tuesday, 12), at(tuesday, 13))
        found = windows(conn, company, days=2)
    assert on(found, MONDAY) == {8: 1, 10: 1, 12: 1, 14: 1, 16: 1}
    assert on(found, tuesday) == {8: 2, 10: 2, 12: 1, 14: 2, 16: 2}


@pytest.mark.parametrize(
    ("visit", "buffer", "expected"),
    [
        # A 45-minute visit at 11: an hour at 10 ends just as it starts, one at noon starts
        # 15 minutes after it ends. Without travel time both fit; with 30 minutes neither.
        ((11, 0, 45), 0, EVERY_TWO_HOURS),
        ((11, 0, 45), 30, {8: 2, 10: 1, 12: 1, 14: 2, 16: 2}),
        # A visit at 1:30: the noon hour ends exactly 30 minutes before it.
        ((13, 30, 60), 30, {8: 2, 10: 2, 12: 2, 14: 1, 16: 2}),
        ((13, 30, 60), 31, {8: 2, 10: 2, 12: 1, 14: 1, 16: 2}),
    ],
    ids=["11am, no buffer", "11am, 30 min", "1:30pm, 30 min", "1:30pm, 31 min"],
)
def test_the_travel_buffer_keeps_time_around_each_visit(
    shared_database: Database,  # noqa: F811
    company: Company,
    visit: tuple[int, int, int],
    buffer: int,
    expected: dict[int, int],
) -> None:
    hour, minute, minutes = visit
    with acting_as(shared_database, claims_of(company.dispatcher)) as conn:
        book(conn, company, company.terry, at(MONDAY, hour, minute), minutes)
        found = windows(conn, company, days=1, buffer=buffer)
    assert on(found, MONDAY) == expected


def test_windows_already_begun_are_not_offered(
    shared_database: Database,  # noqa: F811
    company: Company,
) -> None:
    """Terry works around the clock, so today always has windows before and after now."""
    today = datetime.now(NEW_YORK).date()
    with acting_as(shared_database, claims_of(company.dispatcher)) as conn:
        for weekday in range(1, 8):
            conn.execute(
                "insert into public.working_hours (tenant_id, technician_id, weekday,"
                " starts_at, ends_at) values (%s, %s, %s, '00:00', '23:59')",
                [company.tenant.id, company.terry.account_id, weekday],
            )
        now = conn.execute("select now()").fetchone()
        found = windows(conn, company, days=2, first=today)
    assert now is not None
    ahead = [at(today, hour) for hour in range(0, 23, 2) if at(today, hour) > now["now"]]
    assert sorted(on(found, today)) == [starts.hour for starts in ahead]
    assert on(found, today + timedelta(days=1))[0] == 1  # tomorrow starts at midnight


def test_a_saturday_shift_is_offered(
    shared_database: Database,  # noqa: F811
    company: Company,
) -> None:
    saturday = MONDAY + timedelta(days=5)
    with acting_as(shared_database, claims_of(company.dispatcher)) as conn:
        conn.execute(
            "insert into public.working_hours (tenant_id, technician_id, weekday, starts_at,"
            " ends_at) values (%s, %s, 6, '09:00', '13:00')",
            [company.tenant.id, company.tina.account_id],
        )
        found = windows(conn, company, "repair")
    assert on(found, saturday) == {9: 1, 11: 1}  # 11:00 + 90 minutes ends by 1pm
    # Tina now works only the days she has rows for: Saturday.
    assert on(found, MONDAY) == {8: 1, 10: 1, 12: 1, 14: 1}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"kind": "demolition"}, "unknown job kind demolition"),
        ({"days": 0}, "days 1-60, buffer 0-240 minutes, windows 1-8 hours"),
        ({"days": 61}, "days 1-60, buffer 0-240 minutes, windows 1-8 hours"),
        ({"buffer": -5}, "days 1-60, buffer 0-240 minutes, windows 1-8 hours"),
    ],
)
def test_bad_arguments_are_refused(
    shared_database: Database,  # noqa: F811
    company: Company,
    arguments: dict[str, object],
    message: str,
) -> None:
    with (
        acting_as(shared_database, claims_of(company.dispatcher)) as conn,
        pytest.raises(psycopg.errors.InvalidParameterValue) as refused,
    ):
        windows(conn, company, **arguments)  # type: ignore[arg-type]
    assert refused.value.diag.message_primary == message


def test_another_companys_property_is_not_found(
    shared_database: Database,  # noqa: F811
    shared_make: Factory,  # noqa: F811
    company: Company,
) -> None:
    elsewhere = shared_make.tenant()
    their_house = shared_make.property(elsewhere.id, shared_make.customer(elsewhere.id))
    with (
        acting_as(shared_database, claims_of(company.dispatcher)) as conn,
        pytest.raises(psycopg.errors.NoDataFound),
    ):
        windows(conn, company, property_id=their_house)
