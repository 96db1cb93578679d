"""The one-click unsubscribe of a marketing email (P-15, RFC 8058): the email the worker sends
through SendGrid names its link in List-Unsubscribe and List-Unsubscribe-Post; a mail client's
POST to it, with no sign-in and no CSRF token, withdraws consent and blocks queued marketing; the
page asks first on a GET, and an unknown link changes nothing."""

from __future__ import annotations

import re
from uuid import UUID

import pytest
from flask import Flask
from psycopg_pool import ConnectionPool

from app import crypto
from app.access_log import redact
from app.db import Connection
from app.integrations.email import SendGridAccount
from app.messaging.outgoing import Draft, queue
from jobs.messages import sweep
from tests.clock import set_clock
from tests.conftest import Client, TestDatabase, make_settings
from tests.factories import Factory, Tenant
from tests.messaging.campaign_support import NOW, company, customer
from tests.messaging.providers import SendGridServer
from tests.messaging.support import connect

EMAIL = "pat@example.com"


def marketing(tenant: UUID, person: UUID, occasion: str) -> Draft:
    return Draft(
        tenant,
        "email",
        "campaign",
        EMAIL,
        "Time for your furnace tune-up.",
        subject="Tune-up time",
        purpose="marketing",
        customer_id=person,
        subject_id=person,
        occasion=occasion,
    )


@pytest.fixture
def acme(make: Factory, admin: Connection) -> Tenant:
    tenant = company(make, admin)
    set_clock(admin, NOW)
    return tenant


@pytest.mark.promise("P-15")
def test_the_emails_one_click_link_unsubscribes_without_sign_in_or_csrf(
    app: Flask,
    admin: Connection,
    make: Factory,
    acme: Tenant,
    pool: ConnectionPool,
    database: TestDatabase,
    sendgrid_server: SendGridServer,
    sendgrid_account: SendGridAccount,
):
    settings = make_settings(database, sendgrid_api_base=sendgrid_server.url)
    connect(admin, settings, acme.id, sendgrid=sendgrid_account)
    person = customer(make, admin, acme.id, "Pat", email=EMAIL)
    queue(admin, marketing(acme.id, person, "autumn"))
    sweep(pool, settings)

    [mail] = sendgrid_server.received(to=EMAIL)
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.fullmatch(
        r"<(http://plenum\.test(/unsubscribe/[A-Za-z0-9_-]+))>", mail.headers["List-Unsubscribe"]
    )
    assert link is not None and f"Unsubscribe: {link.group(1)}" in mail.text
    assert "1 Main St, Chicago IL 60601" in mail.text
    later = queue(admin, marketing(acme.id, person, "spring"))
    assert later is not None and later.status == "queued"

    anonymous: Client = app.test_client()  # type: ignore[assignment]
    asked = anonymous.get(link.group(2))
    assert asked.status_code == 200 and "Unsubscribe from Acme Heating" in asked.get_data(True)
    assert asked.headers["Referrer-Policy"] == "no-referrer"
    consent = "select marketing_consent from public.customers where id = %s"
    assert admin.execute(consent, [person]).fetchone() == {"marketing_consent": True}  # a GET asks

    done = anonymous.post(link.group(2), data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "You are unsubscribed" in done.get_data(as_text=True)
    assert done.headers["Referrer-Policy"] == "no-referrer"
    assert admin.execute(consent, [person]).fetchone() == {"marketing_consent": False}
    waiting = admin.execute(
        "select status, blocked_reason from public.messages where id = %s", [later.id]
    ).fetchone()
    assert waiting == {"status": "blocked", "blocked_reason": "The customer unsubscribed."}
    author = admin.execute(
        "select actor_label from audit.changes where table_name = 'public.customers'"
        " and operation = 'update' order by id desc limit 1"
    ).fetchone()
    assert author is not None and author["actor_label"] == "unsubscribe link"
    again = anonymous.post(link.group(2), data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200  # the same answer for a link used before


def test_an_unknown_link_changes_nothing_and_says_so(app: Flask, admin: Connection):
    anonymous: Client = app.test_client()  # type: ignore[assignment]
    for response in (
        anonymous.get("/unsubscribe/" + crypto.new_token()),
        anonymous.post("/unsubscribe/" + crypto.new_token()),
        anonymous.post("/unsubscribe/" + "x" * 500),
    ):
        assert response.status_code == 410
        assert "This link no longer works" in response.get_data(as_text=True)
        assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_access_log_never_holds_the_token():
    token = crypto.new_token()[:12]  # short: only the path names it as a token
    line = redact(f'"POST /unsubscribe/{token} HTTP/1.1" 200')
    assert token not in line and "/unsubscribe/[redacted]" in line
