"""The invoice's link on the technician's phone: made on request for a sent or partly paid
invoice with a balance, shown once as a QR code with the address to copy, for the homeowner to
open on their own phone (the invoice and what is due, or a card payment when the company takes
them); emailed too when asked; a new link withdraws the earlier one. Another technician's
invoice is 404; a draft, void or paid invoice offers no link; the token is on that one answer
only."""

from __future__ import annotations

import logging
import re
from typing import Any
from uuid import UUID

import pytest
from flask import Flask

from app import qr
from tests.conftest import Client
from tests.factories import Factory
from tests.technician.support import Day, html, today

pytestmark = pytest.mark.promise("P-02")
LINK = re.compile(r"https?://[^\s\"<]+/invoice/([A-Za-z0-9_-]{43})")
SHOW = "Show a payment link"


@pytest.fixture
def invoice(make: Factory, day: Day) -> UUID:
    """A sent invoice of the technician's job: one line of 100.00, billed to Dana by email."""
    found = make.invoice(day.tenant.id, day.place, day.job, lines=("100.00",))
    make.conn.execute(
        "update public.invoices set bill_to_email = 'dana@homes.example' where id = %s", [found]
    )
    make.conn.execute(
        "update public.invoices set status = 'sent', sent_at = now() where id = %s", [found]
    )
    return found


def _pay(tech: Client, invoice: UUID, amount: str) -> None:
    response = tech.submit(
        f"/my-day/invoices/{invoice}/payments",
        {"amount": amount, "method": "cash", "received_on": today().isoformat()},
    )
    assert response.status_code == 302, html(response)


def _make_link(tech: Client, invoice: UUID, **form: str) -> tuple[Any, str]:
    response = tech.submit(f"/my-day/invoices/{invoice}/payment-link", form)
    assert response.status_code == 200, html(response)
    found = LINK.search(html(response))
    assert found, html(response)
    return response, found.group(1)


def _links(admin, invoice: UUID) -> list[dict[str, Any]]:
    return admin.execute(
        "select sent_to, revoked_at is not null as withdrawn from public.invoice_links"
        " where invoice_id = %s order by created_at",
        [invoice],
    ).fetchall()


def _emails(admin) -> list[str]:
    rows = admin.execute(
        "select to_address from public.messages where kind = 'invoice_sent' order by created_at"
    ).fetchall()
    return [row["to_address"] for row in rows]


def test_the_link_opens_the_invoice_with_its_balance_on_the_homeowners_phone(
    app: Flask, tech: Client, admin, invoice: UUID
):
    _pay(tech, invoice, "40.00")  # partly paid: 60.00 due
    assert SHOW in html(tech.get(f"/my-day/invoices/{invoice}"))

    response, token = _make_link(tech, invoice)

    page = html(response)
    assert '<svg viewBox="' in page and 'role="img"' in page  # the QR code, sized by the page
    assert f'value="{LINK.search(page).group(0)}"' in page  # type: ignore[union-attr]
    assert "Copy link" in page and "copy.js" in page
    assert "see how much is due" in page and "pay by card" not in page
    assert 'name="amount" type="text" value="60.00"' in page  # the payment form as before
    assert _links(admin, invoice) == [{"sent_to": "", "withdrawn": False}]
    assert _emails(admin) == []  # no email unless asked
    homeowner = app.test_client()
    opened = homeowner.get(f"/invoice/{token}")
    assert opened.status_code == 303
    shown = homeowner.get(opened.headers["Location"])
    assert shown.status_code == 200
    assert "Balance due" in html(shown) and "$60.00" in html(shown)


def test_the_code_holds_the_link(tech: Client, invoice: UUID):
    response, token = _make_link(tech, invoice)

    # The code on the page is the link's, drawn by the shared helper.
    url = LINK.search(html(response)).group(0)  # type: ignore[union-attr]
    assert token in url and qr.svg(url, sized=False) in html(response)


