"""The message log: on the customer's timeline, on the office's page (search, filters, pages) and
in its CSV file; kept three years by the database clock, then deleted (P-12)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from uuid import UUID

import pytest
from flask import Flask
from psycopg_pool import ConnectionPool

from app.db import Connection
from app.messaging.outgoing import Draft, queue
from jobs import REGISTRY, retention
from tests.clock import set_clock
from tests.conftest import Client
from tests.factories import Factory, Tenant
from tests.messaging.campaign_support import NOW, company, customer


@pytest.fixture
def acme(make: Factory, admin: Connection) -> Tenant:
    tenant = company(make, admin)
    set_clock(admin, NOW)
    return tenant


def text(admin: Connection, tenant: UUID, person: UUID, to: str, body: str, **more: object) -> UUID:
    made = queue(
        admin,
        Draft(tenant, "sms", "visit_reminder", to, body, customer_id=person, **more),  # type: ignore[arg-type]
    )
    assert made is not None
    return made.id


def received(admin: Connection, tenant: UUID, from_: str, body: str) -> UUID:
    row = admin.execute(
        "insert into public.messages (tenant_id, direction, channel, kind, purpose, to_address,"
        " from_address, body, time_zone, status) values (%s, 'in', 'sms', 'inbound',"
        " 'conversation', '+13125550100', %s, %s, 'UTC', 'received') returning id",
        [tenant, from_, body],
    ).fetchone()
    assert row is not None
    return UUID(str(row["id"]))


@pytest.fixture
def office(app: Flask, make: Factory, acme: Tenant) -> Client:
    browser: Client = app.test_client()  # type: ignore[assignment]
    browser.sign_in(make.member(acme.id, "office").email)
    return browser


@pytest.fixture
def log(admin: Connection, make: Factory, acme: Tenant) -> dict[str, UUID]:
    ann = customer(make, admin, acme.id, "Annabel", phone="+15085550001")
    bob = customer(make, admin, acme.id, "Bob", email="bob@example.com")
    return {
        "ann": ann,
        "reminder": text(admin, acme.id, ann, "+15085550001", "See you tomorrow at 8"),
        "reply": received(admin, acme.id, "+15085550001", "Can you come at 10 instead?"),
        "email": queue(
            admin,
            Draft(
                acme.id,
                "email",
                "estimate_sent",
                "bob@example.com",
                "Your estimate is ready",
                subject="Estimate EST-1001",
                customer_id=bob,
            ),
        ).id,  # type: ignore[union-attr]
    }


def test_the_log_finds_messages_by_name_number_or_text_and_filters_them(
    office: Client, log: dict[str, UUID], make: Factory, admin: Connection
):
    def shown(query: str) -> str:
        response = office.get(f"/message-log?{query}")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    everything = shown("")
    for words in ("See you tomorrow at 8", "Can you come at 10 instead?", "Your estimate is ready"):
        assert words in everything
    by_name = shown("q=annabel")
    assert "See you tomorrow at 8" in by_name and "Your estimate is ready" not in by_name
    by_number = shown("q=5550001")
    assert "Can you come at 10" in by_number and "Your estimate" not in by_number
    by_text = shown("q=estimate")
    assert "Your estimate is ready" in by_text and "See you tomorrow" not in by_text
    emails = shown("channel=email")
    assert "Your estimate is ready" in emails and "See you tomorrow" not in emails
    inbound = shown("status=received")
    assert "Can you come at 10" in inbound and "See you tomorrow" not in inbound
    reminders = shown("kind=visit_reminder")
    assert "See you tomorrow" in reminders and "Can you come" not in reminders
    assert "No message matches" in shown("starts=2030-01-01")
    assert office.get("/message-log?starts=2026-12-09&ends=2026-12-01").status_code == 422
    assert office.get("/message-log?page=0").status_code == 422


def test_the_log_pages_through_many_messages(
    office: Client, admin: Connection, make: Factory, acme: Tenant
):
    person = customer(make, admin, acme.id, "Many", phone="+15085550009")
    for n in range(55):
        text(admin, acme.id, person, "+15085550009", f"Message number {n:02d}", occasion=str(n))
    first = office.get("/message-log").get_data(as_text=True)
    second = office.get("/message-log?page=2").get_data(as_text=True)
    assert 'rel="next"' in first and 'rel="next"' not in second
    assert sum(f"Message number {n:02d}" in first + second for n in range(55)) == 55


def test_the_csv_file_holds_what_the_filters_find(office: Client, log: dict[str, UUID]):
    response = office.get("/message-log/export.csv?q=5550001")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert sorted(r["Text"] for r in rows) == [
        "Can you come at 10 instead?",
        "See you tomorrow at 8",
    ]
    assert {(r["Direction"], r["Kind"], r["Status"]) for r in rows} == {
        ("in", "Received text", "Received"),
        ("out", "Reminder the day before", "Queued"),
    }
    assert (
        office.get("/message-log/export.csv?channel=email")
        .get_data(as_text=True)
        .count("Your estimate is ready")
        == 1
    )


def test_every_message_is_on_the_customers_timeline(
    office: Client, log: dict[str, UUID], admin: Connection
):
    admin.execute(
        "insert into public.conversations (tenant_id, phone, customer_id)"
        " select tenant_id, '+15085550001', id from public.customers where id = %s",
        [log["ann"]],
    )
    admin.execute(
        "update public.messages set conversation_id = (select id from public.conversations"
        " where customer_id = %s) where id = %s",
        [log["ann"], log["reply"]],
    )
    page = office.get(f"/customers/{log['ann']}").get_data(as_text=True)
    assert "Reminder the day before" in page and "See you tomorrow at 8" in page
    assert "Text received" in page and "Can you come at 10 instead?" in page
    assert "Your estimate is ready" not in page  # Bob's


def test_technicians_and_other_companies_see_no_log(
    app: Flask, make: Factory, admin: Connection, acme: Tenant, log: dict[str, UUID]
):
    technician: Client = app.test_client()  # type: ignore[assignment]
    technician.sign_in(make.member(acme.id, "technician").email)
    assert technician.get("/message-log").status_code == 403
    assert technician.get("/message-log/export.csv").status_code == 403
    other: Client = app.test_client()  # type: ignore[assignment]
    other.sign_in(company(make, admin, "Beta Boilers").owner.email)
    assert "See you tomorrow" not in other.get("/message-log").get_data(as_text=True)
    assert "See you tomorrow" not in other.get("/message-log/export.csv").get_data(as_text=True)


@pytest.mark.promise("P-12")
def test_messages_are_kept_three_years_by_the_database_clock_then_deleted(
    admin: Connection, make: Factory, acme: Tenant, pool: ConnectionPool
):
    person = customer(make, admin, acme.id, "Old", phone="+15085550007")
    kept = text(admin, acme.id, person, "+15085550007", "Kept", occasion="kept")
    gone = text(admin, acme.id, person, "+15085550007", "Gone", occasion="gone")
    admin.execute(
        "insert into public.conversations (tenant_id, phone, customer_id, last_message_at)"
        " values (%s, '+15085550077', %s, %s)",
        [acme.id, person, NOW - timedelta(days=3 * 366)],
    )
    admin.execute(
        "insert into public.sms_opt_outs (tenant_id, phone, opted_out_at)"
        " values (%s, '+15085550007', %s)",
        [acme.id, NOW - timedelta(days=4 * 365)],
    )
    three_years_ago = NOW.replace(year=NOW.year - 3)
    for message, age in ((kept, timedelta(days=-1)), (gone, timedelta(days=1))):
        admin.execute(
            "update public.messages set created_at = %s where id = %s",
            [three_years_ago - age, message],
        )

    assert retention.sweep(pool, batch=1) == 1

    left = admin.execute("select id from public.messages where customer_id = %s", [person])
    assert [r["id"] for r in left.fetchall()] == [kept]
    conversations = admin.execute(
        "select count(*)::integer as n from public.conversations where tenant_id = %s", [acme.id]
    ).fetchone()
    assert conversations == {"n": 0}  # it had no message left
    opt_outs = admin.execute(
        "select count(*)::integer as n from public.sms_opt_outs where tenant_id = %s", [acme.id]
    ).fetchone()
    assert opt_outs == {"n": 1}  # a STOP stays while a text to the number is in the log
    set_clock(admin, NOW + timedelta(days=2))
    assert retention.sweep(pool) == 2  # the last text, then the STOP it outlived
    opt_outs = admin.execute(
        "select count(*)::integer as n from public.sms_opt_outs where tenant_id = %s", [acme.id]
    ).fetchone()
    assert opt_outs == {"n": 0}
    assert REGISTRY["retention"].sweep is retention.sweep
