"""The jobs worker makes every company's tune-up jobs 60 days ahead, once each."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from psycopg_pool import ConnectionPool

from app.db import Connection
from jobs import REGISTRY
from jobs.maintenance_jobs import sweep
from tests.factories import Factory


def database_today(admin: Connection) -> date:
    """The date the sweep counts from: the database's."""
    row = admin.execute("select current_date as today").fetchone()
    assert row is not None
    return row["today"]


def plan(admin: Connection, make: Factory, tenant_id: UUID, months: list[int]) -> UUID:
    customer = make.customer(tenant_id)
    place = make.property(tenant_id, customer)
    row = admin.execute(
        "insert into public.service_agreements (tenant_id, customer_id, property_id, name,"
        " months, starts_on) values (%s, %s, %s, 'Comfort Club', %s::smallint[], %s)"
        " returning id",
        [tenant_id, customer, place, months, database_today(admin).replace(day=1)],
    ).fetchone()
    assert row is not None
    return row["id"]


def jobs_of(admin: Connection, agreement_id: UUID) -> list[tuple[date, str]]:
    rows = admin.execute(
        "select j.due_on, v.status from public.jobs j join public.visits v on v.job_id = j.id"
        " where j.agreement_id = %s order by j.due_on",
        [agreement_id],
    ).fetchall()
    return [(row["due_on"], row["status"]) for row in rows]


def test_every_company_gets_its_jobs_and_a_second_run_makes_none(
    pool: ConnectionPool, admin: Connection, make: Factory
):
    this_month = database_today(admin).replace(day=1)
    far_month = (this_month + timedelta(days=31 * 4)).month  # beyond the 60 days
    ours = plan(admin, make, make.tenant().id, [this_month.month, far_month])
    theirs = plan(admin, make, make.tenant().id, [this_month.month])

    first, second = sweep(pool), sweep(pool)

    assert (first, second) == (2, 0)
    assert jobs_of(admin, ours) == [(this_month, "unscheduled")]
    assert jobs_of(admin, theirs) == [(this_month, "unscheduled")]


def test_a_canceled_plan_gets_no_more_jobs(pool: ConnectionPool, admin: Connection, make: Factory):
    agreement = plan(admin, make, make.tenant().id, [database_today(admin).month])
    admin.execute(
        "update public.service_agreements set status = 'canceled' where id = %s", [agreement]
    )

    assert sweep(pool) == 0
    assert jobs_of(admin, agreement) == []


def test_the_job_is_registered_with_the_worker():
    assert REGISTRY["maintenance_jobs"].sweep is sweep
