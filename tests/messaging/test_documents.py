"""Sending an estimate or an invoice is a message to the homeowner: by text or email as the
customer prefers (the sending form is filled with that address), or to the address the office
types; in the company's wording; with the link the database minted in its text; refused by the
database for a customer who asked not to be contacted; nothing at all when the company turned
the kind off or the office only makes a link. A technician sends only to the customer."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest
from flask import Flask

from app.db import Connection
from app.forms import NOT_AN_ADDRESS
from tests.conftest import Client, TestDatabase
from tests.factories import Factory, Member
from tests.messaging.documents_support import (
    LINK,
    Shop,
    customer,
    estimate,
    invoice,
    messages,
    shop,
    technician,
    token_in,
)
from tests.policies.identity import acting_as, claims_of

PHONE = "+15085550142"


def page(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def company(make: Factory, admin: Connection, client: Client) -> Shop:
    found = shop(make, admin)
    client.sign_in(found.office.email)
    return found


def proposed(client: Client, url: str) -> str:
    """The address the sending form is filled with."""
    form = page(client.get(url))
    start = form.index('name="to"')
    value = form[start : form.index(">", start)]
    return value.split('value="', 1)[1].split('"', 1)[0] if 'value="' in value else ""


def link_opens(app: Flask, kind: str, token: str, document: UUID) -> None:
    homeowner = app.test_client()
    opened = homeowner.get(f"/{kind}/{token}")
    assert opened.status_code == 303
    assert opened.headers["Location"].endswith(f"/{kind}/view/{document}")
    assert homeowner.get(opened.headers["Location"]).status_code == 200


def test_an_estimate_goes_by_text_to_a_customer_who_prefers_texts(
    app: Flask, client: Client, company: Shop, make: Factory, admin: Connection
):
    dana = customer(make, admin, company.id, "sms", phone=PHONE, email="dana@homes.example")
    sent = estimate(make, admin, company.id, dana)

    assert proposed(client, f"/estimates/{sent}") == "(508) 555-0142"
    response = client.submit(
        f"/estimates/{sent}/send", {"to": "(508) 555-0142"}, follow_redirects=True
    )

    assert "Sent to (508) 555-0142" in page(response)
    [text] = messages(admin, "estimate_sent", sent)
    assert (text["channel"], text["to_address"], text["status"]) == ("sms", PHONE, "queued")
    assert text["subject"] == "" and text["customer_id"] == dana
    assert text["body"].startswith("Acme Heating sent you estimate EST-")
    link = admin.execute(
        "select id, sent_to from public.estimate_links where estimate_id = %s", [sent]
    ).fetchone()
    assert link is not None and (text["occasion"], link["sent_to"]) == (str(link["id"]), PHONE)
    # The link in the text is the one the office is shown once, and it opens the estimate.
    token = token_in(text["body"])
    assert token in page(response)
    link_opens(app, "estimate", token, sent)


def test_an_estimate_goes_by_email_to_a_customer_who_prefers_email(
    client: Client, company: Shop, make: Factory, admin: Connection
):
    dana = customer(make, admin, company.id, "email", phone=PHONE, email="dana@homes.example")
    sent = estimate(make, admin, company.id, dana)

    assert proposed(client, f"/estimates/{sent}") == "dana@homes.example"
    client.submit(f"/estimates/{sent}/send", {"to": "dana@homes.example"})

    [mail] = messages(admin, "estimate_sent", sent)
    assert (mail["channel"], mail["to_address"]) == ("email", "dana@homes.example")
    assert (
        mail["subject"].startswith("Your estimate EST-") and "from Acme Heating" in mail["subject"]
    )
    assert mail["body"].startswith("Hi Dana,") and "New furnace" in mail["body"]
    assert LINK.search(mail["body"]) and "Call us at (312) 555-0100" in mail["body"]


def test_the_address_the_office_types_is_honoured(
    client: Client, company: Shop, make: Factory, admin: Connection
):
    dana = customer(make, admin, company.id, "sms", phone=PHONE, email="dana@homes.example")
    sent = estimate(make, admin, company.id, dana)

    client.submit(f"/estimates/{sent}/send", {"to": "Accounts@Reyes.example"})

    [mail] = messages(admin, "estimate_sent", sent)
    assert (mail["channel"], mail["to_address"]) == ("email", "accounts@reyes.example")


def test_bad_addresses_change_nothing_and_an_empty_one_makes_only_a_link(
    client: Client, company: Shop, make: Factory, admin: Connection
):
    dana = customer(make, admin, company.id, "sms")  # no phone, no email: nothing proposed
    sent = estimate(make, admin, company.id, dana)
    assert proposed(client, f"/estimates/{sent}") == ""

    for bad in ("not an address", "555", "dana@", "@homes.example"):
        refused = client.submit(f"/estimates/{sent}/send", {"to": bad})
        assert refused.status_code == 422 and NOT_AN_ADDRESS in page(refused), bad
    assert admin.execute(
        "select count(*) as n from public.estimate_links where estimate_id = %s", [sent]
    ).fetchone() == {"n": 0}

    made = client.submit(f"/estimates/{sent}/send", {"to": ""}, follow_redirects=True)
    assert "Link made: open it on the customer" in page(made) and LINK.search(page(made))
    assert messages(admin, "estimate_sent") == []


@pytest.mark.promise("P-15")
def test_nothing_goes_to_a_customer_who_asked_not_to_be_contacted(
    app: Flask, client: Client, company: Shop, make: Factory, admin: Connection
):
    dana = customer(make, admin, company.id, "sms", phone=PHONE, do_not_contact=True)
    sent = estimate(make, admin, company.id, dana)

    response = client.submit(f"/estimates/{sent}/send", {"to": PHONE}, follow_redirects=True)

    assert "no message goes to (508) 555-0142" in page(response)
    assert "The customer asked not to be contacted." in page(response)
    [text] = messages(admin, "estimate_sent", sent)
    assert text["status"] == "blocked"
    assert text["blocked_reason"] == "The customer asked not to be contacted."
    # A message that will never leave keeps no usable link; the office's link still works.
    assert not LINK.search(text["body"]) and "/estimate/[link]" in text["body"]
    link_opens(app, "estimate", token_in(page(response)), sent)


def test_the_companys_wording_is_used_and_a_kind_turned_off_sends_nothing(
    client: Client, company: Shop, make: Factory, admin: Connection
):
    admin.execute(
        "insert into public.message_templates (tenant_id, kind, sms_body, email_subject,"
        " email_body) values (%s, 'estimate_sent', 'Dear {first_name}: {estimate} is ready,"
        " see {estimate_link} ({company})', 'Estimate', 'Here: {estimate_link}')",
        [company.id],
    )
    dana = customer(make, admin, company.id, "sms", phone=PHONE)
    sent = estimate(make, admin, company.id, dana)
    client.submit(f"/estimates/{sent}/send", {"to": PHONE})
    [text] = messages(admin, "estimate_sent", sent)
    token = token_in(text["body"])
    number = text["body"].split(": ", 1)[1].split(" is ready", 1)[0]
    link = LINK.search(text["body"])
    assert link is not None and link.group(2) == token
    assert text["body"] == f"Dear Dana: {number} is ready, see {link.group(0)} (Acme Heating)"

    admin.execute(
        "update public.message_templates set enabled = false where tenant_id = %s", [company.id]
    )
    again = client.submit(f"/estimates/{sent}/send", {"to": PHONE}, follow_redirects=True)
    assert "the company's settings turn this message off" in page(again)
    assert len(messages(admin, "estimate_sent", sent)) == 1  # the second link, no message
    assert LINK.search(page(again))


def test_an_invoice_goes_by_text_with_its_balance_and_due_date(
    app: Flask, client: Client, company: Shop, make: Factory, admin: Connection
):
    dana = customer(make, admin, company.id, "phone", phone=PHONE)  # calls: texts
    bill = invoice(make, company.id, dana)

    assert proposed(client, f"/invoices/{bill}") == "(508) 555-0142"
    client.submit(f"/invoices/{bill}/send", {"to": "(508) 555-0142"})

    [text] = messages(admin, "invoice_sent", bill)
    assert (text["channel"], text["to_address"]) == ("sms", PHONE)
    assert "$240.00 due" in text["body"] and text["body"].startswith(
        "Acme Heating sent you invoice"
    )
    link_opens(app, "invoice", token_in(text["body"]), bill)
    sent_to = admin.execute(
        "select sent_to from public.invoice_links where invoice_id = %s", [bill]
    ).fetchone()
    assert sent_to == {"sent_to": PHONE}


def test_an_invoice_proposes_its_billing_email_to_a_customer_who_prefers_email(
    client: Client, company: Shop, make: Factory, admin: Connection
):
    dana = customer(make, admin, company.id, "email", phone=PHONE, email="dana@homes.example")
    bill = invoice(make, company.id, dana)
    admin.execute(
        "update public.invoices set bill_to_email = 'ap@reyes.example' where id = %s", [bill]
    )
    assert proposed(client, f"/invoices/{bill}") == "ap@reyes.example"


def technicians_invoice(
    make: Factory, admin: Connection, status: str = "draft"
) -> tuple[Shop, Member, UUID]:
    """A company, a technician with a visit tomorrow for Dana's job, and that job's invoice."""
    company = shop(make, admin)
    tech = technician(make, admin, company.id)
    dana = customer(make, admin, company.id, "sms", phone=PHONE, email="dana@homes.example")
    place = make.property(company.id, dana)
    job = make.job(company.id, place)
    make.visit(
        company.id, job, datetime.now(UTC) + timedelta(days=1), technicians=(tech.account_id,)
    )
    bill = make.invoice(company.id, place, job, lines=("80.00",))
    admin.execute(
        "update public.invoices set bill_to_email = 'dana@homes.example' where id = %s", [bill]
    )
    if status == "sent":
        admin.execute(
            "update public.invoices set status = 'sent', sent_at = now() where id = %s", [bill]
        )
    return company, tech, bill


@pytest.mark.promise("P-02")
def test_a_technician_sends_only_to_the_customer_in_the_companys_wording(
    database: TestDatabase, make: Factory, admin: Connection
):
    company, tech, bill = technicians_invoice(make, admin)
    admin.execute(
        "insert into public.message_templates (tenant_id, kind, sms_body, email_subject,"
        " email_body) values (%s, 'invoice_sent', 'Your bill {invoice}: {invoice_link}',"
        " 'Bill', 'Bill {invoice}: {invoice_link}')",
        [company.id],
    )
    send = "select * from app.send_invoice(%s, 'sms', %s, '', 'Pay: {invoice_link}')"
    with acting_as(database, claims_of(tech)) as conn:
        with pytest.raises(psycopg.errors.CheckViolation), conn.transaction():
            conn.execute(send, [bill, "+15085550199"])  # not the customer's number
        made = conn.execute(send, [bill, PHONE]).fetchone()
        assert made is not None and made["message_status"] == "queued"
        # The company's wording, which a technician may not read from its table.
        assert conn.execute("select sms_body from public.message_templates").fetchall() == []
        assert conn.execute("select * from app.message_template('invoice_sent')").fetchone() == {
            "enabled": True,
            "sms_body": "Your bill {invoice}: {invoice_link}",
            "email_subject": "Bill",
            "email_body": "Bill {invoice}: {invoice_link}",
        }


def test_the_technicians_also_email_it_uses_the_companys_wording(
    app: Flask, make: Factory, admin: Connection
):
    company, tech, bill = technicians_invoice(make, admin, status="sent")
    admin.execute(
        "insert into public.message_templates (tenant_id, kind, sms_body, email_subject,"
        " email_body) values (%s, 'invoice_sent', 'x {invoice_link}', 'Your bill {invoice}',"
        " 'Pay {invoice} ({balance}) here: {invoice_link}')",
        [company.id],
    )
    phone: Client = app.test_client()  # type: ignore[assignment]
    phone.sign_in(tech.email)
    response = phone.submit(f"/my-day/invoices/{bill}/payment-link", {"email_too": "y"})
    assert response.status_code == 200

    [mail] = messages(admin, "invoice_sent", bill)
    assert (mail["channel"], mail["to_address"]) == ("email", "dana@homes.example")
    assert mail["subject"].startswith("Your bill INV-")
    assert mail["body"].startswith("Pay INV-") and "($80.00) here: http" in mail["body"]
    assert token_in(mail["body"]) in page(response)  # the link on the phone is the emailed one
