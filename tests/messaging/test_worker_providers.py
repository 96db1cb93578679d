"""The sending worker through the official Twilio and SendGrid SDKs, against the loopback
servers: each message once, with the company's number and status callback; transient failures
retried with backoff, permanent ones failed with the provider's reason; a message whose worker
died after Twilio took it is recorded, not sent again; marketing email unsubscribable."""

from __future__ import annotations

import secrets
import threading
import time
from datetime import timedelta
from uuid import UUID

import pytest
from psycopg_pool import ConnectionPool

from app.config import Settings
from app.db import Connection
from app.integrations import sms
from app.integrations.email import SendGridAccount
from app.integrations.sms import TwilioAccount
from app.messaging.outgoing import Draft, queue
from jobs import messages
from jobs.messages import MAX_ATTEMPTS, sweep
from tests.conftest import TestDatabase, make_settings
from tests.factories import Factory
from tests.messaging.providers import SendGridServer, TwilioServer
from tests.messaging.support import connect, daytime_zone


@pytest.fixture
def phone() -> str:
    """A number of this test's own: the loopback Twilio serves the whole session."""
    return "+1508" + str(secrets.randbelow(10**7)).zfill(7)


@pytest.fixture
def settings(
    database: TestDatabase, twilio_server: TwilioServer, sendgrid_server: SendGridServer
) -> Settings:
    return make_settings(
        database, twilio_api_base=twilio_server.url, sendgrid_api_base=sendgrid_server.url
    )


@pytest.fixture
def company(
    admin: Connection,
    make: Factory,
    settings: Settings,
    twilio_account: TwilioAccount,
    sendgrid_account: SendGridAccount,
) -> UUID:
    tenant = make.tenant("Acme Heating")
    admin.execute(
        "update public.tenants set time_zone = %s, address = '1 Main St, Springfield'"
        " where id = %s",
        [daytime_zone(admin), tenant.id],
    )
    # Fast enough that a test's next sweep finds the sender free again.
    connect(admin, settings, tenant.id, twilio_account, sendgrid_account, rate=100)
    return tenant.id


@pytest.fixture
def customer(make: Factory, company: UUID, phone: str) -> UUID:
    return make.customer(company, phone=phone, email=email_of(phone))


def email_of(phone: str) -> str:
    """The customer's own address: the loopback SendGrid serves the whole session."""
    return f"pat{phone[1:]}@example.com"


def text(company: UUID, customer: UUID, phone: str, body: str) -> Draft:
    return Draft(company, "sms", "visit_reminder", phone, body, customer_id=customer, occasion="1")


def row(admin: Connection, message_id: UUID) -> dict:
    found = admin.execute(
        "select status, provider_id, from_address, failure, body, not_before - now() as wait,"
        " (select attempts from app.message_claims c where c.message_id = m.id) as attempts"
        " from public.messages m where id = %s",
        [message_id],
    ).fetchone()
    assert found is not None
    return found


def lease_ran_out(admin: Connection, message_id: UUID) -> None:
    """Time passes beyond the dead worker's lease (and its sender's pace)."""
    admin.execute(
        "update app.message_claims set lease_until = now() - interval '1 second'"
        " where message_id = %s",
        [message_id],
    )
    admin.execute("update app.message_senders set next_at = now()")


def queued(admin: Connection, draft: Draft) -> UUID:
    made = queue(admin, draft)
    assert made is not None and made.status == "queued", made
    return made.id


def test_a_text_goes_once_from_the_companys_number_with_its_status_callback(
    admin, company, customer, phone, pool: ConnectionPool, settings, twilio_server, twilio_account
):
    made = queued(admin, text(company, customer, phone, "See you tomorrow"))
    assert sweep(pool, settings) == 1
    assert sweep(pool, settings) == 0

    (got,) = twilio_server.received(to=phone)
    endpoint = admin.execute(
        "select endpoint_id from public.messaging_accounts where tenant_id = %s", [company]
    ).fetchone()
    assert endpoint is not None
    assert (got.from_, got.body, got.status_callback) == (
        twilio_account.from_number,
        "See you tomorrow",
        f"http://plenum.test/messaging/twilio/{endpoint['endpoint_id']}/status",
    )
    stored = row(admin, made)
    assert (stored["status"], stored["provider_id"], stored["from_address"]) == (
        "sent",
        got.sid,
        twilio_account.from_number,
    )


def test_a_document_link_leaves_in_the_text_but_not_in_the_stored_copy(
    admin, company, customer, phone, pool, settings, twilio_server
):
    link = "http://plenum.test/invoice/Zx8vYqkT1s3mLw0aPq9rStUvWxYz0123456789abcdE"
    made = queued(admin, text(company, customer, phone, f"Your invoice: {link} Thanks!"))
    sweep(pool, settings)
    (got,) = twilio_server.received(to=phone)
    assert link in got.body
    assert row(admin, made)["body"] == "Your invoice: http://plenum.test/invoice/[link] Thanks!"


