"""Bookings: the database refuses a technician's overlapping visits (even when two dispatchers
book at the same moment), visits outside working hours or during time off, and removed members;
and local times stay local across daylight-saving changes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from functools import partial
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
import pytest
from flask import Flask
from psycopg.rows import dict_row
from psycopg.types.range import Range

from app import db
from app.db import Connection
from app.scheduling import service
from app.scheduling.service import Booking, SchedulingRefused
from tests.conftest import TestDatabase as Database
from tests.factories import Factory, Member, Tenant
from tests.policies.identity import acting_as, claims_of

NEW_YORK = ZoneInfo("America/New_York")
DOUBLE_BOOKING = "visit_assignments_no_double_booking"
OUTSIDE_HOURS = "visit_assignments_within_working_hours"


def monday_a_week_ahead(zone: ZoneInfo = NEW_YORK) -> date:
    today = datetime.now(zone).date()
    ahead = (7 - today.weekday()) % 7
    return today + timedelta(days=ahead if ahead >= 7 else ahead + 7)


def at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = NEW_YORK) -> datetime:
    return datetime.combine(day, clock(hour, minute), tzinfo=zone)


@dataclass(frozen=True)
class Crew:
    tenant: Tenant
    dispatcher: Member
    terry: Member
    tina: Member
    property_id: UUID


@pytest.fixture
def crew(make: Factory) -> Crew:
    """A company with a dispatcher, two technicians and a customer's house."""
    tenant = make.tenant()
    customer = make.customer(tenant.id, "Ruth", "Alvarez")
    return Crew(
        tenant,
        make.member(tenant.id, "dispatcher"),
        make.member(tenant.id, "technician"),
        make.member(tenant.id, "technician"),
        make.property(tenant.id, customer),
    )


def visit_at(
    make: Factory,
    crew: Crew,
    starts: datetime | None,
    minutes: int = 60,
    *who: Member,
    summary: str = "No heat",
) -> UUID:
    """A visit (scheduled when `starts` is given), booked on `who`, made by the owner."""
    job = make.job(crew.tenant.id, crew.property_id, summary=summary)
    return make.visit(
        crew.tenant.id, job, starts, minutes=minutes, technicians=tuple(m.account_id for m in who)
    )


def assign(conn: Connection, crew: Crew, visit: UUID, technician: Member) -> None:
    conn.execute(
        "insert into public.visit_assignments (tenant_id, visit_id, technician_id)"
        " values (%(t)s, %(v)s, %(tech)s)",
        {"t": crew.tenant.id, "v": visit, "tech": technician.account_id},
    )


def refused_with(
    conn: Connection, error: type[psycopg.Error], write: Callable[[], object]
) -> str | None:
    """The constraint named by the database's refusal of a write (made in a savepoint, so the
    transaction goes on)."""
    with pytest.raises(error) as refused, conn.transaction():
        write()
    return refused.value.diag.constraint_name


def bookings(admin: Connection, technician: Member) -> list[tuple[datetime, datetime]]:
    rows = admin.execute(
        "select lower(booked) as starts, upper(booked) as ends from public.visit_assignments"
        " where technician_id = %s and booked is not null order by 1",
        [technician.account_id],
    ).fetchall()
    return [(row["starts"], row["ends"]) for row in rows]


# --- overlaps -----------------------------------------------------------------------------------


def test_an_overlapping_booking_is_refused(
    database: Database, make: Factory, admin: Connection, crew: Crew
) -> None:
    monday = monday_a_week_ahead()
    visit_at(make, crew, at(monday, 9), 60, crew.terry)
    clash = visit_at(make, crew, at(monday, 9, 30), 60)
    with acting_as(database, claims_of(crew.dispatcher)) as conn:
        refused = refused_with(
            conn,
            psycopg.errors.ExclusionViolation,
            lambda: assign(conn, crew, clash, crew.terry),
        )
    assert refused == DOUBLE_BOOKING
    assert bookings(admin, crew.terry) == [(at(monday, 9), at(monday, 10))]


def test_back_to_back_visits_and_other_technicians_are_fine(
    database: Database, make: Factory, admin: Connection, crew: Crew
) -> None:
    monday = monday_a_week_ahead()
    visit_at(make, crew, at(monday, 9), 60, crew.terry)
    next_one = visit_at(make, crew, at(monday, 10), 90)
    same_time = visit_at(make, crew, at(monday, 9), 60)
    with acting_as(database, claims_of(crew.dispatcher)) as conn:
        assign(conn, crew, next_one, crew.terry)  # ends == next start: no overlap
        assign(conn, crew, same_time, crew.tina)
        booked = conn.execute(
            "select count(*) as n from public.visit_assignments where booked is not null"
        ).fetchone()
    assert booked == {"n": 3}


