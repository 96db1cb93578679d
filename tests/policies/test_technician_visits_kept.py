"""app.technician_visits, what the technician helpers read, is kept by triggers: after every
kind of change that moves what a technician may see (booking, rescheduling, moving along,
completing, canceling, unassigning, reassigning, deleting), it holds exactly what a rebuild from
the assignments, visits and jobs gives; a job cannot move to another customer or property. The
helpers' rules on top of it are covered by test_technician_access (P-02)."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import time as clock
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
import pytest

from app.db import Connection
from tests.factories import Factory

pytestmark = pytest.mark.promise("P-02")

NEW_YORK = ZoneInfo("America/New_York")
FROM_SCRATCH = """
select a.tenant_id, a.visit_id, a.technician_id, a.booked, v.status, v.completed_at, v.job_id,
       j.customer_id, j.property_id
  from public.visit_assignments a
  join public.visits v on v.tenant_id = a.tenant_id and v.id = a.visit_id
  join public.jobs j on j.tenant_id = v.tenant_id and j.id = v.job_id
 where a.tenant_id = %(t)s
 order by 2, 3
"""
KEPT = """
select tenant_id, visit_id, technician_id, booked, status, completed_at, job_id, customer_id,
       property_id
  from app.technician_visits where tenant_id = %(t)s
 order by 2, 3
"""


def kept_as_rebuilt(admin: Connection, tenant: UUID) -> list[dict]:
    kept = admin.execute(KEPT, {"t": tenant}).fetchall()
    assert kept == admin.execute(FROM_SCRATCH, {"t": tenant}).fetchall()
    return kept


def weekday(days_from_today: int, hour: int) -> datetime:
    day = datetime.now(NEW_YORK).date() + timedelta(days=days_from_today)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return datetime.combine(day, clock(hour), tzinfo=NEW_YORK)


def test_every_change_is_kept(admin: Connection, make: Factory) -> None:
    tenant = make.tenant()
    terry = make.member(tenant.id, "technician").account_id
    tina = make.member(tenant.id, "technician").account_id
    customer = make.customer(tenant.id)
    home = make.property(tenant.id, customer)
    other_customer = make.customer(tenant.id, "Pat", "Other")
    cabin = make.property(tenant.id, other_customer)
    job = make.job(tenant.id, home)
    visit = make.visit(tenant.id, job, weekday(3, 9), technicians=(terry,))
    second = make.visit(tenant.id, job, weekday(4, 9), technicians=(terry, tina))
    unscheduled = make.visit(tenant.id, job)
    make.assign(tenant.id, unscheduled, tina)
    assert len(kept_as_rebuilt(admin, tenant.id)) == 4

    def change(statement: str, *params: object) -> list[dict]:
        admin.execute(statement, params)
        return kept_as_rebuilt(admin, tenant.id)

    # rescheduled: the bookings move with the visit
    before = {r["visit_id"]: r["booked"] for r in kept_as_rebuilt(admin, tenant.id)}
    rows = change(
        "update public.visits set window_starts_at = window_starts_at + interval '7 days',"
        " window_ends_at = window_ends_at + interval '7 days' where id = %s",
        visit,
    )
    assert next(r for r in rows if r["visit_id"] == visit)["booked"] != before[visit]
    # moved along and completed
    for status in ("dispatched", "en_route", "on_site", "completed"):
        change("update public.visits set status = %s where id = %s", status, visit)
    rows = change(
        "update public.visits set completed_at = now() - interval '40 days' where id = %s", visit
    )
    assert next(r for r in rows if r["visit_id"] == visit)["status"] == "completed"
    # canceled
    rows = change(
        "update public.visits set status = 'canceled', cancel_reason = 'No access' where id = %s",
        second,
    )
    assert {r["status"] for r in rows if r["visit_id"] == second} == {"canceled"}
    # unassigned, reassigned
    change(
        "delete from public.visit_assignments where visit_id = %s and technician_id = %s",
        second,
        tina,
    )
    rows = change(
        "update public.visit_assignments set technician_id = %s where visit_id = %s",
        terry,
        unscheduled,
    )
    pairs = {(r["visit_id"], r["technician_id"]) for r in rows}
    assert (second, tina) not in pairs and (unscheduled, terry) in pairs
    # a job stays with its customer and property (what is kept could not follow a move made
    # while a visit is added to the job in another transaction)
    with (
        pytest.raises(psycopg.errors.CheckViolation, match="stays with the customer"),
        admin.transaction(),
    ):
        admin.execute(
            "update public.jobs set customer_id = %s, property_id = %s where id = %s",
            [other_customer, cabin, job],
        )
    kept_as_rebuilt(admin, tenant.id)
    # a visit deleted, then the job with the rest
    rows = change("delete from public.visits where id = %s", unscheduled)
    assert unscheduled not in {r["visit_id"] for r in rows}
    assert change("delete from public.jobs where id = %s", job) == []


def test_a_rebuild_gives_what_was_kept(admin: Connection, make: Factory) -> None:
    tenant = make.tenant()
    terry = make.member(tenant.id, "technician").account_id
    job = make.job(tenant.id, make.property(tenant.id, make.customer(tenant.id)))
    make.visit(tenant.id, job, weekday(2, 9), technicians=(terry,))
    kept = kept_as_rebuilt(admin, tenant.id)
    admin.execute("select app.technician_visits_rebuild()")
    assert admin.execute(KEPT, {"t": tenant.id}).fetchall() == kept


def test_no_member_reads_or_writes_it(admin: Connection) -> None:
    grants = admin.execute(
        "select grantee, privilege_type from information_schema.role_table_grants"
        " where table_schema = 'app' and table_name = 'technician_visits'"
        " and grantee in ('anon', 'authenticated', 'service_role', 'public')"
        " order by 1, 2"
    ).fetchall()
    # Only the worker as the service role: the company's export (P-09) reads it, the purge of a
    # closed company (jobs/purge.py) deletes its rows.
    assert [(g["grantee"], g["privilege_type"]) for g in grants] == [
        ("service_role", "DELETE"),
        ("service_role", "SELECT"),
        ("service_role", "UPDATE"),
    ]