def test_a_transient_failure_is_retried_after_a_backoff(
    admin, company, customer, phone, pool, settings, twilio_server
):
    made = queued(admin, text(company, customer, phone, "Busy first"))
    twilio_server.fail_next(1, status=503)
    sweep(pool, settings)
    waiting = row(admin, made)
    assert waiting["status"] == "queued" and waiting["attempts"] == 1
    assert timedelta(seconds=25) < waiting["wait"] <= timedelta(seconds=30)
    assert waiting["failure"] != ""
    assert twilio_server.received(to=phone) == []

    admin.execute("update public.messages set not_before = now() where id = %s", [made])
    sweep(pool, settings)
    assert row(admin, made)["status"] == "sent"
    assert twilio_server.count(phone, "Busy first") == 1


def test_a_permanent_refusal_fails_with_the_providers_reason(
    admin, company, customer, phone, pool, settings, twilio_server
):
    twilio_server.refuse_number(phone, code=21211)
    made = queued(admin, text(company, customer, phone, "Nobody home"))
    sweep(pool, settings)
    failed = row(admin, made)
    assert failed["status"] == "failed"
    assert failed["failure"] != ""
    assert twilio_server.received(to=phone) == []


def test_a_message_still_refused_after_its_last_attempt_fails(
    admin, company, customer, phone, pool, settings, twilio_server
):
    made = queued(admin, text(company, customer, phone, "Down for good"))
    admin.execute(
        "insert into app.message_claims (tenant_id, message_id, claimed_at, attempts)"
        " select tenant_id, id, now(), %s from public.messages where id = %s",
        [MAX_ATTEMPTS - 1, made],
    )
    twilio_server.fail_next(1, status=500)
    sweep(pool, settings)
    assert row(admin, made)["status"] == "failed"


def test_a_text_twilio_took_before_the_worker_died_is_recorded_not_sent_again(
    admin, company, customer, phone, pool, settings, twilio_server, twilio_account
):
    made = queued(admin, text(company, customer, phone, "Only once, please"))
    # A worker claims it, Twilio takes it, and the worker dies before it records anything.
    admin.execute("select * from app.claim_messages(10, interval '2 minutes', null)")
    took = sms.send_sms(
        twilio_account,
        to=phone,
        body="Only once, please",
        status_callback=None,
        api_base=settings.twilio_api_base,
    )
    lease_ran_out(admin, made)

    sweep(pool, settings)

    assert twilio_server.count(phone, "Only once, please") == 1
    stored = row(admin, made)
    assert (stored["status"], stored["provider_id"], stored["attempts"]) == (
        "sent",
        took.provider_id,
        None,  # the claim is done with
    )


def test_a_text_that_never_left_before_the_worker_died_is_sent_on_the_next_claim(
    admin, company, customer, phone, pool, settings, twilio_server
):
    made = queued(admin, text(company, customer, phone, "Lost in flight"))
    admin.execute("select * from app.claim_messages(10, interval '2 minutes', null)")
    lease_ran_out(admin, made)
    sweep(pool, settings)
    assert twilio_server.count(phone, "Lost in flight") == 1
    assert row(admin, made)["status"] == "sent"


@pytest.mark.promise("P-15")
def test_marketing_email_goes_through_sendgrid_with_one_click_unsubscribe_and_the_address(
    admin, company, customer, phone, pool, settings, sendgrid_server, sendgrid_account
):
    admin.execute(
        "update public.customers set marketing_consent = true, marketing_consent_at = now()"
        " where id = %s",
        [customer],
    )
    made = queued(
        admin,
        Draft(
            company,
            "email",
            "campaign",
            email_of(phone),
            "Time for a tune-up.",
            subject="Your furnace",
            purpose="marketing",
            customer_id=customer,
            occasion="autumn",
        ),
    )
    sweep(pool, settings)

    (mail,) = sendgrid_server.received(to=email_of(phone))
    assert mail.from_ == sendgrid_account.from_email
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = mail.headers["List-Unsubscribe"].strip("<>")
    assert link.startswith("http://plenum.test/unsubscribe/")
    assert link in mail.text and "1 Main St, Springfield" in mail.text
    assert mail.custom_args.get("message_id") == str(made) or str(made) in str(mail.custom_args)
    stored = row(admin, made)
    assert stored["status"] == "sent" and stored["provider_id"] == mail.message_id


def test_a_worker_renews_the_lease_of_a_text_it_is_still_sending(
    admin, company, customer, phone, pool, settings, twilio_server, monkeypatch
):
    made = queued(admin, text(company, customer, phone, "Slow provider"))
    monkeypatch.setattr(messages, "HEARTBEAT", 0.05)
    twilio_server.latency = 2.0
    renewed = None
    try:
        sending = threading.Thread(target=sweep, args=(pool, settings))
        sending.start()
        deadline = time.monotonic() + 1.8
        while renewed is None and time.monotonic() < deadline:
            time.sleep(0.05)
            renewed = admin.execute(
                "select m.status from public.messages m join app.message_claims c"
                " on c.message_id = m.id where m.id = %s"
                " and c.lease_until - c.claimed_at > %s",
                [made, messages.LEASE],
            ).fetchone()
        sending.join(timeout=10)
    finally:
        twilio_server.latency = 0
    # Renewed after the claim while Twilio was still answering, not only leased once.
    assert renewed == {"status": "queued"}
    assert row(admin, made)["status"] == "sent"