@pytest.mark.parametrize(
    "freeing",
    [
        "update public.visits set status = 'canceled', cancel_reason = 'Fixed it' where id = %s",
        "update public.visits set status = 'unscheduled' where id = %s",
    ],
    ids=["canceled", "unscheduled"],
)
def test_a_canceled_or_unscheduled_visit_frees_the_time(
    database: Database, make: Factory, crew: Crew, freeing: str
) -> None:
    monday = monday_a_week_ahead()
    first = visit_at(make, crew, at(monday, 9), 60, crew.terry)
    second = visit_at(make, crew, at(monday, 9), 60)
    with acting_as(database, claims_of(crew.dispatcher)) as conn:
        conn.execute(freeing, [first])
        assign(conn, crew, second, crew.terry)
        rows = conn.execute(
            "select visit_id, booked is not null as holds_time from public.visit_assignments"
            " order by 2"
        ).fetchall()
    assert rows == [
        {"visit_id": first, "holds_time": False},
        {"visit_id": second, "holds_time": True},
    ]


def test_moving_or_lengthening_a_visit_onto_another_is_refused(
    database: Database, make: Factory, admin: Connection, crew: Crew
) -> None:
    monday = monday_a_week_ahead()
    morning = visit_at(make, crew, at(monday, 9), 60, crew.terry)
    visit_at(make, crew, at(monday, 11), 60, crew.terry)
    moves = {
        "moved": "update public.visits set window_starts_at = %(at)s,"
        " window_ends_at = %(at)s + interval '2 hours' where id = %(id)s",
        "lengthened": "update public.visits set duration_minutes = 150 where id = %(id)s",
    }
    with acting_as(database, claims_of(crew.dispatcher)) as conn:
        for how, move in moves.items():
            refused = refused_with(
                conn,
                psycopg.errors.ExclusionViolation,
                partial(conn.execute, move, {"at": at(monday, 10, 30), "id": morning}),
            )
            assert refused == DOUBLE_BOOKING, how
    assert bookings(admin, crew.terry) == [
        (at(monday, 9), at(monday, 10)),
        (at(monday, 11), at(monday, 12)),
    ]


# --- two dispatchers at the same moment ---------------------------------------------------------


def wait_until_blocked(thread: threading.Thread, admin: Connection, name: str) -> None:
    """Until the thread's statement waits for a lock held by another transaction (or ends)."""
    deadline = time.monotonic() + 10
    while thread.is_alive() and time.monotonic() < deadline:
        waiting = admin.execute(
            "select count(*) as n from pg_stat_activity where datname = %(db)s"
            " and wait_event_type = 'Lock'",
            {"db": name},
        ).fetchone()
        if waiting and waiting["n"]:
            return
        time.sleep(0.01)


def move_to(conn: Connection, visit: UUID, starts: datetime) -> None:
    conn.execute(
        "update public.visits set window_starts_at = %(at)s,"
        " window_ends_at = %(at)s + interval '2 hours' where id = %(id)s",
        {"at": starts, "id": visit},
    )


