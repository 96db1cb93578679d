"""The worker's messages about documents and finished work (jobs/document_messages.py), by the
database clock: an unviewed estimate followed up once after the company's days, never once
looked at; an unpaid invoice reminded at N, 2N and 3N days after its due date and never after
it is paid; a completed visit told with its invoice's link, or without one after a grace. Then
the sending worker: the text that left holds the link that opens the document, the stored text
no usable token."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from flask import Flask
from psycopg_pool import ConnectionPool

from app.config import Settings
from app.db import Connection
from app.integrations.sms import TwilioAccount
from jobs import REGISTRY, document_messages
from jobs import messages as sending
from tests.clock import set_clock
from tests.conftest import Client, TestDatabase, make_settings
from tests.factories import Factory
from tests.messaging import documents_support as docs
from tests.messaging.providers import TwilioServer
from tests.messaging.support import connect

PHONE = "+15085550177"


@pytest.fixture
def company(make: Factory, admin: Connection) -> docs.Shop:
    return docs.shop(make, admin)


def now(admin: Connection) -> datetime:
    row = admin.execute("select now() as t").fetchone()
    assert row is not None
    return row["t"]


def sent_estimate(make: Factory, admin: Connection, company: docs.Shop, at: datetime) -> UUID:
    """An estimate sent (by the office, at `at`) to Dana, who prefers texts."""
    dana = docs.customer(make, admin, company.id, "sms", phone=PHONE, email="dana@homes.example")
    found = docs.estimate(make, admin, company.id, dana)
    admin.execute(
        "update public.estimates set status = 'sent', sent_at = %s where id = %s", [at, found]
    )
    return found


def overdue_invoice(make: Factory, admin: Connection, company: docs.Shop, **kw: Any) -> UUID:
    """An invoice of 240.00 sent to Dana (who prefers email), due today in the company's time."""
    dana = docs.customer(make, admin, company.id, "email", phone=PHONE, email="dana@homes.example")
    bill = docs.invoice(make, company.id, dana, **kw)
    admin.execute(
        "update public.invoices set issued_on = (now() at time zone t.time_zone)::date"
        " from public.tenants t where t.id = invoices.tenant_id and invoices.id = %s",
        [bill],
    )
    admin.execute(
        "update public.invoices set status = 'sent', sent_at = now() where id = %s", [bill]
    )
    return bill


def test_the_sweeps_are_registered_and_the_default_days_are_the_columns(admin: Connection):
    assert {"estimate_follow_ups", "invoice_reminders", "visit_completed_messages"} <= set(REGISTRY)
    defaults = admin.execute(
        "select column_name, column_default from information_schema.columns"
        " where table_name = 'messaging_accounts'"
        " and column_name in ('estimate_follow_up_days', 'invoice_overdue_days')"
    ).fetchall()
    assert {r["column_name"]: r["column_default"] for r in defaults} == {
        "estimate_follow_up_days": "3",
        "invoice_overdue_days": "7",
    }
    assert "coalesce(a.estimate_follow_up_days, 3)" in document_messages.FOLLOW_UPS
    assert "coalesce(a.invoice_overdue_days, 7)" in document_messages.REMINDERS


def test_an_unviewed_estimate_is_followed_up_once_after_the_companys_days(
    make: Factory, admin: Connection, company: docs.Shop, pool: ConnectionPool
):
    at = now(admin)
    followed = sent_estimate(make, admin, company, at)
    set_clock(admin, at + timedelta(days=3) - timedelta(minutes=1))
    assert document_messages.follow_ups(pool) == 0

    set_clock(admin, at + timedelta(days=3))
    assert document_messages.follow_ups(pool) == 1
    assert document_messages.follow_ups(pool) == 0  # once
    set_clock(admin, at + timedelta(days=9))
    assert document_messages.follow_ups(pool) == 0

    [text] = docs.messages(admin, "estimate_follow_up", followed)
    assert (text["channel"], text["to_address"], text["occasion"]) == ("sms", PHONE, "follow-up")
    assert text["body"].startswith("Hi Dana, did you get a chance to look at estimate EST-")
    # A fresh link, next to the one the office sent (which keeps working).
    links = admin.execute(
        "select sent_to, revoked_at from public.estimate_links where estimate_id = %s",
        [followed],
    ).fetchall()
    assert links == [{"sent_to": PHONE, "revoked_at": None}]
    assert docs.LINK.search(text["body"])


