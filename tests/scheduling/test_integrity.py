"""What a finished visit, a moved visit and a maintenance plan may no longer become: a signed
visit is final, a move undoes the dispatch, a visit is dispatched only to someone, plans do
not generate the past, and Python's times agree with the database's across a clock change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
import pytest
from flask import Flask

from app.db import Connection
from app.scheduling import service
from app.scheduling.service import Booking, elapsed
from tests.conftest import TestDatabase
from tests.factories import Factory, Member, Tenant
from tests.policies.identity import acting_as, claims_of, rows_changed
from tests.scheduling.test_bookings import request_as

NEW_YORK = ZoneInfo("America/New_York")


def next_weekday(after_days: int = 7) -> date:
    day = datetime.now(NEW_YORK).date() + timedelta(days=after_days)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return day


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), NEW_YORK)


def status_of(admin: Connection, visit: UUID) -> str:
    row = admin.execute("select status from public.visits where id = %s", [visit]).fetchone()
    assert row is not None
    return str(row["status"])


@pytest.fixture
def tenant(make: Factory) -> Tenant:
    return make.tenant("Integrity Air")


@pytest.fixture
def terry(make: Factory, tenant: Tenant) -> Member:
    return make.member(tenant.id, "technician")


@pytest.fixture
def job(make: Factory, tenant: Tenant) -> UUID:
    return make.job(tenant.id, make.property(tenant.id, make.customer(tenant.id)))


def finish(admin: Connection, visit: UUID, notes: str = "Replaced the igniter") -> None:
    for status in ("en_route", "on_site"):
        admin.execute("update public.visits set status = %s where id = %s", [status, visit])
    admin.execute(
        "update public.visits set status = 'completed', completion_notes = %s,"
        " signed_by = 'Ruth Alvarez' where id = %s",
        [notes, visit],
    )


def test_a_completed_visit_keeps_its_notes_and_signer_whoever_asks(
    database: TestDatabase, admin: Connection, make: Factory, tenant: Tenant, terry: Member, job
):
    visit = make.visit(tenant.id, job, at(next_weekday(), 9), technicians=(terry.account_id,))
    finish(admin, visit)

    for who in (tenant.owner, terry):
        with acting_as(database, claims_of(who)) as conn, pytest.raises(psycopg.Error) as refused:
            conn.execute(
                "update public.visits set signed_by = 'Someone Else' where id = %s", [visit]
            )
        assert refused.value.diag.constraint_name in (
            "visits_finished_is_final",
            "visits_technician_progress_only",
        )
    row = admin.execute(
        "select signed_by, completion_notes from public.visits where id = %s", [visit]
    ).fetchone()
    assert row == {"signed_by": "Ruth Alvarez", "completion_notes": "Replaced the igniter"}


def test_a_technician_writes_notes_only_when_completing(
    database: TestDatabase, admin: Connection, make: Factory, tenant: Tenant, terry: Member, job
):
    visit = make.visit(tenant.id, job, at(next_weekday(), 9), technicians=(terry.account_id,))
    admin.execute("update public.visits set status = 'en_route' where id = %s", [visit])

    with acting_as(database, claims_of(terry)) as conn:
        early = rows_changed(
            conn,
            "update public.visits set completion_notes = 'All done' where id = %(v)s",
            {"v": visit},
        )
        conn.execute("update public.visits set status = 'on_site' where id = %s", [visit])
        completed = rows_changed(
            conn,
            "update public.visits set status = 'completed', completion_notes = 'All done',"
            " signed_by = 'Ruth' where id = %(v)s",
            {"v": visit},
        )

    assert early is None  # refused: notes belong to the completion
    assert completed == 1


def test_a_technician_cannot_remove_the_customers_signature(
    database: TestDatabase, admin: Connection, make: Factory, tenant: Tenant, terry: Member, job
):
    visit = make.visit(tenant.id, job, at(next_weekday(), 9), technicians=(terry.account_id,))
    finish(admin, visit)
    files = {}
    for kind in ("signature", "photo"):
        row = admin.execute(
            "insert into public.visit_files (tenant_id, visit_id, kind, storage_key,"
            " content_type, byte_size, uploaded_by) values (%s, %s, %s, %s, 'image/png', 10, %s)"
            " returning id",
            [tenant.id, visit, kind, f"{tenant.id}/visits/{visit}/{kind}.png", terry.account_id],
        ).fetchone()
        assert row is not None
        files[kind] = row["id"]

    with acting_as(database, claims_of(terry)) as conn:
        signature = rows_changed(
            conn, "delete from public.visit_files where id = %(f)s", {"f": files["signature"]}
        )
        photo = rows_changed(
            conn, "delete from public.visit_files where id = %(f)s", {"f": files["photo"]}
        )

    assert signature == 0
    assert photo == 1


def test_deleted_files_are_queued_for_removal(
    admin: Connection, make: Factory, tenant: Tenant, terry: Member, job
):
    visit = make.visit(tenant.id, job, at(next_weekday(), 9), technicians=(terry.account_id,))
    key = f"{tenant.id}/visits/{visit}/photo.jpg"
    admin.execute(
        "insert into public.visit_files (tenant_id, visit_id, kind, storage_key, content_type,"
        " byte_size) values (%s, %s, 'photo', %s, 'image/jpeg', 10)",
        [tenant.id, visit, key],
    )

    admin.execute("delete from public.tenants where id = %s", [tenant.id])

    queued = admin.execute("select storage_key from app.discarded_files").fetchall()
    assert {"storage_key": key} in queued


@pytest.mark.parametrize(("redispatch", "status"), [(False, "scheduled"), (True, "dispatched")])
def test_a_moved_dispatched_visit_stays_dispatched_or_is_scheduled_again_as_chosen(
    app: Flask,
    admin: Connection,
    make: Factory,
    tenant: Tenant,
    terry: Member,
    job,
    redispatch: bool,
    status: str,
):
    tina = make.member(tenant.id, "technician")
    day = next_weekday()
    visit = make.visit(tenant.id, job, at(day, 9), technicians=(terry.account_id,))
    admin.execute("update public.visits set status = 'dispatched' where id = %s", [visit])
    moved = Booking.local(NEW_YORK, day, time(13), 2, 60, [tina.account_id])

    with request_as(app, tenant.owner) as succeed:
        with pytest.raises(service.RedispatchNeeded):  # never assumed
            service.book(tenant.id, visit, moved)
        service.book(tenant.id, visit, moved, redispatch)
        succeed()

    assert status_of(admin, visit) == status


def test_a_visit_with_nobody_on_it_is_not_dispatched(
    app: Flask, admin: Connection, make: Factory, tenant: Tenant, job
):
    visit = make.visit(tenant.id, job, at(next_weekday(), 9))

    with request_as(app, tenant.owner), pytest.raises(service.SchedulingRefused) as refused:
        service.move(tenant.id, visit, "dispatched")

    assert "Book a technician" in refused.value.message
    assert status_of(admin, visit) == "scheduled"


def test_a_plan_started_years_ago_generates_from_this_month(
    admin: Connection, make: Factory, tenant: Tenant
):
    place = make.property(tenant.id, make.customer(tenant.id))
    admin.execute(
        "insert into public.service_agreements (tenant_id, customer_id, property_id, name,"
        " months, starts_on) select tenant_id, customer_id, id, 'Old Club', '{1,2,3,4,5,6,7,8,"
        "9,10,11,12}', date '2019-01-01' from public.properties where id = %s",
        [place],
    )

    admin.execute("select app.generate_maintenance_jobs(%s, current_date + 60)", [tenant.id])

    due = [
        row["due_on"]
        for row in admin.execute(
            "select due_on from public.jobs where tenant_id = %s order by due_on", [tenant.id]
        )
    ]
    this_month = datetime.now(NEW_YORK).date().replace(day=1)
    assert due and due[0] == this_month
    assert len(due) <= 3  # this month and the next two at most, never seven years of them


def test_python_adds_real_time_across_the_fall_back_change():
    """1:30am on the night clocks go back, plus an hour, is 1:30am again (the second one), as
    in PostgreSQL; wall-clock arithmetic would say 2:30am."""
    fall_back = _next_change(NEW_YORK, longer=True)
    moment = datetime.combine(fall_back, time(1, 30), NEW_YORK)

    later = elapsed(moment, timedelta(hours=1))

    assert later.astimezone(UTC) - moment.astimezone(UTC) == timedelta(hours=1)
    assert (later.hour, later.minute, later.fold) == (1, 30, 1)


def _next_change(zone: ZoneInfo, longer: bool) -> date:
    """The next day whose local length is 25 hours (longer) or 23."""
    day = datetime.now(zone).date()
    for _ in range(400):
        day += timedelta(days=1)
        start = datetime.combine(day, time(), zone)
        end = datetime.combine(day + timedelta(days=1), time(), zone)
        hours = (end.astimezone(UTC) - start.astimezone(UTC)) / timedelta(hours=1)
        if hours == (25 if longer else 23):
            return day
    raise AssertionError("no clock change within a year")
