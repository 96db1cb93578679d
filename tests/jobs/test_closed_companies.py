"""P-11: the worker leaves a closed company's work alone (it is read-only), does the open
companies' work beside it, and no job fails for it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from app.db import Connection
from tests.conftest import TestDatabase
from tests.factories import Factory, Tenant
from tests.imports.support import make_import
from tests.jobs.test_worker import run_the_worker_once
from tests.lifecycle.closing_support import close_as


def due_work(make: Factory, admin: Connection, tenant: Tenant) -> UUID:
    """A company with work of each kind due: a plan's tune-ups to make, an address to place, a
    campaign to send, a visit to remind of tomorrow, a customer import confirmed. Returns the
    property."""
    customer = make.customer(
        tenant.id, "Ada", "Lovelace", email=f"ada.{tenant.id}@example.com", phone="+13125550101"
    )
    home = make.property(tenant.id, customer)
    make.agreement(tenant.id, home, months=tuple(range(1, 13)))
    job = make.job(tenant.id, home)
    make.visit(tenant.id, job, datetime.now(UTC) + timedelta(hours=30))  # its reminder is due
    imported = make_import(admin, tenant.id)
    admin.execute(
        "update public.customer_imports set status = 'queued', confirmed_by = %(by)s,"
        " queued_at = now() where id = %(id)s",
        {"by": tenant.owner.account_id, "id": imported},
    )
    return home


def schedule_campaign(admin: Connection, tenant_id: UUID) -> None:
    admin.execute(
        "insert into public.campaigns (tenant_id, name, audience, channel, email_subject,"
        " email_body, status, scheduled_at) values (%(t)s, 'Spring', 'no_visit', 'email',"
        " 'Spring tune-up', 'Book now', 'scheduled', now() - interval '1 minute')",
        {"t": tenant_id},
    )


def company_changes(admin: Connection, tenant_id: UUID, since: object) -> list[str]:
    rows = admin.execute(
        "select distinct table_name from audit.changes where tenant_id = %(t)s"
        " and changed_at > %(since)s and table_name like 'public.%%'"
        " and operation in ('insert', 'update', 'delete')",
        {"t": tenant_id, "since": since},
    ).fetchall()
    return sorted(row["table_name"] for row in rows)


def one(admin: Connection, query: str, tenant_id: UUID) -> int:
    row = admin.execute(query, [tenant_id]).fetchone()
    assert row is not None
    return int(row["n"])


@pytest.mark.promise("P-11")
def test_a_sweep_does_the_open_companys_work_and_leaves_the_closed_one_alone(
    database: TestDatabase, admin: Connection, make: Factory
) -> None:
    closed, open_ = make.tenant("Closed Heating"), make.tenant("Open Cooling")
    due_work(make, admin, closed)
    due_work(make, admin, open_)
    close_as(database, closed.owner)
    # Work that could only be there if something slipped past the closing: due all the same.
    schedule_campaign(admin, closed.id)
    schedule_campaign(admin, open_.id)
    closed_at = admin.execute(
        "select clock_timestamp() - interval '1 millisecond' as at"
    ).fetchall()
    since = closed_at[0]["at"]

    result = run_the_worker_once(database)

    assert result.returncode == 0, result.stderr
    assert " failed " not in result.stderr
    assert company_changes(admin, closed.id, since) == []
    jobs_made = (
        "select count(*) as n from public.jobs where tenant_id = %s and kind = 'maintenance'"
    )
    assert one(admin, jobs_made, open_.id) > 0
    assert one(admin, jobs_made, closed.id) == 0
    waiting = (
        "select count(*) as n from public.customer_imports where tenant_id = %s"
        " and status = 'queued'"
    )
    assert one(admin, waiting, closed.id) == 1
    assert one(admin, waiting, open_.id) == 0
    scheduled = (
        "select count(*) as n from public.campaigns where tenant_id = %s and status = 'scheduled'"
    )
    assert one(admin, scheduled, closed.id) == 1
    assert one(admin, scheduled, open_.id) == 0
    placed = (
        "select count(*) as n from public.properties where tenant_id = %s"
        " and geocode_status <> 'pending'"
    )
    assert one(admin, placed, closed.id) == 0
    assert "public.properties" in company_changes(admin, open_.id, since - timedelta(days=1))
