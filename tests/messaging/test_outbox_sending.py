"""The worker's embedded default: without a Twilio or SendGrid account, each due message is kept
in the outbox exactly once and recorded as sent; marketing email carries its unsubscribe link
and the company's postal address, and the link withdraws consent without a sign-in."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from uuid import UUID

import pytest
from psycopg_pool import ConnectionPool

from app.db import Connection
from app.messaging.outgoing import Draft, queue
from jobs import REGISTRY
from jobs.messages import sweep
from tests.clock import set_clock
from tests.conftest import TestDatabase, make_settings
from tests.factories import Factory

PHONE = "+15085550123"


@pytest.fixture
def company(make: Factory, admin: Connection) -> UUID:
    tenant = make.tenant("Acme Heating")
    admin.execute(
        "update public.tenants set address = '1 Main St, Chicago IL 60601' where id = %s",
        [tenant.id],
    )
    set_clock(admin, datetime(2026, 12, 7, 16, 0, tzinfo=UTC))
    return tenant.id


def outbox(admin: Connection) -> list[dict]:
    return admin.execute(
        "select channel, kind, to_address, subject, body_text from outbox.messages"
        " where tenant_id is not null order by created_at, body_text"
    ).fetchall()


def test_messages_without_a_provider_are_kept_in_the_outbox_once(
    admin: Connection, make: Factory, company: UUID, pool: ConnectionPool, database: TestDatabase
):
    customer = make.customer(company, phone=PHONE, email="pat@example.com")
    for n in range(3):
        queue(
            admin,
            Draft(
                company,
                "sms",
                "visit_reminder",
                PHONE,
                f"Reminder {n}",
                customer_id=customer,
                occasion=str(n),
            ),
        )
    queue(
        admin,
        Draft(
            company,
            "email",
            "estimate_sent",
            "pat@example.com",
            "Your estimate",
            subject="Estimate EST-1001",
            customer_id=customer,
        ),
    )
    settings = make_settings(database)

    assert sweep(pool, settings) == 4
    assert sweep(pool, settings) == 0  # nothing twice

    kept = outbox(admin)
    assert sorted((m["channel"], m["body_text"]) for m in kept) == [
        ("email", "Your estimate"),
        ("sms", "Reminder 0"),
        ("sms", "Reminder 1"),
        ("sms", "Reminder 2"),
    ]
    rows = admin.execute(
        "select status, provider_id, sent_at from public.messages order by body"
    ).fetchall()
    assert all(r["status"] == "sent" and r["provider_id"].startswith("outbox:") for r in rows)
    assert all(r["sent_at"] == datetime(2026, 12, 7, 16, 0, tzinfo=UTC) for r in rows)
    assert "messages" in REGISTRY


@pytest.mark.promise("P-15")
def test_marketing_email_carries_the_address_and_an_unsubscribe_that_needs_no_sign_in(
    admin: Connection, make: Factory, company: UUID, pool: ConnectionPool, database: TestDatabase
):
    customer = make.customer(company, email="pat@example.com")
    admin.execute(
        "update public.customers set marketing_consent = true, marketing_consent_at = now(),"
        " marketing_consent_source = 'signed up at the door' where id = %s",
        [customer],
    )
    first = Draft(
        company,
        "email",
        "campaign",
        "pat@example.com",
        "Tune-up time!",
        subject="Your furnace",
        purpose="marketing",
        customer_id=customer,
        occasion="autumn",
    )
    queue(admin, first)
    sweep(pool, make_settings(database))

    (mail,) = outbox(admin)
    assert "1 Main St, Chicago IL 60601" in mail["body_text"]
    link = re.search(r"Unsubscribe: (http://plenum\.test/unsubscribe/(\S+))", mail["body_text"])
    assert link is not None
    token = link.group(2)

    later = queue(
        admin,
        Draft(
            company,
            "email",
            "campaign",
            "pat@example.com",
            "Spring",
            purpose="marketing",
            customer_id=customer,
            occasion="spring",
        ),
    )
    assert later is not None and later.status == "queued"

    admin.execute("begin")
    admin.execute("set local role plenum_signin")
    named = admin.execute("select app.unsubscribe_by_link(%s) as name", [token]).fetchone()
    wrong = admin.execute("select app.unsubscribe_by_link('nope') as name").fetchone()
    admin.execute("commit")
    assert named is not None and named["name"] == "Acme Heating"
    assert wrong is not None and wrong["name"] is None

    consent = admin.execute(
        "select marketing_consent from public.customers where id = %s", [customer]
    ).fetchone()
    assert consent is not None and consent["marketing_consent"] is False
    waiting = admin.execute(
        "select status, blocked_reason from public.messages where id = %s", [later.id]
    ).fetchone()
    assert waiting == {"status": "blocked", "blocked_reason": "The customer unsubscribed."}