@pytest.mark.parametrize("race", ["assigning", "moving"])
def test_two_dispatchers_booking_at_once_leave_one_booking(
    database: Database, make: Factory, admin: Connection, crew: Crew, race: str
) -> None:
    """Each in its own transaction, neither sees the other's booking: either both assign Terry
    to visits at 2 and 2:30, or both move one of Terry's visits there. The second to write waits
    for the first to commit and is then refused by the exclusion constraint."""
    monday = monday_a_week_ahead()
    second_dispatcher = make.member(crew.tenant.id, "dispatcher")
    if race == "assigning":
        first, second = (
            visit_at(make, crew, at(monday, 14)),
            visit_at(make, crew, at(monday, 14, 30)),
        )
        expected = [(at(monday, 14), at(monday, 15))]
    else:
        first = visit_at(make, crew, at(monday, 9), 60, crew.terry)
        second = visit_at(make, crew, at(monday, 11), 60, crew.terry)
        expected = [(at(monday, 11), at(monday, 12)), (at(monday, 14), at(monday, 15))]

    def book(conn: Connection, visit: UUID, starts: datetime) -> None:
        if race == "assigning":
            assign(conn, crew, visit, crew.terry)
        else:
            move_to(conn, visit, starts)

    errors: list[psycopg.Error] = []

    def second_books() -> None:
        with psycopg.connect(database.app_url, row_factory=dict_row) as conn:
            try:
                db.begin(conn, claims_of(second_dispatcher))
                book(conn, second, at(monday, 14, 30))
                conn.commit()
            except psycopg.Error as error:
                errors.append(error)

    with psycopg.connect(database.app_url, row_factory=dict_row) as conn:
        db.begin(conn, claims_of(crew.dispatcher))
        book(conn, first, at(monday, 14))
        other = threading.Thread(target=second_books)
        other.start()
        wait_until_blocked(other, admin, database.name)
        assert other.is_alive(), "the second booking did not wait for the first"
        conn.commit()
    other.join(timeout=10)
    assert [type(error) for error in errors] == [psycopg.errors.ExclusionViolation]
    assert errors[0].diag.constraint_name == DOUBLE_BOOKING
    assert bookings(admin, crew.terry) == expected  # the second visit stayed where it was


@contextmanager
def request_as(app: Flask, member: Member) -> Iterator[Callable[[], None]]:
    """A request of `member`; call what it yields to end the request as a success (commit)."""

    def succeed() -> None:
        app.process_response(app.response_class())

    with app.test_request_context("/"):
        app.preprocess_request()
        db.set_claims(claims_of(member))
        yield succeed


def test_the_booking_that_loses_a_race_names_the_winner(
    app: Flask, database: Database, make: Factory, admin: Connection, crew: Crew
) -> None:
    """Through the service, as two requests: the loser checked for clashes before the winner
    committed, so only the database can refuse it, and the message names the winner."""
    monday = monday_a_week_ahead()
    winner = visit_at(make, crew, None, summary="Furnace tune-up")
    loser = visit_at(make, crew, None)
    booked, release = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def winner_books() -> None:
        with request_as(app, crew.dispatcher) as commit:
            booking = Booking.local(NEW_YORK, monday, clock(10), 2, 60, [crew.terry.account_id])
            service.book(crew.tenant.id, winner, booking)
            booked.set()
            release.wait(10)
            commit()

    def loser_books() -> None:
        with request_as(app, crew.dispatcher):
            booking = Booking.local(NEW_YORK, monday, clock(10, 30), 2, 90, [crew.terry.account_id])
            try:
                service.book(crew.tenant.id, loser, booking)
            except SchedulingRefused as refusal:
                outcome["refusal"] = refusal

    first = threading.Thread(target=winner_books)
    first.start()
    assert booked.wait(10)
    second = threading.Thread(target=loser_books)
    second.start()
    wait_until_blocked(second, admin, database.name)
    assert second.is_alive(), "the second booking did not wait for the first"
    release.set()
    first.join(10)
    second.join(10)
    refusal = outcome["refusal"]
    assert [c["visit_id"] for c in refusal.conflicts] == [winner]
    assert f"{crew.terry.full_name} is already booked" in refusal.message
    assert "10:00 AM to 11:00 AM on “Furnace tune-up” for Ruth Alvarez" in refusal.message
    assert bookings(admin, crew.terry) == [(at(monday, 10), at(monday, 11))]
    loser_row = admin.execute("select status from public.visits where id = %s", [loser])
    assert loser_row.fetchone() == {"status": "unscheduled"}  # all of the booking or none of it


# --- working hours, time off, membership --------------------------------------------------------


def test_a_booking_must_fit_the_default_working_day(
    database: Database, make: Factory, crew: Crew
) -> None:
    monday = monday_a_week_ahead()
    saturday = monday + timedelta(days=5)
    with acting_as(database, claims_of(crew.dispatcher)) as conn:
        for starts in (at(monday, 7, 30), at(monday, 16, 30), at(saturday, 10)):
            visit = visit_at(make, crew, starts, 60)
            refused = refused_with(
                conn,
                psycopg.errors.CheckViolation,
                partial(assign, conn, crew, visit, crew.terry),
            )
            assert refused == OUTSIDE_HOURS, starts
        for starts in (at(monday, 8), at(monday, 16)):  # the first and the last hour
            assign(conn, crew, visit_at(make, crew, starts, 60), crew.terry)


