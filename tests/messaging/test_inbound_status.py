"""Twilio's status callbacks for the texts a company sent: each moves its message forward
(sent, then delivered, undelivered or failed with a reason in words), never back when
callbacks arrive out of order, and a replayed or forged one changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from psycopg_pool import ConnectionPool

from app.db import Connection
from app.messaging.outgoing import Draft, queue
from jobs.messages import sweep
from tests.clock import set_clock
from tests.conftest import Client, TestDatabase, make_settings
from tests.factories import Factory
from tests.messaging.inbox_support import TextingCompany, connect_twilio, one
from tests.messaging.providers import TwilioServer, Webhook, signed

HOMEOWNER = "+15085550124"
SENT_AT = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)


@pytest.fixture
def texting(
    make: Factory, admin: Connection, database: TestDatabase, twilio_account
) -> TextingCompany:
    tenant = make.tenant("Acme Heating")
    set_clock(admin, SENT_AT)
    return connect_twilio(admin, make_settings(database), tenant.id, twilio_account)


@pytest.fixture
def sent_sid(
    admin: Connection,
    texting: TextingCompany,
    pool: ConnectionPool,
    database: TestDatabase,
    twilio_server: TwilioServer,
) -> str:
    """A reminder the worker sent through the loopback Twilio: its MessageSid."""
    queue(
        admin, Draft(texting.tenant_id, "sms", "visit_reminder", HOMEOWNER, "See you", occasion="1")
    )
    sweep(pool, make_settings(database, twilio_api_base=twilio_server.url))
    [text] = [
        t for t in twilio_server.received(to=HOMEOWNER) if t.account == texting.account.account_sid
    ]
    assert text.status_callback == texting.status_url
    return text.sid


def post(client: Client, hook: Webhook):
    return client.post(hook.url, data=hook.params, headers=hook.headers)


def message(admin: Connection, sid: str) -> dict:
    row = one(
        admin,
        "select status, failure, sent_at, delivered_at from public.messages where provider_id = %s",
        [sid],
    )
    assert row is not None
    return row


def audit_rows(admin: Connection) -> int:
    return one(admin, "select count(*) as n from audit.changes")["n"]


def test_a_delivered_callback_marks_the_text_delivered(
    client: Client, admin: Connection, twilio_server: TwilioServer, sent_sid: str
):
    assert message(admin, sent_sid)["status"] == "sent"

    response = post(client, twilio_server.status_callback(sent_sid, "delivered"))

    assert response.status_code == 204
    row = message(admin, sent_sid)
    assert (row["status"], row["delivered_at"], row["failure"]) == ("delivered", SENT_AT, "")


def test_callbacks_out_of_order_never_move_a_text_back(
    client: Client, admin: Connection, twilio_server: TwilioServer, sent_sid: str
):
    delivered = twilio_server.status_callback(sent_sid, "delivered")
    late_sent = twilio_server.status_callback(sent_sid, "sent")
    late_queued = twilio_server.status_callback(sent_sid, "queued")
    assert post(client, delivered).status_code == 204
    before = audit_rows(admin)

    for hook in (late_sent, late_queued, delivered):  # out of order, then a replay
        assert post(client, hook).status_code == 204

    assert message(admin, sent_sid)["status"] == "delivered"
    assert audit_rows(admin) == before  # nothing was written at all


@pytest.mark.parametrize(
    ("status", "code", "words"),
    [
        ("undelivered", 30003, "unreachable"),
        ("undelivered", 30005, "unknown or no longer in service"),
        ("undelivered", 30006, "landline"),
        ("undelivered", 30007, "filtered"),
        ("failed", 21610, "unsubscribed"),
        ("failed", 30999, "Twilio failed to send the text (error 30999)."),
        ("undelivered", None, "Twilio could not deliver the text."),
    ],
)
def test_a_text_that_did_not_arrive_says_why(
    client: Client,
    admin: Connection,
    twilio_server: TwilioServer,
    sent_sid: str,
    status,
    code,
    words,
):
    assert post(client, twilio_server.status_callback(sent_sid, status, code)).status_code == 204
    row = message(admin, sent_sid)
    assert row["status"] == status
    assert words in row["failure"]
    # A delivered that comes after a final failure does not change it.
    assert post(client, twilio_server.status_callback(sent_sid, "delivered")).status_code == 204
    assert message(admin, sent_sid)["status"] == status


@pytest.mark.parametrize("how", ["unsigned", "another token", "status changed"])
def test_a_forged_callback_is_refused_and_changes_nothing(
    client: Client, admin: Connection, twilio_server: TwilioServer, sent_sid: str, texting, how
):
    hook = twilio_server.status_callback(sent_sid, "delivered")
    if how == "unsigned":
        hook = Webhook(hook.url, hook.params, {})
    elif how == "another token":
        hook = signed("not the company's token", hook.url, hook.params)
    else:
        hook = Webhook(hook.url, {**hook.params, "MessageStatus": "failed"}, hook.headers)

    assert post(client, hook).status_code == 403
    assert message(admin, sent_sid)["status"] == "sent"


def test_a_callback_for_another_companys_text_changes_nothing(
    client: Client,
    admin: Connection,
    make: Factory,
    database: TestDatabase,
    twilio_server: TwilioServer,
    sent_sid: str,
    twilio_account,
):
    """Another company's endpoint, signed with its own token, names this company's text."""
    other = connect_twilio(
        admin, make_settings(database), make.tenant("Other Air").id, twilio_account
    )
    hook = twilio_server.status_callback(sent_sid, "failed", 30003)
    forged = signed(other.account.auth_token, other.status_url, hook.params)
    admin.execute(
        "update public.messaging_accounts set twilio_account_sid = %s where tenant_id = %s",
        [hook.params["AccountSid"], other.tenant_id],
    )

    assert post(client, forged).status_code == 204
    assert message(admin, sent_sid)["status"] == "sent"