def test_the_companys_days_decide_when(
    make: Factory, admin: Connection, company: docs.Shop, pool: ConnectionPool
):
    admin.execute(
        "insert into public.messaging_accounts (tenant_id, estimate_follow_up_days) values (%s, 5)",
        [company.id],
    )
    at = now(admin)
    followed = sent_estimate(make, admin, company, at)
    set_clock(admin, at + timedelta(days=4))
    assert document_messages.follow_ups(pool) == 0
    set_clock(admin, at + timedelta(days=5))
    assert document_messages.follow_ups(pool) == 1
    assert len(docs.messages(admin, "estimate_follow_up", followed)) == 1


def test_a_viewed_estimate_is_not_followed_up_and_a_waiting_follow_up_is_canceled(
    app: Flask, make: Factory, admin: Connection, company: docs.Shop, pool: ConnectionPool
):
    at = now(admin)
    viewed = sent_estimate(make, admin, company, at)
    admin.execute("update public.estimates set status = 'viewed' where id = %s", [viewed])
    set_clock(admin, at + timedelta(days=3))
    assert document_messages.follow_ups(pool) == 0
    assert docs.messages(admin, "estimate_follow_up") == []

    # Queued at night (held for quiet hours), then the customer opens the estimate.
    waiting = sent_estimate(make, admin, company, at)
    admin.execute("update public.tenants set time_zone = 'UTC' where id = %s; ", [company.id])
    night = datetime.combine(at.date() + timedelta(days=4), datetime.min.time(), at.tzinfo)
    set_clock(admin, night.replace(hour=2))
    assert document_messages.follow_ups(pool) == 1
    [held] = docs.messages(admin, "estimate_follow_up", waiting)
    assert held["status"] == "queued"
    homeowner = app.test_client()
    opened = homeowner.get(f"/estimate/{docs.token_in(held['body'])}")
    assert homeowner.get(opened.headers["Location"]).status_code == 200  # viewed now
    assert document_messages.follow_ups(pool) == 0
    [canceled] = docs.messages(admin, "estimate_follow_up", waiting)
    assert canceled["status"] == "canceled" and not docs.LINK.search(canceled["body"])


def test_an_unpaid_invoice_is_reminded_at_n_2n_and_3n_days_and_no_more(
    make: Factory, admin: Connection, company: docs.Shop, pool: ConnectionPool
):
    at = now(admin)
    bill = overdue_invoice(make, admin, company)
    expected = []
    for day, reminder in [(6, None), (7, "1"), (13, None), (14, "2"), (20, None), (21, "3")]:
        set_clock(admin, at + timedelta(days=day))
        assert document_messages.reminders(pool) == (1 if reminder else 0), day
        expected += [reminder] if reminder else []
        assert [m["occasion"] for m in docs.messages(admin, "invoice_overdue", bill)] == expected
    for day in (28, 35, 60):
        set_clock(admin, at + timedelta(days=day))
        assert document_messages.reminders(pool) == 0

    first = docs.messages(admin, "invoice_overdue", bill)[0]
    assert (first["channel"], first["to_address"]) == ("email", "dana@homes.example")
    assert first["subject"].startswith("Invoice INV-") and "is overdue" in first["subject"]
    assert "for $240.00 was due on" in first["body"] and docs.LINK.search(first["body"])
    # Each reminder its own link; none withdraws another.
    assert admin.execute(
        "select count(*) as n, count(revoked_at) as withdrawn from public.invoice_links"
        " where invoice_id = %s",
        [bill],
    ).fetchone() == {"n": 3, "withdrawn": 0}


def test_a_late_worker_sends_the_reminder_due_now_not_the_missed_ones(
    make: Factory, admin: Connection, company: docs.Shop, pool: ConnectionPool
):
    at = now(admin)
    bill = overdue_invoice(make, admin, company)
    set_clock(admin, at + timedelta(days=15))
    assert document_messages.reminders(pool) == 1
    assert [m["occasion"] for m in docs.messages(admin, "invoice_overdue", bill)] == ["2"]


