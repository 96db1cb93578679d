"""An approved estimate's deposit, paid by the homeowner through Stripe Checkout from the
estimate's link, then credited to the invoice of the estimate's job when it is sent."""

from __future__ import annotations

import html
from uuid import UUID

from flask import Flask

from app.db import Connection
from tests.conftest import Client
from tests.estimates.test_estimates import Office
from tests.estimates.test_links import approve, opened, sent
from tests.factories import Factory
from tests.payments.conftest import SECRET_KEY, WEBHOOK_SECRET, event, post_event
from tests.payments.stripe_server import FakeStripe


def _connect(app: Flask, office: Office, percent: str) -> str:
    owner: Client = app.test_client()  # type: ignore[assignment]
    owner.sign_in(office.tenant.owner.email)
    response = owner.submit(
        "/company/payments",
        {"secret_key": SECRET_KEY, "webhook_secret": WEBHOOK_SECRET, "deposit_percent": percent},
    )
    assert response.status_code == 303
    return response.headers["Location"]


def _endpoint(admin: Connection, office: Office) -> str:
    row = admin.execute(
        "select endpoint_id from public.stripe_accounts where tenant_id = %s", [office.tenant.id]
    ).fetchone()
    assert row is not None
    return str(row["endpoint_id"])


def _approved(app: Flask, client: Client, office: Office, admin: Connection) -> tuple[UUID, Client]:
    estimate, token = sent(client, office, admin)
    homeowner: Client = opened(app, token)
    option = admin.execute(
        "select id from public.estimate_options where estimate_id = %s order by position",
        [estimate],
    ).fetchone()
    assert option is not None
    assert approve(homeowner, estimate, option["id"]).status_code == 303
    return estimate, homeowner


def test_a_deposit_is_paid_by_link_and_credited_to_the_estimates_invoice(
    app: Flask,
    client: Client,
    make: Factory,
    admin: Connection,
    stripe_server: FakeStripe,
) -> None:
    office = Office(make, client)
    _connect(app, office, "25")
    estimate, homeowner = _approved(app, client, office, admin)
    page = html.unescape(homeowner.get(f"/estimate/view/{estimate}").get_data(as_text=True))
    # 4,200.00 + 6.25% + 2.25% = 4,557.00; a quarter of it:
    assert "Pay deposit of $1,139.25" in page
    response = homeowner.post(
        f"/estimate/view/{estimate}/deposit", data={"csrf_token": homeowner.csrf_token()}
    )
    assert response.status_code == 303
    session = stripe_server.sessions[response.headers["Location"].rsplit("/", 1)[1]]
    assert session["amount_total"] == 113925 and session["metadata"]["kind"] == "deposit"
    assert session["success_url"].endswith(f"/estimate/view/{estimate}?deposit=paid")
    stripe_server.pay(session["id"])
    payload = event("checkout.session.completed", dict(session))
    answer = post_event(homeowner, _endpoint(admin, office), payload)
    assert answer.get_data(as_text=True) == "paid"
    page = html.unescape(homeowner.get(f"/estimate/view/{estimate}").get_data(as_text=True))
    assert "Pay deposit" not in page
    # The invoice made for the estimate's job takes the deposit when it is sent.
    job = admin.execute("select job_id from public.estimates where id = %s", [estimate]).fetchone()
    assert job is not None
    invoice = admin.execute(
        "insert into public.invoices (tenant_id, customer_id, property_id, job_id, estimate_id,"
        " issued_on, currency, bill_to_name, number) values (%s, %s, %s, %s, %s, current_date,"
        " 'USD', 'Ruth Alvarez', 0) returning id",
        [office.tenant.id, office.customer, office.property, job["job_id"], estimate],
    ).fetchone()
    assert invoice is not None
    make.invoice_line(office.tenant.id, invoice["id"], "4557.00")
    admin.execute(
        "update public.invoices set status = 'sent', sent_at = now() where id = %s", [invoice["id"]]
    )
    paid = admin.execute(
        "select i.status, t.paid::text, p.method, p.reference from public.invoices i"
        " join public.invoice_totals t on t.invoice_id = i.id"
        " join public.payments p on p.invoice_id = i.id where i.id = %s",
        [invoice["id"]],
    ).fetchall()
    assert [(r["status"], r["paid"], r["method"]) for r in paid] == [
        ("partly_paid", "1139.25", "stripe")
    ]
    assert paid[0]["reference"].startswith("Deposit on EST-")


def test_no_deposit_is_offered_without_a_percentage(
    app: Flask, client: Client, make: Factory, admin: Connection
) -> None:
    office = Office(make, client)
    _connect(app, office, "0")
    estimate, homeowner = _approved(app, client, office, admin)
    page = homeowner.get(f"/estimate/view/{estimate}").get_data(as_text=True)
    assert "Pay deposit" not in page
    response = homeowner.post(
        f"/estimate/view/{estimate}/deposit", data={"csrf_token": homeowner.csrf_token()}
    )
    assert response.status_code == 303 and "stripe" not in response.headers["Location"]
    assert admin.execute("select count(*) as n from public.payment_attempts").fetchone() == {"n": 0}
