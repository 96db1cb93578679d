"""An invoice's balance paid by the homeowner through Stripe Checkout from the invoice's link:
the page offers "Pay $X now" only when the company takes payments online, the POST makes one
attempt (a second click reuses it), Stripe's signed webhook marks the invoice paid, and a
closed or foreign link pays nothing."""

from __future__ import annotations

import html
from typing import Any
from uuid import UUID

import pytest
from flask import Flask

from app.db import Connection
from app.security import content_security_policy
from tests.conftest import Client, TestDatabase, make_settings
from tests.factories import Factory
from tests.invoices.test_invoices import Office
from tests.invoices.test_links import opened, sent
from tests.payments.conftest import (
    SECRET_KEY,
    WEBHOOK_SECRET,
    event,
    invoice_state,
    post_event,
)
from tests.payments.stripe_server import FakeStripe


def _connect(app: Flask, office: Office, admin: Connection) -> str:
    """The company's Stripe keys saved by its owner; its webhook endpoint id."""
    owner: Client = app.test_client()  # type: ignore[assignment]
    owner.sign_in(office.tenant.owner.email)
    response = owner.submit(
        "/company/payments",
        {"secret_key": SECRET_KEY, "webhook_secret": WEBHOOK_SECRET, "deposit_percent": "0"},
    )
    assert response.status_code == 303
    row = admin.execute(
        "select endpoint_id from public.stripe_accounts where tenant_id = %s", [office.tenant.id]
    ).fetchone()
    assert row is not None
    return str(row["endpoint_id"])


def _online(
    app: Flask, client: Client, make: Factory, admin: Connection
) -> tuple[Office, Any, UUID, str]:
    """A company taking payments online, its INV-1001 (317.00) sent, and the homeowner's browser
    that opened its link; the company's webhook endpoint id."""
    office = Office(make, client)
    endpoint = _connect(app, office, admin)
    invoice, token = sent(client, office, admin)
    return office, opened(app, token), invoice, endpoint