def test_a_paid_invoice_is_never_reminded_and_a_waiting_reminder_is_canceled(
    make: Factory, admin: Connection, company: docs.Shop, pool: ConnectionPool
):
    at = now(admin)
    paid = overdue_invoice(make, admin, company)
    unpaid = overdue_invoice(make, admin, company)
    admin.execute(
        "insert into public.payments (tenant_id, invoice_id, amount, method, received_on)"
        " values (%s, %s, 240, 'cheque', current_date)",
        [company.id, paid],
    )
    admin.execute("update public.tenants set time_zone = 'UTC' where id = %s", [company.id])
    night = datetime.combine(at.date() + timedelta(days=8), datetime.min.time(), at.tzinfo)
    set_clock(admin, night.replace(hour=2))  # queued, held for the morning
    assert document_messages.reminders(pool) == 1
    assert docs.messages(admin, "invoice_overdue", paid) == []
    [held] = docs.messages(admin, "invoice_overdue", unpaid)
    assert held["status"] == "queued"

    admin.execute(
        "insert into public.payments (tenant_id, invoice_id, amount, method, received_on)"
        " values (%s, %s, 240, 'cash', current_date)",
        [company.id, unpaid],
    )
    for day in (8, 14, 21):
        set_clock(admin, night.replace(hour=10) + timedelta(days=day - 8))
        assert document_messages.reminders(pool) == 0
    [canceled] = docs.messages(admin, "invoice_overdue", unpaid)
    assert canceled["status"] == "canceled" and not docs.LINK.search(canceled["body"])
    assert docs.messages(admin, "invoice_overdue", paid) == []


def completed_visit(
    make: Factory, admin: Connection, company: docs.Shop
) -> tuple[UUID, UUID, UUID]:
    """A visit of Dana's furnace job, completed now (the real clock) with notes; its job and
    the job's property."""
    dana = docs.customer(make, admin, company.id, "email", email="dana@homes.example")
    place = make.property(company.id, dana)
    job = make.job(company.id, place, summary="Furnace tune-up")
    tech = docs.technician(make, admin, company.id)
    visit = make.visit(
        company.id, job, now(admin) - timedelta(hours=1), technicians=(tech.account_id,)
    )
    notes = "Cleaned the burners, replaced the filter."
    for status, written in (("en_route", ""), ("on_site", notes), ("completed", notes)):
        admin.execute(
            "update public.visits set status = %s, completion_notes = %s where id = %s",
            [status, written, visit],
        )
    return visit, job, place


def test_a_completed_visit_is_told_with_its_invoice_link_at_once(
    app: Flask, make: Factory, admin: Connection, company: docs.Shop, pool: ConnectionPool
):
    visit, job, place = completed_visit(make, admin, company)
    set_clock(admin, now(admin) + timedelta(minutes=1))
    assert document_messages.completed_visits(pool) == 0  # waiting for the invoice
    bill = make.invoice(company.id, place, job, lines=("129.00",), status="sent")
    assert document_messages.completed_visits(pool) == 1
    assert document_messages.completed_visits(pool) == 0

    [mail] = docs.messages(admin, "visit_completed", visit)
    assert mail["subject"] == "Your Furnace tune-up is done" and mail["occasion"] == "completed"
    assert "Cleaned the burners, replaced the filter." in mail["body"]
    token = docs.token_in(mail["body"])
    opened = app.test_client().get(f"/invoice/{token}")
    assert opened.status_code == 303 and opened.headers["Location"].endswith(f"/{bill}")


def test_a_completed_visit_without_an_invoice_is_told_after_the_grace(
    make: Factory, admin: Connection, company: docs.Shop, pool: ConnectionPool
):
    visit, _, _ = completed_visit(make, admin, company)
    done = now(admin)
    set_clock(admin, done + document_messages.GRACE - timedelta(minutes=2))
    assert document_messages.completed_visits(pool) == 0
    set_clock(admin, done + document_messages.GRACE + timedelta(minutes=1))
    assert document_messages.completed_visits(pool) == 1
    [mail] = docs.messages(admin, "visit_completed", visit)
    assert "Cleaned the burners" in mail["body"] and not docs.LINK.search(mail["body"])
    assert "{invoice_link}" not in mail["body"]
    set_clock(admin, done + timedelta(days=2))
    assert document_messages.completed_visits(pool) == 0