def test_a_technicians_own_hours_replace_the_default(
    database: Database, make: Factory, admin: Connection, crew: Crew
) -> None:
    """Terry works 7 to 3 on weekdays and 8 to noon on Saturdays; without a row, Sunday is off."""
    hours = [(day, clock(7), clock(15)) for day in range(1, 6)] + [(6, clock(8), clock(12))]
    for weekday, day_starts, day_ends in hours:
        admin.execute(
            "insert into public.working_hours (tenant_id, technician_id, weekday, starts_at,"
            " ends_at) values (%s, %s, %s, %s, %s)",
            [crew.tenant.id, crew.terry.account_id, weekday, day_starts, day_ends],
        )
    monday = monday_a_week_ahead()
    saturday, sunday = monday + timedelta(days=5), monday + timedelta(days=6)
    fits = [at(monday, 7), at(monday, 14), at(saturday, 11)]
    does_not = [at(monday, 14, 30), at(saturday, 11, 30), at(sunday, 9)]
    with acting_as(database, claims_of(crew.dispatcher)) as conn:
        for starts in fits:
            assign(conn, crew, visit_at(make, crew, starts), crew.terry)
        for starts in does_not:
            visit = visit_at(make, crew, starts)
            refused = refused_with(
                conn,
                psycopg.errors.CheckViolation,
                partial(assign, conn, crew, visit, crew.terry),
            )
            assert refused == OUTSIDE_HOURS, starts
        # Tina has no rows of her own: the company default still applies to her.
        assign(conn, crew, visit_at(make, crew, at(monday, 16)), crew.tina)


def test_time_off_cannot_be_booked(
    database: Database, make: Factory, admin: Connection, crew: Crew
) -> None:
    monday = monday_a_week_ahead()
    admin.execute(
        "insert into public.time_off (tenant_id, technician_id, during, reason)"
        " values (%s, %s, %s, 'Dentist')",
        [crew.tenant.id, crew.terry.account_id, Range(at(monday, 12), at(monday, 14))],
    )
    overlapping = visit_at(make, crew, at(monday, 11, 30), 60)
    with acting_as(database, claims_of(crew.dispatcher)) as conn:
        refused = refused_with(
            conn,
            psycopg.errors.CheckViolation,
            lambda: assign(conn, crew, overlapping, crew.terry),
        )
        assert refused == "visit_assignments_not_on_time_off"
        assign(conn, crew, visit_at(make, crew, at(monday, 11), 60), crew.terry)
        assign(conn, crew, visit_at(make, crew, at(monday, 14), 60), crew.terry)


def test_a_removed_member_cannot_be_booked(
    database: Database, make: Factory, admin: Connection, crew: Crew
) -> None:
    admin.execute(
        "update public.memberships set status = 'removed', removed_at = now() where id = %s",
        [crew.tina.membership_id],
    )
    visit = visit_at(make, crew, at(monday_a_week_ahead(), 9))
    with acting_as(database, claims_of(crew.dispatcher)) as conn:
        assert (
            refused_with(
                conn, psycopg.errors.CheckViolation, lambda: assign(conn, crew, visit, crew.tina)
            )
            == "visit_assignments_active_member"
        )


# --- time zones and daylight saving -------------------------------------------------------------


def next_change(zone: ZoneInfo, forward: bool) -> date:
    """The next day on which the clocks go forward (or back) in `zone`."""
    day = datetime.now(zone).date() + timedelta(days=1)
    for _ in range(400):
        before = at(day - timedelta(days=1), 12, zone=zone).utcoffset()
        after = at(day, 12, zone=zone).utcoffset()
        assert before is not None and after is not None
        if after != before and (after > before) == forward:
            return day
        day += timedelta(days=1)
    raise AssertionError(f"{zone} changes no clocks")


def works_every_day(admin: Connection, crew: Crew, technician: Member) -> None:
    for weekday in range(1, 8):
        admin.execute(
            "insert into public.working_hours (tenant_id, technician_id, weekday, starts_at,"
            " ends_at) values (%s, %s, %s, '08:00', '17:00')",
            [crew.tenant.id, technician.account_id, weekday],
        )