def _page(homeowner: Any, invoice: UUID, query: str = "") -> str:
    response = homeowner.get(f"/invoice/view/{invoice}{query}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def _pay(homeowner: Any, invoice: UUID) -> Any:
    return homeowner.post(
        f"/invoice/view/{invoice}/pay", data={"csrf_token": homeowner.csrf_token()}
    )


def _attempts(admin: Connection, invoice: UUID) -> list[dict[str, Any]]:
    return admin.execute(
        "select status, amount::text, checkout_session_id from public.payment_attempts"
        " where invoice_id = %s order by created_at",
        [invoice],
    ).fetchall()


def test_the_homeowner_pays_the_balance_from_the_link_and_the_webhook_marks_it_paid(
    app: Flask, client: Client, make: Factory, admin: Connection, stripe_server: FakeStripe
) -> None:
    _, homeowner, invoice, endpoint = _online(app, client, make, admin)
    page = _page(homeowner, invoice)
    assert "Pay $317.00 now" in page and "To pay, call" not in page

    first = _pay(homeowner, invoice)
    assert first.status_code == 303 and first.headers["Referrer-Policy"] == "no-referrer"
    session_id = first.headers["Location"].rsplit("/", 1)[1]
    session = stripe_server.sessions[session_id]
    assert session["amount_total"] == 31700 and session["metadata"]["kind"] == "invoice"
    assert session["metadata"]["document_id"] == str(invoice)
    assert session["success_url"].endswith(f"/invoice/view/{invoice}?payment=paid")
    assert session["cancel_url"].endswith(f"/invoice/view/{invoice}?payment=cancelled")
    # A double click: the same attempt and the same Checkout page, no second session.
    second = _pay(homeowner, invoice)
    assert second.headers["Location"] == first.headers["Location"]
    assert _attempts(admin, invoice) == [
        {"status": "open", "amount": "317.00", "checkout_session_id": session_id}
    ]

    back = _page(homeowner, invoice, "?payment=paid")
    assert "Thank you: your payment is being confirmed" in back
    stripe_server.pay(session_id)
    payload = event("checkout.session.completed", dict(stripe_server.sessions[session_id]))
    answer = post_event(homeowner, endpoint, payload)
    assert answer.get_data(as_text=True) == "paid"
    assert invoice_state(admin, invoice) == ("paid", "317.00", "0.00")
    done = _page(homeowner, invoice, "?payment=paid")
    assert "Paid in full: thank you." in done
    assert "being confirmed" not in done and "Pay $" not in done
    # Paid: the POST makes nothing more.
    again = _pay(homeowner, invoice)
    assert again.headers["Location"].endswith(f"/invoice/view/{invoice}")
    assert [a["status"] for a in _attempts(admin, invoice)] == ["paid"]


def test_a_cancelled_checkout_leaves_the_button(
    app: Flask, client: Client, make: Factory, admin: Connection, stripe_server: FakeStripe
) -> None:
    _, homeowner, invoice, _ = _online(app, client, make, admin)
    assert _pay(homeowner, invoice).status_code == 303
    page = _page(homeowner, invoice, "?payment=cancelled")
    assert "The payment was not made" in page and "Pay $317.00 now" in page
    assert invoice_state(admin, invoice) == ("sent", "0.00", "0.00")


@pytest.mark.promise("P-01")
def test_a_closed_or_foreign_link_pays_nothing(
    app: Flask, client: Client, make: Factory, admin: Connection, stripe_server: FakeStripe
) -> None:
    office, homeowner, invoice, _ = _online(app, client, make, admin)

    def sessions() -> list[dict[str, Any]]:
        return list(stripe_server.sessions.values())

    # Without the page's CSRF token: refused.
    assert homeowner.post(f"/invoice/view/{invoice}/pay").status_code == 400
    # Another browser, or one holding no link to it, of any company: 404.
    stranger: Client = app.test_client()  # type: ignore[assignment]
    assert _pay(stranger, invoice).status_code == 404
    other = make.invoice(office.tenant.id, office.property, lines=("90.00",), status="sent")
    assert _pay(homeowner, other).status_code == 404
    # A token of this invoice kept under another invoice's id opens nothing there.
    with homeowner.session_transaction() as kept:
        kept[f"invoice:{other}"] = kept[f"invoice:{invoice}"]
    assert _pay(homeowner, other).status_code == 410
    # The office revokes the link: closed, nothing made.
    admin.execute(
        "update public.invoice_links set revoked_at = now() where invoice_id = %s", [invoice]
    )
    response = _pay(homeowner, invoice)
    assert response.status_code == 410 and "INV-1001" not in response.get_data(as_text=True)
    assert admin.execute("select count(*) as n from public.payment_attempts").fetchone() == {"n": 0}
    assert not any(s["metadata"]["document_id"] == str(invoice) for s in sessions())


def test_without_stripe_the_page_says_how_to_pay_and_the_post_changes_nothing(
    app: Flask, client: Client, make: Factory, admin: Connection
) -> None:
    office = Office(make, client)
    invoice, token = sent(client, office, admin)
    homeowner = opened(app, token)
    page = _page(homeowner, invoice)
    assert "Pay $" not in page and f'action="/invoice/view/{invoice}/pay"' not in page
    assert "To pay, call" in page and "quote invoice INV-1001" in page
    response = _pay(homeowner, invoice)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/invoice/view/{invoice}")
    assert admin.execute("select count(*) as n from public.payment_attempts").fetchone() == {"n": 0}
    assert invoice_state(admin, invoice) == ("sent", "0.00", "0.00")


@pytest.mark.promise("P-06")
def test_a_pay_forms_answer_may_lead_to_stripe_checkout_and_nowhere_else(
    app: Flask, database: TestDatabase, stripe_server: FakeStripe
) -> None:
    """A browser follows a form's redirect only to an origin `form-action` names: Stripe's
    Checkout (here the loopback Stripe, which serves its page), and nothing else."""
    csp = app.test_client().get("/sign-in").headers["Content-Security-Policy"]
    assert f"form-action 'self' {stripe_server.url};" in csp
    assert "form-action 'self' https://checkout.stripe.com;" in content_security_policy(
        make_settings(database)
    )


def test_a_checkout_a_day_old_is_replaced_by_a_new_one(
    app: Flask, client: Client, make: Factory, admin: Connection, stripe_server: FakeStripe
) -> None:
    _, homeowner, invoice, _ = _online(app, client, make, admin)
    first = _pay(homeowner, invoice).headers["Location"]
    # Stripe closes a Checkout session 24 hours after it is made: the next day's click must not
    # reuse it.
    admin.execute(
        "update public.payment_attempts set created_at = now() - interval '23 hours 1 minute'"
        " where invoice_id = %s",
        [invoice],
    )
    second = _pay(homeowner, invoice).headers["Location"]
    assert second != first
    attempts = _attempts(admin, invoice)
    assert [(a["status"], a["amount"]) for a in attempts] == [
        ("replaced", "317.00"),
        ("open", "317.00"),
    ]
    assert second.rsplit("/", 1)[1] == attempts[1]["checkout_session_id"]
    assert _pay(homeowner, invoice).headers["Location"] == second  # reused within the day