def test_two_workers_at_once_queue_each_message_once(
    make: Factory, admin: Connection, company: docs.Shop, pool: ConnectionPool
):
    at = now(admin)
    bills = [overdue_invoice(make, admin, company) for _ in range(5)]
    set_clock(admin, at + timedelta(days=7))
    counts: list[int] = []
    second = threading.Thread(target=lambda: counts.append(document_messages.reminders(pool)))
    second.start()
    counts.append(document_messages.reminders(pool))
    second.join()
    assert sum(counts) == 5
    assert [len(docs.messages(admin, "invoice_overdue", bill)) for bill in bills] == [1] * 5
    assert admin.execute(
        "select count(*) as n from public.invoice_links where invoice_id = any(%s)", [bills]
    ).fetchone() == {"n": 5}  # no link left behind by the worker that lost


@pytest.fixture
def settings(database: TestDatabase, twilio_server: TwilioServer) -> Settings:
    return make_settings(database, twilio_api_base=twilio_server.url)


@pytest.mark.promise("P-15")
def test_the_sent_text_opens_the_estimate_and_the_stored_one_holds_no_token(
    app: Flask,
    client: Client,
    make: Factory,
    admin: Connection,
    company: docs.Shop,
    pool: ConnectionPool,
    settings: Settings,
    twilio_server: TwilioServer,
    twilio_account: TwilioAccount,
):
    connect(admin, settings, company.id, twilio_account, rate=100)
    dana = docs.customer(make, admin, company.id, "sms", phone=PHONE)
    sent = docs.estimate(make, admin, company.id, dana)
    client.sign_in(company.office.email)
    client.submit(f"/estimates/{sent}/send", {"to": PHONE})

    assert sending.sweep(pool, settings) == 1

    [text] = [
        r for r in twilio_server.received(to=PHONE) if r.account == twilio_account.account_sid
    ]
    token = docs.token_in(text.body)
    [stored] = docs.messages(admin, "estimate_sent", sent)
    assert stored["status"] == "sent" and token not in stored["body"]
    assert not docs.LINK.search(stored["body"]) and "/estimate/[link]" in stored["body"]
    assert stored["body"] == docs.LINK.sub(
        lambda m: m.group(0)[: -len(m.group(2))] + "[link]", text.body
    )
    homeowner = app.test_client()
    opened = homeowner.get(f"/estimate/{token}")
    assert opened.status_code == 303
    assert homeowner.get(opened.headers["Location"]).status_code == 200


def test_an_emailed_reminder_in_the_outbox_opens_the_invoice_and_the_log_holds_no_token(
    app: Flask,
    make: Factory,
    admin: Connection,
    company: docs.Shop,
    pool: ConnectionPool,
    database: TestDatabase,
):
    at = now(admin)
    bill = overdue_invoice(make, admin, company)
    set_clock(admin, at + timedelta(days=7))
    assert document_messages.reminders(pool) == 1
    assert sending.sweep(pool, make_settings(database)) == 1

    [kept] = admin.execute(
        "select to_address, subject, body_text from outbox.messages"
        " where kind = 'invoice_overdue' and tenant_id = %s",
        [company.id],
    ).fetchall()
    assert kept["to_address"] == "dana@homes.example"
    token = docs.token_in(kept["body_text"])
    [stored] = docs.messages(admin, "invoice_overdue", bill)
    assert stored["status"] == "sent" and token not in stored["body"]
    assert "/invoice/[link]" in stored["body"]
    audit = admin.execute(
        "select count(*) as n from audit.changes where tenant_id = %s"
        " and concat(old_values::text, new_values::text) like %s",
        [company.id, f"%{token}%"],
    ).fetchone()
    assert audit == {"n": 0}
    opened = app.test_client().get(f"/invoice/{token}")
    assert opened.status_code == 303 and opened.headers["Location"].endswith(f"/{bill}")
