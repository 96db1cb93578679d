"""Texts homeowners send to a company's Twilio number (P-15): stored once in the conversation
with that number, STOP and its synonyms opting the number out at once, START and HELP
answered; Twilio's signature checked, so a forged, unsigned or replayed webhook changes
nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest
from flask import Flask
from psycopg import sql
from psycopg_pool import ConnectionPool

from app.db import Connection
from app.messaging.outgoing import Draft, queue
from jobs.messages import sweep
from tests.clock import set_clock
from tests.conftest import Client, TestDatabase, make_settings
from tests.factories import Factory
from tests.messaging.inbox_support import TextingCompany, connect_twilio, one
from tests.messaging.providers import TwilioServer, Webhook, signed

HOMEOWNER = "+15085550123"
STOP_WORDS = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "stop", " Stop ", "STOP."]


@pytest.fixture
def texting(
    make: Factory, admin: Connection, database: TestDatabase, twilio_account
) -> TextingCompany:
    tenant = make.tenant("Acme Heating")
    admin.execute("update public.tenants set phone = '(508) 555-0100' where id = %s", [tenant.id])
    set_clock(admin, datetime(2026, 12, 7, 16, 0, tzinfo=UTC))  # 11 AM in New York
    return connect_twilio(admin, make_settings(database), tenant.id, twilio_account)


def post(client: Client, hook: Webhook):
    return client.post(hook.url, data=hook.params, headers=hook.headers)


def messages(admin: Connection, tenant_id: UUID) -> list[dict]:
    return admin.execute(
        "select direction, kind, purpose, urgent, status, blocked_reason, to_address,"
        " from_address, body, provider_id, customer_id, conversation_id from public.messages"
        " where tenant_id = %s order by created_at, direction, kind",
        [tenant_id],
    ).fetchall()


def state(admin: Connection) -> list:
    """Everything an inbound text may touch, to prove a refused one touched nothing."""
    digest = sql.SQL(
        "select count(*) as n, md5(coalesce(string_agg(t::text, ',' order by t::text), ''))"
        " as d from {} t"
    )
    return [
        admin.execute(digest.format(sql.Identifier(*table.split(".")))).fetchone()
        for table in (
            "public.messages",
            "public.conversations",
            "public.sms_opt_outs",
            "audit.changes",
        )
    ]


def reminder(admin: Connection, company: TextingCompany, occasion: str, customer=None):
    return queue(
        admin,
        Draft(
            company.tenant_id,
            "sms",
            "visit_reminder",
            HOMEOWNER,
            f"Reminder {occasion}",
            customer_id=customer,
            occasion=occasion,
        ),
    )


def test_an_inbound_text_lands_in_the_conversation_of_its_customer(
    client: Client, admin: Connection, make: Factory, texting: TextingCompany
):
    customer = make.customer(texting.tenant_id, "Pat", phone=HOMEOWNER)
    hook = texting.text(HOMEOWNER, "Is my visit still on for tomorrow?")

    response = post(client, hook)

    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert "<Response/>" in response.get_data(as_text=True)
    [text] = messages(admin, texting.tenant_id)
    assert (text["direction"], text["status"], text["kind"], text["from_address"]) == (
        "in",
        "received",
        "inbound",
        HOMEOWNER,
    )
    assert (text["to_address"], text["provider_id"], text["customer_id"]) == (
        texting.account.from_number,
        hook.params["MessageSid"],
        customer,
    )
    conversation = one(
        admin,
        "select id, phone, customer_id, last_message_at, last_read_at from public.conversations",
    )
    assert conversation["id"] == text["conversation_id"]
    assert (conversation["phone"], conversation["customer_id"]) == (HOMEOWNER, customer)
    assert conversation["last_read_at"] is None


def test_a_number_two_customers_share_or_nobody_has_starts_a_conversation_without_customer(
    client: Client, admin: Connection, make: Factory, texting: TextingCompany
):
    make.customer(texting.tenant_id, "Pat", phone="+15085550177")
    make.customer(texting.tenant_id, "Sam", phone="+15085550177")
    assert post(client, texting.text("+15085550177", "Hello?")).status_code == 200
    assert post(client, texting.text("+15085550188", "Who is this?")).status_code == 200
    rows = admin.execute(
        "select phone, customer_id from public.conversations order by phone"
    ).fetchall()
    assert rows == [
        {"phone": "+15085550177", "customer_id": None},
        {"phone": "+15085550188", "customer_id": None},
    ]


def test_a_replayed_text_is_stored_once(client: Client, admin: Connection, texting: TextingCompany):
    hook = texting.text(HOMEOWNER, "STOP")
    assert post(client, hook).status_code == 200
    before = state(admin)

    again = post(client, hook)

    assert again.status_code == 200
    assert state(admin) == before
    assert [m["kind"] for m in messages(admin, texting.tenant_id)] == ["inbound", "opt_out"]


def forged(company: TextingCompany, how: str) -> Webhook:
    hook = company.text(HOMEOWNER, "STOP")
    if how == "unsigned":
        return Webhook(hook.url, hook.params, {})
    if how == "another token":
        return signed("not the company's token", hook.url, hook.params)
    if how == "body changed":
        return Webhook(hook.url, {**hook.params, "Body": "Hello"}, hook.headers)
    if how == "signed for another site":
        elsewhere = hook.url.replace("plenum.test", "evil.test")
        return Webhook(
            hook.url,
            hook.params,
            signed(company.account.auth_token, elsewhere, hook.params).headers,
        )
    if how == "unknown endpoint":
        url = hook.url.replace(company.endpoint_id, "0" * 64)
        return signed(company.account.auth_token, url, hook.params)
    if how == "another account":
        params = {**hook.params, "AccountSid": "AC" + "0" * 32}
        return signed(company.account.auth_token, hook.url, params)
    raise AssertionError(how)


@pytest.mark.promise("P-15")
@pytest.mark.parametrize(
    "how",
    [
        "unsigned",
        "another token",
        "body changed",
        "signed for another site",
        "unknown endpoint",
        "another account",
    ],
)
def test_a_forged_text_is_refused_and_changes_nothing(
    client: Client, admin: Connection, texting: TextingCompany, how: str
):
    before = state(admin)

    response = post(client, forged(texting, how))

    assert response.status_code == 403
    assert state(admin) == before


def test_a_company_without_twilio_refuses_every_text(
    client: Client, admin: Connection, texting: TextingCompany
):
    admin.execute("update public.messaging_accounts set twilio_auth_token_encrypted = ''")
    before = state(admin)
    assert post(client, texting.text(HOMEOWNER, "Hi")).status_code == 403
    assert state(admin) == before


def test_the_control_a_genuine_text_does_change_things(
    client: Client, admin: Connection, texting: TextingCompany
):
    before = state(admin)
    assert post(client, texting.text(HOMEOWNER, "STOP")).status_code == 200
    assert state(admin) != before


@pytest.mark.promise("P-15")
@pytest.mark.parametrize("word", STOP_WORDS)
def test_stop_blocks_every_later_text_even_one_queued_before(
    client: Client, admin: Connection, make: Factory, texting: TextingCompany, word: str
):
    customer = make.customer(texting.tenant_id, "Pat", phone=HOMEOWNER)
    before = reminder(admin, texting, "before", customer)
    assert before is not None and before.status == "queued"

    assert post(client, texting.text(HOMEOWNER, word)).status_code == 200

    opted = admin.execute("select phone from public.sms_opt_outs").fetchall()
    assert opted == [{"phone": HOMEOWNER}]
    after = reminder(admin, texting, "after", customer)
    assert after is not None and (after.status, after.blocked_reason) == (
        "blocked",
        "The number texted STOP.",
    )
    rows = {m["body"]: m for m in messages(admin, texting.tenant_id) if m["direction"] == "out"}
    assert rows["Reminder before"]["status"] == "blocked"
    assert rows["Reminder before"]["blocked_reason"] == "The number texted STOP."
    [answer] = [m for m in rows.values() if m["kind"] == "opt_out"]
    assert (answer["purpose"], answer["urgent"], answer["status"], answer["to_address"]) == (
        "compliance",
        True,
        "queued",
        HOMEOWNER,
    )
    assert "unsubscribed from Acme Heating texts" in answer["body"]
    assert "Reply START" in answer["body"]


@pytest.mark.promise("P-15")
def test_after_stop_only_the_confirmation_reaches_the_phone(
    client: Client,
    admin: Connection,
    texting: TextingCompany,
    pool: ConnectionPool,
    database: TestDatabase,
    twilio_server: TwilioServer,
):
    reminder(admin, texting, "queued before")
    assert post(client, texting.text(HOMEOWNER, "stop")).status_code == 200
    reminder(admin, texting, "queued after")

    sweep(pool, make_settings(database, twilio_api_base=twilio_server.url))

    [sent] = [
        t for t in twilio_server.received(to=HOMEOWNER) if t.account == texting.account.account_sid
    ]
    assert sent.body.startswith("You have been unsubscribed from Acme Heating texts.")
    assert sent.from_ == texting.account.from_number
    assert sent.status_callback == texting.status_url


@pytest.mark.promise("P-15")
@pytest.mark.parametrize("word", ["START", "unstop", "Yes!"])
def test_start_re_allows_texts_and_confirms(
    client: Client, admin: Connection, texting: TextingCompany, word: str
):
    assert post(client, texting.text(HOMEOWNER, "STOP")).status_code == 200

    assert post(client, texting.text(HOMEOWNER, word)).status_code == 200

    assert one(admin, "select count(*) as n from public.sms_opt_outs")["n"] == 0
    later = reminder(admin, texting, "later")
    assert later is not None and later.status == "queued"
    [answer] = [m for m in messages(admin, texting.tenant_id) if m["kind"] == "opt_in"]
    assert answer["purpose"] == "compliance" and "resubscribed to Acme Heating" in answer["body"]


def test_yes_from_a_number_that_never_opted_out_is_an_ordinary_text(
    client: Client, admin: Connection, texting: TextingCompany
):
    assert post(client, texting.text(HOMEOWNER, "yes")).status_code == 200
    assert [m["kind"] for m in messages(admin, texting.tenant_id)] == ["inbound"]


@pytest.mark.promise("P-15")
@pytest.mark.parametrize("word", ["HELP", "info", " Help? "])
def test_help_answers_with_the_company_name_and_phone(
    client: Client, admin: Connection, texting: TextingCompany, word: str
):
    assert post(client, texting.text(HOMEOWNER, word)).status_code == 200
    [answer] = [m for m in messages(admin, texting.tenant_id) if m["direction"] == "out"]
    assert (answer["kind"], answer["purpose"], answer["to_address"]) == (
        "help",
        "compliance",
        HOMEOWNER,
    )
    assert "Acme Heating" in answer["body"] and "(508) 555-0100" in answer["body"]
    assert one(admin, "select count(*) as n from public.sms_opt_outs")["n"] == 0


@pytest.mark.parametrize("body", ["Please stop by tomorrow", "STOP IT", "don't stop", "Help me"])
def test_a_sentence_with_a_keyword_in_it_is_not_a_keyword(
    client: Client, admin: Connection, texting: TextingCompany, body: str
):
    assert post(client, texting.text(HOMEOWNER, body)).status_code == 200
    assert [m["kind"] for m in messages(admin, texting.tenant_id)] == ["inbound"]
    assert one(admin, "select count(*) as n from public.sms_opt_outs")["n"] == 0


def test_stop_to_one_company_leaves_another_companys_texts_alone(
    client: Client, admin: Connection, make: Factory, texting: TextingCompany, app: Flask
):
    other = make.tenant("Other Air")
    queue(admin, Draft(other.id, "sms", "visit_reminder", HOMEOWNER, "Other", occasion="x"))
    assert post(client, texting.text(HOMEOWNER, "STOP")).status_code == 200
    row = one(admin, "select status from public.messages where tenant_id = %s", [other.id])
    assert row["status"] == "queued"


def test_the_signature_is_checked_against_the_public_url_not_the_host_a_proxy_passed(
    client: Client, admin: Connection, texting: TextingCompany
):
    """Behind a proxy the app is reached as another host; Twilio signed the public URL."""
    hook = texting.text(HOMEOWNER, "Hello from behind the proxy")
    path = hook.url.removeprefix("http://plenum.test")
    internal = "http://app.internal:8080"

    accepted = client.post(path, base_url=internal, data=hook.params, headers=hook.headers)
    assert accepted.status_code == 200
    signed_for_host = signed(
        texting.account.auth_token, internal + path, texting.text(HOMEOWNER, "Hi").params
    )
    refused = client.post(
        path, base_url=internal, data=signed_for_host.params, headers=signed_for_host.headers
    )
    assert refused.status_code == 403
    assert [m["body"] for m in messages(admin, texting.tenant_id)] == [
        "Hello from behind the proxy"
    ]
