"""The office inbox: conversations with unread counts (and the menu's badge), a conversation's
thread with each text's status, replies queued for the worker (refused by the database for a
number that texted STOP, and the page says so), attaching an unknown number to a customer,
and the customer page's texts."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from uuid import UUID

import pytest

from app.db import Connection
from tests.clock import set_clock
from tests.conftest import Client, TestDatabase, make_settings
from tests.factories import Factory
from tests.messaging.inbox_support import TextingCompany, connect_twilio, one

HOMEOWNER = "+15085550125"
STRANGER = "+15085550199"


@pytest.fixture
def texting(
    make: Factory, admin: Connection, database: TestDatabase, twilio_account
) -> TextingCompany:
    tenant = make.tenant("Acme Heating")
    set_clock(admin, datetime(2026, 12, 7, 16, 0, tzinfo=UTC))
    return connect_twilio(admin, make_settings(database), tenant.id, twilio_account)


@pytest.fixture
def office(client: Client, make: Factory, texting: TextingCompany) -> Client:
    client.sign_in(make.member(texting.tenant_id, "office").email)
    return client


def receive(client: Client, company: TextingCompany, from_: str, body: str) -> None:
    hook = company.text(from_, body)
    assert client.post(hook.url, data=hook.params, headers=hook.headers).status_code == 200


def conversation_of(admin: Connection, phone: str) -> UUID:
    row = one(admin, "select id from public.conversations where phone = %s", [phone])
    assert row is not None
    return row["id"]


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def unread_badge(html: str) -> str | None:
    found = re.search(r'>Messages <span class="count">(\d+)<', html)
    return found.group(1) if found else None


def test_a_text_shows_in_the_inbox_unread_until_opened(
    office: Client, admin: Connection, make: Factory, texting: TextingCompany
):
    make.customer(texting.tenant_id, "Pat", "Lee", phone=HOMEOWNER)
    assert unread_badge(page(office, "/messages")) is None
    receive(office, texting, HOMEOWNER, "Can you come earlier?")
    receive(office, texting, HOMEOWNER, "Say 9?")

    inbox = page(office, "/messages")
    assert unread_badge(inbox) == "2"
    assert "Pat Lee" in inbox and "Say 9?" in inbox
    conversation = conversation_of(admin, HOMEOWNER)

    thread = page(office, f"/messages/{conversation}")

    assert "Can you come earlier?" in thread and "Say 9?" in thread
    assert unread_badge(thread) is None
    assert unread_badge(page(office, "/messages")) is None


def test_a_reply_is_queued_as_a_text_of_the_conversation(
    office: Client, admin: Connection, make: Factory, texting: TextingCompany
):
    customer = make.customer(texting.tenant_id, "Pat", phone=HOMEOWNER)
    receive(office, texting, HOMEOWNER, "Can you come earlier?")
    conversation = conversation_of(admin, HOMEOWNER)

    response = office.submit(f"/messages/{conversation}/reply", {"body": "  Yes, 9 AM works.  "})

    assert response.status_code == 302
    row = one(
        admin,
        "select kind, purpose, channel, status, to_address, body, customer_id, conversation_id,"
        " created_by from public.messages where direction = 'out'",
    )
    assert (row["kind"], row["purpose"], row["channel"], row["status"]) == (
        "reply",
        "conversation",
        "sms",
        "queued",
    )
    assert (row["to_address"], row["body"], row["customer_id"], row["conversation_id"]) == (
        HOMEOWNER,
        "Yes, 9 AM works.",
        customer,
        conversation,
    )
    assert row["created_by"] is not None
    thread = page(office, f"/messages/{conversation}")
    assert "Yes, 9 AM works." in thread and "Queued" in thread


def test_an_empty_reply_is_refused_with_a_message(
    office: Client, admin: Connection, texting: TextingCompany
):
    receive(office, texting, HOMEOWNER, "Hello")
    conversation = conversation_of(admin, HOMEOWNER)

    response = office.submit(f"/messages/{conversation}/reply", {"body": "   "})

    assert response.status_code == 422
    assert "Write the reply first." in response.get_data(as_text=True)
    assert one(admin, "select count(*) as n from public.messages where direction = 'out'")["n"] == 0


@pytest.mark.promise("P-15")
def test_a_reply_to_a_number_that_texted_stop_is_not_sent_and_the_page_says_so(
    office: Client, admin: Connection, texting: TextingCompany
):
    receive(office, texting, HOMEOWNER, "STOP")
    conversation = conversation_of(admin, HOMEOWNER)
    assert "Opted out" in page(office, f"/messages/{conversation}")

    response = office.submit(
        f"/messages/{conversation}/reply", {"body": "Sorry to see you go"}, follow_redirects=True
    )

    html = response.get_data(as_text=True)
    assert "Not sent: The number texted STOP." in html
    row = one(admin, "select status, blocked_reason from public.messages where kind = 'reply'")
    assert (row["status"], row["blocked_reason"]) == ("blocked", "The number texted STOP.")


def test_an_unknown_number_can_be_attached_to_a_customer_and_shows_on_their_page(
    office: Client, admin: Connection, make: Factory, texting: TextingCompany
):
    customer = make.customer(texting.tenant_id, "Robin", "Diaz")
    receive(office, texting, STRANGER, "This is Robin, my new number")
    conversation = conversation_of(admin, STRANGER)
    html = page(office, "/messages")
    assert "Unknown number" in html

    found = page(office, f"/messages/{conversation}?q=Robin")
    assert "Attach to Robin Diaz" in found

    attached = office.submit(
        f"/messages/{conversation}/customer", {"attach_customer": str(customer)}
    )

    assert attached.status_code == 302
    row = one(admin, "select customer_id from public.conversations where id = %s", [conversation])
    assert row["customer_id"] == customer
    earlier = admin.execute(
        "select customer_id from public.messages where conversation_id = %s", [conversation]
    ).fetchall()
    assert earlier == [{"customer_id": customer}]  # the texts already there are theirs too
    customer_page = page(office, f"/customers/{customer}")
    assert "This is Robin, my new number" in customer_page
    assert f"/messages/{conversation}/reply" in customer_page


def test_a_conversation_cannot_be_attached_to_another_companys_customer(
    office: Client, admin: Connection, make: Factory, texting: TextingCompany
):
    theirs = make.customer(make.tenant("Other Air").id, "Robin")
    receive(office, texting, STRANGER, "Hello")
    conversation = conversation_of(admin, STRANGER)

    for value in (str(theirs), "not-an-id", "", str(conversation)):
        response = office.submit(f"/messages/{conversation}/customer", {"attach_customer": value})
        assert response.status_code == 422
        assert "Choose one of the company" in response.get_data(as_text=True)
    row = one(admin, "select customer_id from public.conversations where id = %s", [conversation])
    assert row["customer_id"] is None


def test_the_customer_page_shows_their_texts_a_reply_box_and_their_opt_out(
    office: Client, admin: Connection, make: Factory, texting: TextingCompany
):
    customer = make.customer(texting.tenant_id, "Pat", phone=HOMEOWNER)
    assert "No texts with this customer yet." in page(office, f"/customers/{customer}")
    receive(office, texting, HOMEOWNER, "Thanks for today!")
    receive(office, texting, HOMEOWNER, "STOP")

    html = page(office, f"/customers/{customer}")

    assert "Thanks for today!" in html and "unsubscribed from Acme Heating" in html
    assert "Opted out" in html and "texted STOP" in html
    conversation = conversation_of(admin, HOMEOWNER)
    sent = office.submit(f"/messages/{conversation}/reply", {"body": "Noted.", "back": "customer"})
    assert sent.status_code == 302
    assert sent.headers["Location"].endswith(f"/customers/{customer}#texts")


def test_technicians_have_no_inbox(client: Client, make: Factory, texting: TextingCompany, admin):
    client.sign_in(make.member(texting.tenant_id, "technician").email)
    receive(client, texting, HOMEOWNER, "Hello")
    assert client.get("/messages").status_code == 403
    assert client.get(f"/messages/{conversation_of(admin, HOMEOWNER)}").status_code == 403


def test_the_inbox_says_when_there_is_nothing_yet(office: Client):
    assert "No texts yet." in page(office, "/messages")
