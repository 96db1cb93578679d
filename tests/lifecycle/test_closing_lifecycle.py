"""P-11 over time, by the database's clock: closed on day 0 (read-only at once), reopenable
until day 30, then due for purge; the owners are emailed the dates; only owners may close."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from flask import Flask

from app import db
from app.db import Connection
from tests.conftest import TestDatabase
from tests.factories import Factory
from tests.lifecycle.closing_support import (
    CLOSED_MESSAGE,
    close_as,
    outcome,
    reopen_as,
    set_clock,
    status_of,
)
from tests.policies.identity import acting_as, claims_of

DAY_0 = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)


def edit_a_customer(database: TestDatabase, claims: dict[str, str], customer_id) -> str:
    with acting_as(database, claims) as conn:
        return outcome(
            conn,
            "update public.customers set first_name = 'Changed' where id = %(c)s",
            {"c": customer_id},
        )


def customers_seen(database: TestDatabase, claims: dict[str, str]) -> int:
    with acting_as(database, claims) as conn:
        row = conn.execute("select count(*) as n from public.customers").fetchone()
    assert row is not None
    return int(row["n"])


def due_for_purge(admin: Connection) -> list:
    """What the purge picks: closed companies whose reopening period has passed."""
    rows = admin.execute(
        "select id from public.tenants where status = 'closed' and purge_after <= app.now()"
    ).fetchall()
    return [row["id"] for row in rows]


@pytest.mark.promise("P-11")
def test_closed_on_day_0_reopened_on_day_29_closed_again_and_due_for_purge_after_day_30(
    database: TestDatabase, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant("Brightside Heating")
    customer = make.customer(tenant.id, "Ada", "Lovelace")
    owner = claims_of(tenant.owner)
    set_clock(admin, DAY_0)

    purge_after = close_as(database, tenant.owner)
    assert purge_after == DAY_0 + timedelta(days=30)
    assert status_of(admin, tenant.id)["closed_at"] == DAY_0
    assert edit_a_customer(database, owner, customer) == "closed"
    assert customers_seen(database, owner) == 1

    set_clock(admin, DAY_0 + timedelta(days=29))
    assert edit_a_customer(database, owner, customer) == "closed"
    reopen_as(database, tenant.owner)
    assert status_of(admin, tenant.id) == {
        "status": "active",
        "closed_at": None,
        "purge_after": None,
        "closed_reason": None,
    }
    assert edit_a_customer(database, owner, customer) == "changed"

    closed_again = DAY_0 + timedelta(days=29, hours=1)
    close_as(database, tenant.owner)
    set_clock(admin, closed_again + timedelta(days=31))
    with pytest.raises(psycopg.Error) as refused:
        reopen_as(database, tenant.owner)
    assert refused.value.sqlstate == db.COMPANY_CLOSED
    assert "can no longer be reopened" in str(refused.value.diag.message_primary)
    assert status_of(admin, tenant.id)["status"] == "closed"
    assert due_for_purge(admin) == [tenant.id]
    assert edit_a_customer(database, owner, customer) == "closed"


@pytest.mark.promise("P-11")
def test_reopening_is_refused_from_the_moment_the_30_days_end(
    database: TestDatabase, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    set_clock(admin, DAY_0)
    close_as(database, tenant.owner)
    set_clock(admin, DAY_0 + timedelta(days=30))
    with pytest.raises(psycopg.Error, match="can no longer be reopened"):
        reopen_as(database, tenant.owner)
    # Not even by writing the row back as it was, through any door.
    with acting_as(database, claims_of(tenant.owner)) as conn:
        assert (
            outcome(
                conn, "update public.tenants set name = name where id = %(t)s", {"t": tenant.id}
            )
            == "closed"
        )


def lifecycle_emails(admin: Connection) -> list[dict]:
    return admin.execute(
        "select tenant_id, kind, to_address, subject, body_text from outbox.messages"
        " where kind in ('company_closed', 'company_reopened') order by kind, to_address"
    ).fetchall()


@pytest.mark.promise("P-11")
def test_every_active_owner_of_the_company_and_no_one_else_is_emailed_the_dates(
    database: TestDatabase, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant("Brightside Heating")
    admin.execute(
        "update public.tenants set time_zone = 'America/Chicago' where id = %s", [tenant.id]
    )
    second_owner = make.member(tenant.id, "owner")
    make.member(tenant.id, "owner", status="removed")
    make.member(tenant.id, "admin")
    make.member(tenant.id, "technician")
    neighbour = make.tenant("Neighbour Cooling")
    set_clock(admin, DAY_0)  # 9:00 AM in Chicago

    close_as(database, tenant.owner)

    sent = lifecycle_emails(admin)
    assert sorted(m["to_address"] for m in sent) == sorted([tenant.owner.email, second_owner.email])
    assert {m["tenant_id"] for m in sent} == {tenant.id}
    assert neighbour.owner.email not in {m["to_address"] for m in sent}
    body = sent[0]["body_text"]
    assert sent[0]["subject"] == "Brightside Heating is closed on Plenum"
    assert "Read-only from: March 1, 2027 at 9:00 AM (America/Chicago)" in body
    assert "Export available until: March 31, 2027 at 10:00 AM (America/Chicago)" in body
    assert "Can be reopened until: March 31, 2027 at 10:00 AM (America/Chicago)" in body
    assert "Data deleted by: April 30, 2027 at 10:00 AM (America/Chicago)" in body

    set_clock(admin, DAY_0 + timedelta(days=3))
    reopen_as(database, second_owner)
    reopened = [m for m in lifecycle_emails(admin) if m["kind"] == "company_reopened"]
    assert sorted(m["to_address"] for m in reopened) == sorted(
        [tenant.owner.email, second_owner.email]
    )
    assert "was reopened on Plenum on March 4, 2027" in reopened[0]["body_text"]


@pytest.mark.promise("P-11")
def test_queued_messages_and_scheduled_campaigns_are_canceled_when_closing(
    database: TestDatabase, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    customer = make.customer(tenant.id, "Ada", "Lovelace")
    admin.execute(
        "insert into public.messages (tenant_id, channel, kind, customer_id, to_address, body,"
        " time_zone) values (%(t)s, 'sms', 'reminder', %(c)s, '+13125550100', 'See you',"
        " 'America/New_York')",
        {"t": tenant.id, "c": customer},
    )
    admin.execute(
        "insert into public.campaigns (tenant_id, name, audience, channel, sms_body, status,"
        " scheduled_at) values (%(t)s, 'Spring', 'no_visit', 'sms', 'Book now', 'scheduled',"
        " now() + interval '1 day')",
        {"t": tenant.id},
    )
    close_as(database, tenant.owner)
    messages = admin.execute(
        "select status from public.messages where tenant_id = %s", [tenant.id]
    ).fetchall()
    campaigns = admin.execute(
        "select status from public.campaigns where tenant_id = %s", [tenant.id]
    ).fetchall()
    assert [m["status"] for m in messages] == ["canceled"]
    assert [c["status"] for c in campaigns] == ["canceled"]


@pytest.mark.promise("P-11")
@pytest.mark.parametrize("role", ["admin", "dispatcher", "office", "technician"])
def test_only_an_owner_may_close_or_reopen(
    database: TestDatabase, admin: Connection, make: Factory, role: str
) -> None:
    tenant = make.tenant("Brightside Heating")
    member = claims_of(make.member(tenant.id, role))
    with (
        acting_as(database, member) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="Only an owner"),
    ):
        conn.execute("select app.close_company('Brightside Heating')")
    close_as(database, tenant.owner)
    with (
        acting_as(database, member) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="Only an owner"),
    ):
        conn.execute("select app.reopen_company()")
    assert status_of(admin, tenant.id)["status"] == "closed"


@pytest.mark.promise("P-11")
def test_a_homeowner_and_another_companys_owner_cannot_close_it(
    database: TestDatabase, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant("Brightside Heating")
    other = make.tenant("Brightside Heating")  # the same name: the company is never an argument
    close_as(database, other.owner)
    assert status_of(admin, tenant.id)["status"] == "active"
    customer = make.customer(tenant.id, "Ada", "Lovelace")
    homeowner = {
        "role": "authenticated",
        "sub": str(customer),
        "tenant_id": str(tenant.id),
        "customer_id": str(customer),
        "portal": True,
    }
    with (
        acting_as(database, homeowner) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("select app.close_company('Brightside Heating')")
    with (
        acting_as(database, {"role": "anon"}) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("select app.close_company('Brightside Heating')")
    with (
        acting_as(database, claims_of(other.owner)) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("select app.close_company_for_platform(%s, 'x')", [tenant.id])
    assert status_of(admin, tenant.id)["status"] == "active"


def test_the_owner_confirms_with_the_company_name(
    database: TestDatabase, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant("Brightside Heating")
    with (
        acting_as(database, claims_of(tenant.owner)) as conn,
        pytest.raises(psycopg.Error, match="Type the company's name"),
    ):
        conn.execute("select app.close_company('Brightside')")
    assert status_of(admin, tenant.id)["status"] == "active"


@pytest.mark.promise("P-11")
def test_the_platform_closes_and_reopens_a_company_from_the_command_line(
    app: Flask, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    make.customer(tenant.id, "Ada", "Lovelace")
    runner = app.test_cli_runner()
    closed = runner.invoke(args=["company", "close", str(tenant.id), "--reason", "Unpaid"])
    assert closed.exit_code == 0, closed.output
    assert status_of(admin, tenant.id)["status"] == "closed"
    assert status_of(admin, tenant.id)["closed_reason"] == "Unpaid"
    actors = admin.execute(
        "select distinct actor_label as actor from audit.changes where tenant_id = %s"
        " and table_name = 'public.tenants' and operation = 'update'",
        [tenant.id],
    ).fetchall()
    assert [a["actor"] for a in actors] == ["system:platform"]
    assert [m["to_address"] for m in lifecycle_emails(admin)] == [tenant.owner.email]

    again = runner.invoke(args=["company", "close", str(tenant.id), "--reason", "Unpaid"])
    assert again.exit_code != 0
    assert "already closed" in again.output

    reopened = runner.invoke(args=["company", "reopen", str(tenant.id)])
    assert reopened.exit_code == 0, reopened.output
    assert status_of(admin, tenant.id)["status"] == "active"


def test_the_closed_message_is_what_the_database_says() -> None:
    assert CLOSED_MESSAGE.startswith("This company is closed")
