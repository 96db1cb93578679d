"""The visit status machine, enforced by the database whoever writes: every status change is
tried as office staff, the allowed ones stamp their time, the others are refused; technicians
may only move their own visits along."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
import pytest

from app.db import Connection
from app.scheduling.service import STATUSES, TRANSITIONS
from tests.conftest import TestDatabase as Database
from tests.factories import Factory, Member, Tenant
from tests.policies.conftest import shared_admin, shared_database, shared_make  # noqa: F401
from tests.policies.identity import acting_as, claims_of, rows_changed

NEW_YORK = ZoneInfo("America/New_York")
TRANSITION = "visits_status_transition"
PROGRESS_ONLY = "visits_technician_progress_only"
# The column each status stamps with the time of the change.
STAMPS = {
    "scheduled": "scheduled_at",
    "dispatched": "dispatched_at",
    "en_route": "en_route_at",
    "on_site": "arrived_at",
    "completed": "completed_at",
    "canceled": "canceled_at",
}
# How the owner's connection brings a new scheduled visit to each status, one legal step at a time.
PATHS = {
    "unscheduled": ["unscheduled"],
    "scheduled": [],
    "dispatched": ["dispatched"],
    "en_route": ["en_route"],
    "on_site": ["en_route", "on_site"],
    "completed": ["en_route", "on_site", "completed"],
    "canceled": ["canceled"],
}
PAIRS = [(a, b) for a, b in itertools.product(STATUSES, STATUSES) if a != b]


def monday_a_week_ahead() -> date:
    today = datetime.now(NEW_YORK).date()
    ahead = (7 - today.weekday()) % 7
    return today + timedelta(days=ahead if ahead >= 7 else ahead + 7)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=NEW_YORK)


@dataclass(frozen=True)
class Company:
    tenant: Tenant
    office: Member
    technicians: tuple[Member, Member]
    property_id: UUID


@pytest.fixture(scope="module")
def company(shared_make: Factory) -> Company:  # noqa: F811
    tenant = shared_make.tenant()
    customer = shared_make.customer(tenant.id, "Ruth", "Alvarez")
    return Company(
        tenant,
        shared_make.member(tenant.id, "office"),
        (
            shared_make.member(tenant.id, "technician"),
            shared_make.member(tenant.id, "technician"),
        ),
        shared_make.property(tenant.id, customer),
    )


_slots = itertools.count()


def visit_in(
    admin: Connection, make: Factory, company: Company, status: str, *technicians: UUID
) -> UUID:
    """A visit brought to `status` by the owner's connection, booked on the first technician
    unless others are named (a visit is dispatched only to someone); each gets its own hour
    next week so that the technicians' bookings never clash."""
    technicians = technicians or (company.technicians[0].account_id,)
    n = next(_slots)
    day = monday_a_week_ahead() + timedelta(weeks=n // 40, days=(n // 8) % 5)
    starts = at(day, 8 + n % 8)
    job = make.job(company.tenant.id, company.property_id)
    visit = make.visit(company.tenant.id, job, starts, technicians=technicians)
    for step in PATHS[status]:
        admin.execute(
            "update public.visits set status = %(status)s,"
            " cancel_reason = case when %(status)s = 'canceled' then 'Customer called'"
            " else cancel_reason end where id = %(id)s",
            {"status": step, "id": visit},
        )
    return visit


def change_status(conn: Connection, visit: UUID, to: str, **extra: Any) -> dict[str, Any]:
    """Set the status (and, where the change needs them, a window or a reason) by UPDATE."""
    values = {"status": to, "reason": "", "window": None} | extra
    row = conn.execute(
        "update public.visits set status = %(status)s,"
        " cancel_reason = case when %(status)s = 'canceled' then %(reason)s else cancel_reason end,"
        " window_starts_at = coalesce(%(window)s, window_starts_at),"
        " window_ends_at = coalesce(%(window)s + interval '2 hours', window_ends_at)"
        " where id = %(id)s returning *, now() as stamped_now",
        {**values, "id": visit},
    ).fetchone()
    assert row is not None
    return row


def refusal(conn: Connection, visit: UUID, to: str, **extra: Any) -> tuple[str, str | None]:
    """The SQLSTATE and constraint with which the database refused a status change."""
    try:
        with conn.transaction():
            change_status(conn, visit, to, **extra)
    except psycopg.Error as error:
        return str(error.sqlstate), error.diag.constraint_name
    raise AssertionError(f"the change to {to} was accepted")


def needs(from_status: str, to: str) -> dict[str, Any]:
    """What a legal change must carry besides the status."""
    if to == "canceled":
        return {"reason": "Customer found the breaker tripped"}
    if from_status == "unscheduled" and to == "scheduled":
        return {"window": at(monday_a_week_ahead() + timedelta(days=4), 15)}
    return {}


# --- one list of allowed changes ---------------------------------------------------------------


def test_the_app_and_the_database_allow_the_same_changes(shared_admin: Connection) -> None:  # noqa: F811
    allowed_in_db = {
        (row["a"], row["b"])
        for row in shared_admin.execute(
            "select a, b from unnest(%(s)s::text[]) a, unnest(%(s)s::text[]) b"
            " where app.visit_status_allowed(a, b)",
            {"s": list(STATUSES)},
        )
    }
    in_python = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert allowed_in_db == in_python
    assert set(TRANSITIONS) == set(STATUSES)


# --- every change tried by office staff ---------------------------------------------------------


@pytest.mark.parametrize(("from_status", "to"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_each_status_change_is_allowed_or_refused_by_the_database(
    shared_database: Database,  # noqa: F811
    shared_admin: Connection,  # noqa: F811
    shared_make: Factory,  # noqa: F811
    company: Company,
    from_status: str,
    to: str,
) -> None:
    visit = visit_in(shared_admin, shared_make, company, from_status)
    with acting_as(shared_database, claims_of(company.office)) as conn:
        if to not in TRANSITIONS[from_status]:
            assert refusal(conn, visit, to, **needs(from_status, to)) == ("23514", TRANSITION)
            return
        row = change_status(conn, visit, to, **needs(from_status, to))
    assert row["status"] == to
    if to == "unscheduled":
        assert (row["window_starts_at"], row["window_ends_at"]) == (None, None)
    else:
        assert row[STAMPS[to]] == row["stamped_now"]  # the time of the change, set by the database
        # Only a visit canceled straight from the queue never had a window.
        assert (row["window_starts_at"] is None) == (
            (from_status, to) == ("unscheduled", "canceled")
        )


def test_a_status_set_again_is_no_change(
    shared_database: Database,  # noqa: F811
    shared_admin: Connection,  # noqa: F811
    shared_make: Factory,  # noqa: F811
    company: Company,
) -> None:
    visit = visit_in(shared_admin, shared_make, company, "completed")
    with acting_as(shared_database, claims_of(company.office)) as conn:
        before = conn.execute("select completed_at from public.visits where id = %s", [visit])
        completed_at = before.fetchone()
        row = change_status(conn, visit, "completed")
    assert completed_at is not None and row["completed_at"] == completed_at["completed_at"]


def test_a_new_visit_starts_unscheduled_or_scheduled(
    shared_database: Database,  # noqa: F811
    shared_make: Factory,  # noqa: F811
    company: Company,
) -> None:
    job = shared_make.job(company.tenant.id, company.property_id)
    with acting_as(shared_database, claims_of(company.office)) as conn:
        for status in ("dispatched", "en_route", "completed"):
            with pytest.raises(psycopg.errors.CheckViolation) as refused, conn.transaction():
                conn.execute(
                    "insert into public.visits (tenant_id, job_id, status, window_starts_at,"
                    " window_ends_at) values (%(t)s, %(job)s, %(status)s, now(), now())",
                    {"t": company.tenant.id, "job": job, "status": status},
                )
            assert refused.value.diag.constraint_name == TRANSITION


def test_a_canceled_visit_needs_a_reason(
    shared_database: Database,  # noqa: F811
    shared_admin: Connection,  # noqa: F811
    shared_make: Factory,  # noqa: F811
    company: Company,
) -> None:
    visit = visit_in(shared_admin, shared_make, company, "scheduled")
    with acting_as(shared_database, claims_of(company.office)) as conn:
        for blank in ("", "   "):
            assert refusal(conn, visit, "canceled", reason=blank) == (
                "23514",
                "visits_canceled_has_reason",
            )
        assert change_status(conn, visit, "canceled", reason="Moved away")["canceled_at"]


def test_unscheduling_clears_the_window_and_frees_the_technician(
    shared_database: Database,  # noqa: F811
    shared_admin: Connection,  # noqa: F811
    shared_make: Factory,  # noqa: F811
    company: Company,
) -> None:
    technician = company.technicians[0].account_id
    visit = visit_in(shared_admin, shared_make, company, "dispatched", technician)
    with acting_as(shared_database, claims_of(company.office)) as conn:
        assert refusal(conn, visit, "unscheduled") == ("23514", TRANSITION)  # dispatched: not yet
        change_status(conn, visit, "scheduled")
        row = change_status(conn, visit, "unscheduled")
        booked = conn.execute(
            "select booked from public.visit_assignments where visit_id = %s", [visit]
        ).fetchall()
    assert (row["window_starts_at"], row["window_ends_at"]) == (None, None)
    assert booked == [{"booked": None}]  # still assigned, but no longer holding the time


def test_a_visit_under_way_cannot_be_rescheduled(
    shared_database: Database,  # noqa: F811
    shared_admin: Connection,  # noqa: F811
    shared_make: Factory,  # noqa: F811
    company: Company,
) -> None:
    for status in ("en_route", "on_site", "completed", "canceled"):
        visit = visit_in(shared_admin, shared_make, company, status)
        with (
            acting_as(shared_database, claims_of(company.office)) as conn,
            pytest.raises(psycopg.errors.CheckViolation) as refused,
        ):
            conn.execute(
                "update public.visits set window_starts_at = window_starts_at + interval '1 day',"
                " window_ends_at = window_ends_at + interval '1 day' where id = %s",
                [visit],
            )
        assert refused.value.diag.constraint_name == TRANSITION, status


# --- technicians move their own visits along, nothing more --------------------------------------


def test_a_technician_moves_their_visit_along_to_completed(
    shared_database: Database,  # noqa: F811
    shared_admin: Connection,  # noqa: F811
    shared_make: Factory,  # noqa: F811
    company: Company,
) -> None:
    technician = company.technicians[0]
    visit = visit_in(shared_admin, shared_make, company, "dispatched", technician.account_id)
    with acting_as(shared_database, claims_of(technician)) as conn:
        for to in ("en_route", "on_site", "completed"):
            row = change_status(conn, visit, to)
            assert (row["status"], row[STAMPS[to]]) == (to, row["stamped_now"])


@pytest.mark.parametrize(
    ("change", "values"),
    [
        ("reschedule", {"window": "tomorrow"}),
        ("mark dispatched", {"status": "dispatched"}),
        ("cancel", {"status": "canceled", "reason": "Running late"}),
        ("unschedule", {"status": "unscheduled"}),
        ("longer visit", {"minutes": 240}),
    ],
)
def test_a_technician_cannot_plan_their_own_visit(
    shared_database: Database,  # noqa: F811
    shared_admin: Connection,  # noqa: F811
    shared_make: Factory,  # noqa: F811
    company: Company,
    change: str,
    values: dict[str, Any],
) -> None:
    technician = company.technicians[0]
    visit = visit_in(shared_admin, shared_make, company, "scheduled", technician.account_id)
    with (
        acting_as(shared_database, claims_of(technician)) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege) as refused,
    ):
        conn.execute(
            "update public.visits set status = coalesce(%(status)s, status),"
            " cancel_reason = coalesce(%(reason)s, cancel_reason),"
            " duration_minutes = coalesce(%(minutes)s, duration_minutes),"
            " window_starts_at = case when %(window)s::text is null then window_starts_at"
            " else window_starts_at + interval '1 day' end,"
            " window_ends_at = case when %(window)s::text is null then window_ends_at"
            " else window_ends_at + interval '1 day' end"
            " where id = %(id)s",
            {"status": None, "reason": None, "minutes": None, "window": None}
            | values
            | {"id": visit},
        )
    assert refused.value.sqlstate == "42501"
    assert refused.value.diag.constraint_name == PROGRESS_ONLY


def test_a_technician_cannot_touch_another_technicians_visit(
    shared_database: Database,  # noqa: F811
    shared_admin: Connection,  # noqa: F811
    shared_make: Factory,  # noqa: F811
    company: Company,
) -> None:
    mine, theirs = company.technicians
    visit = visit_in(shared_admin, shared_make, company, "scheduled", theirs.account_id)
    with acting_as(shared_database, claims_of(mine)) as conn:
        for to in ("en_route", "on_site", "completed"):
            changed = rows_changed(
                conn,
                "update public.visits set status = %(to)s where id = %(id)s",
                {"to": to, "id": visit},
            )
            assert changed == 0, to
    status = shared_admin.execute("select status from public.visits where id = %s", [visit])
    assert status.fetchone() == {"status": "scheduled"}
