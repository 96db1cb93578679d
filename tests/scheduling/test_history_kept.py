"""What the office cannot undo by hand: a booking outside the rules stands only on an
emergency and only office staff give or take it back; a visit under way, done or canceled, and
a job that has one, are removed only by an owner or an admin. Checked in the database, as the
members' own connections (the policies and triggers are the boundary, not the pages)."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
import pytest

from app.db import Connection
from tests.conftest import TestDatabase
from tests.factories import Factory, Member, Tenant
from tests.policies.identity import acting_as, claims_of

ZONE = ZoneInfo("America/New_York")


def next_monday_at(hour: int) -> datetime:
    today = datetime.now(ZONE).date()
    return datetime.combine(today + timedelta(days=7 - today.weekday()), time(hour), tzinfo=ZONE)


def refusal_of(database: TestDatabase, actor: Member, statement: str, args: list[object]) -> str:
    """'' when the statement changed a row as the actor, else the constraint that refused it
    ('none' when nothing was changed)."""
    with acting_as(database, claims_of(actor)) as conn:
        try:
            return "" if conn.execute(statement, args).rowcount else "none"
        except psycopg.errors.IntegrityError as refusal:
            return refusal.diag.constraint_name or "refused"


@pytest.fixture
def overtime(make: Factory, admin: Connection) -> tuple[Tenant, Member, Member, UUID, UUID]:
    """An emergency booked at 7 PM (after Terry's day) as overtime, by a dispatcher."""
    tenant = make.tenant()
    admin.execute("update public.tenants set time_zone = %s where id = %s", [ZONE.key, tenant.id])
    terry = make.member(tenant.id, "technician")
    dispatcher = make.member(tenant.id, "dispatcher")
    job = make.job(tenant.id, make.property(tenant.id, make.customer(tenant.id)))
    admin.execute("update public.jobs set priority = 'emergency' where id = %s", [job])
    visit = make.visit(tenant.id, job)
    starts = next_monday_at(19)
    with admin.transaction():  # as the dispatcher, so that the override is the office's
        admin.execute(
            "select set_config('request.jwt.claims', %s, true),"
            " set_config('role', 'authenticated', true)",
            [json.dumps(claims_of(dispatcher))],
        )
        admin.execute(
            "update public.visits set window_starts_at = %s, window_ends_at = %s,"
            " status = 'scheduled', booking_override = 'overtime',"
            " booking_override_reason = 'No heat, Terry stays late' where id = %s",
            [starts, starts + timedelta(hours=2), visit],
        )
        admin.execute(
            "insert into public.visit_assignments (tenant_id, visit_id, technician_id)"
            " values (%s, %s, %s)",
            [tenant.id, visit, terry.account_id],
        )
    return tenant, terry, dispatcher, job, visit


def test_a_technician_cannot_take_back_the_reason_of_an_overtime_booking(
    database: TestDatabase, overtime: tuple[Tenant, Member, Member, UUID, UUID]
):
    _, terry, dispatcher, _, visit = overtime
    clear = (
        "update public.visits set booking_override = '', booking_override_reason = '' where id = %s"
    )

    assert refusal_of(database, terry, clear, [visit]) == "visits_override_office_only"
    assert refusal_of(database, dispatcher, clear, [visit]) == ""  # the office may


def test_a_job_no_longer_an_emergency_cannot_move_its_overtime_booking(
    database: TestDatabase, admin: Connection, overtime: tuple[Tenant, Member, Member, UUID, UUID]
):
    _, _, dispatcher, job, visit = overtime
    later = "update public.visits set window_starts_at = window_starts_at + interval '1 hour',"
    later += " window_ends_at = window_ends_at + interval '1 hour' where id = %s"

    assert refusal_of(database, dispatcher, later, [visit]) == ""  # still an emergency
    admin.execute("update public.jobs set priority = 'normal' where id = %s", [job])
    assert refusal_of(database, dispatcher, later, [visit]) == "visits_override_emergency_only"


@pytest.mark.parametrize(
    ("status", "dispatcher_may"),
    [("scheduled", True), ("completed", False), ("canceled", False)],
)
def test_visit_history_is_removed_only_by_a_manager(
    make: Factory, admin: Connection, database: TestDatabase, status: str, dispatcher_may: bool
):
    tenant = make.tenant()
    dispatcher = make.member(tenant.id, "dispatcher")
    terry = make.member(tenant.id, "technician")
    job = make.job(tenant.id, make.property(tenant.id, make.customer(tenant.id)))
    visit = make.visit(tenant.id, job, next_monday_at(10), technicians=(terry.account_id,))
    steps = {
        "scheduled": [],
        "completed": ["dispatched", "en_route", "on_site", "completed"],
        "canceled": ["canceled"],
    }[status]
    for step in steps:
        admin.execute(
            "update public.visits set status = %s, cancel_reason = %s where id = %s",
            [step, "Fixed it themselves" if step == "canceled" else "", visit],
        )

    for key, statement in (
        (visit, "delete from public.visits where id = %s"),
        (job, "delete from public.jobs where id = %s"),
    ):
        assert (refusal_of(database, dispatcher, statement, [key]) == "") == dispatcher_may
        assert refusal_of(database, tenant.owner, statement, [key]) == ""