@pytest.mark.parametrize("forward", [True, False], ids=["spring forward", "fall back"])
def test_a_shift_is_8_to_5_local_on_both_sides_of_a_clock_change(
    database: Database, admin: Connection, crew: Crew, forward: bool
) -> None:
    works_every_day(admin, crew, crew.terry)
    change = next_change(NEW_YORK, forward)  # a Sunday in New York
    with acting_as(database, claims_of(crew.dispatcher)) as conn:
        shifts = [
            conn.execute(
                "select app.technician_shift(%s, %s, %s) as shift",
                [crew.tenant.id, crew.terry.account_id, day],
            ).fetchone()
            for day in (change - timedelta(days=1), change)
        ]
    before, after = (row["shift"] for row in shifts if row)
    for day, shift in ((change - timedelta(days=1), before), (change, after)):
        assert (shift.lower, shift.upper) == (at(day, 8), at(day, 17))
        assert shift.upper - shift.lower == timedelta(hours=9)
    # The same local hour is an hour earlier in UTC once the clocks went forward.
    shift_in_utc = after.lower.astimezone(UTC).hour - before.lower.astimezone(UTC).hour
    assert shift_in_utc == (-1 if forward else 1)


@pytest.mark.parametrize("forward", [True, False], ids=["spring forward", "fall back"])
def test_a_9am_visit_after_a_clock_change_is_booked_at_9am_local(
    app: Flask, admin: Connection, make: Factory, crew: Crew, forward: bool
) -> None:
    """Booked through the service as a dispatcher reads the clock (Booking.local)."""
    monday = next_change(NEW_YORK, forward) + timedelta(days=1)
    friday = monday - timedelta(days=3)
    visits = {day: visit_at(make, crew, None) for day in (friday, monday)}
    with request_as(app, crew.dispatcher) as commit:
        for day, visit in visits.items():
            booking = Booking.local(NEW_YORK, day, clock(9), 2, 60, [crew.terry.account_id])
            service.book(crew.tenant.id, visit, booking)
        commit()
    stored = {
        day: admin.execute(
            "select window_starts_at as starts from public.visits where id = %s", [visit]
        ).fetchone()
        for day, visit in visits.items()
    }
    utc_hour = {day: row["starts"].astimezone(UTC).hour for day, row in stored.items() if row}
    # 9am EST is 14:00 UTC, 9am EDT 13:00 UTC.
    assert utc_hour == ({friday: 14, monday: 13} if forward else {friday: 13, monday: 14})
    assert all(row and row["starts"].astimezone(NEW_YORK).hour == 9 for row in stored.values())


def test_bookable_windows_start_at_8_local_on_the_days_of_a_clock_change(
    database: Database, admin: Connection, crew: Crew
) -> None:
    works_every_day(admin, crew, crew.terry)
    with acting_as(database, claims_of(crew.dispatcher)) as conn:
        for forward in (True, False):
            change = next_change(NEW_YORK, forward)
            windows = conn.execute(
                "select window_starts_at as starts, technicians"
                " from app.bookable_windows(%s, 'maintenance', 2, 30, 2, %s)",
                [crew.property_id, change - timedelta(days=1)],
            ).fetchall()
            local = [(w["starts"].astimezone(NEW_YORK), w["technicians"]) for w in windows]
            for day in (change - timedelta(days=1), change):
                assert [(t.hour, n) for t, n in local if t.date() == day] == [
                    (8, 1),
                    (10, 1),
                    (12, 1),
                    (14, 1),
                    (16, 1),
                ]


def test_a_company_elsewhere_works_in_its_own_time_zone(
    database: Database, make: Factory, admin: Connection, crew: Crew
) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    admin.execute(
        "update public.tenants set time_zone = 'Europe/Berlin' where id = %s", [crew.tenant.id]
    )
    monday = monday_a_week_ahead(berlin)
    late = visit_at(make, crew, at(monday, 16, 30, berlin))  # 10:30 in New York
    with acting_as(database, claims_of(crew.dispatcher)) as conn:
        shift = conn.execute(
            "select app.technician_shift(%s, %s, %s) as shift",
            [crew.tenant.id, crew.terry.account_id, monday],
        ).fetchone()
        assert shift is not None
        assert (shift["shift"].lower, shift["shift"].upper) == (
            at(monday, 8, zone=berlin),
            at(monday, 17, zone=berlin),
        )
        assign(conn, crew, visit_at(make, crew, at(monday, 8, zone=berlin)), crew.terry)
        assert (
            refused_with(
                conn, psycopg.errors.CheckViolation, lambda: assign(conn, crew, late, crew.terry)
            )
            == OUTSIDE_HOURS
        )