def test_a_new_link_withdraws_the_earlier_one(app: Flask, tech: Client, admin, invoice: UUID):
    first = _make_link(tech, invoice)[1]
    second = _make_link(tech, invoice)[1]

    assert first != second
    assert _links(admin, invoice) == [
        {"sent_to": "", "withdrawn": True},
        {"sent_to": "", "withdrawn": False},
    ]
    assert app.test_client().get(f"/invoice/{first}").status_code == 410
    assert app.test_client().get(f"/invoice/{second}").status_code == 303


def test_also_email_it_sends_the_link_to_the_customers_address(tech: Client, admin, invoice):
    page = html(tech.get(f"/my-day/invoices/{invoice}"))
    assert "Also email it to dana@homes.example" in page

    _make_link(tech, invoice, email_too="y")

    assert _links(admin, invoice) == [{"sent_to": "dana@homes.example", "withdrawn": False}]
    assert _emails(admin) == ["dana@homes.example"]


def test_without_an_email_on_file_nothing_is_emailed(tech: Client, admin, make, day: Day):
    invoice = make.invoice(day.tenant.id, day.place, day.job, lines=("100.00",), status="sent")
    assert "Also email it" not in html(tech.get(f"/my-day/invoices/{invoice}"))

    _make_link(tech, invoice, email_too="y")  # a forged tick: there is no address to use

    assert _links(admin, invoice) == [{"sent_to": "", "withdrawn": False}]
    assert _emails(admin) == []


def test_a_company_taking_cards_tells_the_technician_the_customer_can_pay_there(
    tech: Client, admin, day: Day, invoice: UUID
):
    admin.execute(
        "insert into public.stripe_accounts (tenant_id, secret_key_encrypted) values (%s, 'x')",
        [day.tenant.id],
    )

    page = html(_make_link(tech, invoice)[0])

    assert "pay by card" in page and "see how much is due" not in page


@pytest.mark.promise("P-01")
def test_another_technicians_invoice_is_404_and_gets_no_link(
    app: Flask, admin, day: Day, invoice: UUID
):
    colleague: Client = app.test_client()  # type: ignore[assignment]
    colleague.sign_in(day.other_tech.email)

    assert colleague.submit(f"/my-day/invoices/{invoice}/payment-link").status_code == 404
    assert colleague.get(f"/my-day/invoices/{invoice}").status_code == 404
    assert _links(admin, invoice) == []


@pytest.mark.parametrize("state", ["draft", "void", "paid"])
def test_a_draft_void_or_paid_invoice_offers_no_payment_link(
    tech: Client, admin, make, day: Day, state: str
):
    sent = "draft" if state == "draft" else "sent"
    invoice = make.invoice(day.tenant.id, day.place, day.job, lines=("100.00",), status=sent)
    if state == "void":
        make.conn.execute(
            "update public.invoices set status = 'void', voided_at = now(),"
            " void_reason = 'Billed twice' where id = %s",
            [invoice],
        )
    if state == "paid":
        _pay(tech, invoice, "100.00")

    assert SHOW not in html(tech.get(f"/my-day/invoices/{invoice}"))
    refused = tech.submit(f"/my-day/invoices/{invoice}/payment-link")

    assert refused.status_code == 302
    assert "only against a sent invoice" in html(tech.get(f"/my-day/invoices/{invoice}"))
    assert _links(admin, invoice) == []


@pytest.mark.promise("P-06")
def test_the_token_is_on_that_one_answer_only(
    app: Flask, tech: Client, invoice: UUID, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    made, token = _make_link(tech, invoice)
    assert token not in str(made.headers)  # not in a cookie or a header of that answer

    later = [
        tech.get(f"/my-day/invoices/{invoice}"),
        tech.get(f"/my-day/invoices/{invoice}", follow_redirects=True),
        tech.get("/my-day"),
    ]

    for response in later:
        assert response.status_code == 200
        assert token.encode() not in response.data
        assert token not in str(response.headers)
    assert token not in made.request.url  # nor in the address the access log records
    assert not [r for r in caplog.records if token in r.getMessage()]
