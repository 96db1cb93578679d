"""The homeowner's invoice link: sent by the office (the message queued, earlier links
revoked), traded for the session on first use so that no later URL, page or log line holds the
token, showing that one invoice (the same document as the office's, with what is due) and its
PDF; links of drafts, void invoices, revoked, year-old, unknown or another company's links open
nothing; an erased customer's links are gone."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from flask import Flask, template_rendered

from app import crypto
from app.access_log import redact
from app.db import Connection
from tests.audit.support import committing
from tests.auth.test_access_log import Browser, _read_when_flushed, gunicorn  # noqa: F401
from tests.conftest import Client, TestDatabase
from tests.estimates.test_pdf import pdf_text
from tests.factories import Factory
from tests.invoices.test_invoices import Office, add_line, pay, row_of, start, text
from tests.invoices.test_pdf import two_lines
from tests.policies.identity import acting_as, claims_of
from tests.technician.support import at, today

LINK = re.compile(r"https?://[^/\s]+/invoice/([A-Za-z0-9_-]{43})")


@pytest.fixture
def office(make: Factory, client: Client) -> Office:
    return Office(make, client)


def send(client: Client, invoice: UUID, to: str = "ruth@homes.example") -> Any:
    return client.submit(f"/invoices/{invoice}/send", {"to": to})


def emailed_token(admin: Connection, to: str = "ruth@homes.example") -> str:
    message = admin.execute(
        "select subject, body from public.messages where kind = 'invoice_sent'"
        " and to_address = %s order by created_at desc limit 1",
        [to],
    ).fetchone()
    assert message is not None
    found = LINK.search(message["body"])
    assert found, message["body"]
    return found.group(1)


def sent(client: Client, office: Office, admin: Connection) -> tuple[UUID, str]:
    """INV-1001 (a taxed 200.00 line and an untaxed 100.00 one: 317.00) sent by email."""
    invoice = two_lines(client, office)
    assert send(client, invoice).status_code == 302
    return invoice, emailed_token(admin)


def opened(app: Flask, token: str) -> Any:
    homeowner = app.test_client()
    response = homeowner.get(f"/invoice/{token}")
    assert response.status_code == 303, response.status_code
    return homeowner


def link_rows(admin: Connection, invoice: UUID) -> list[dict[str, Any]]:
    return admin.execute(
        "select sent_to, revoked_at from public.invoice_links where invoice_id = %s"
        " order by created_at",
        [invoice],
    ).fetchall()


@pytest.mark.promise("P-01")
def test_the_link_is_traded_for_the_session_and_opens_only_its_invoice(
    app: Flask, client: Client, office: Office, admin: Connection, make: Factory
) -> None:
    invoice, token = sent(client, office, admin)
    message = admin.execute(
        "select subject, body from public.messages where kind = 'invoice_sent'"
    ).fetchone()
    assert message is not None and message["subject"].startswith("Invoice INV-1001 from ")
    assert "Balance due: $317.00" in message["body"]
    assert row_of(admin, invoice)["status"] == "sent"

    homeowner = app.test_client()
    first = homeowner.get(f"/invoice/{token}")
    assert first.status_code == 303 and first.headers["Referrer-Policy"] == "no-referrer"
    assert first.headers["Location"].endswith(f"/invoice/view/{invoice}")
    assert token not in first.headers["Location"]
    rendered: list[dict[str, Any]] = []

    def remember(sender: Flask, template: Any, context: dict[str, Any], **extra: Any) -> None:
        rendered.append({"name": template.name, **context})

    with template_rendered.connected_to(remember, app):
        page = homeowner.get(first.headers["Location"])
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    body = text(page)
    assert "INV-1001" in body and "Ruth Alvarez" in body and "$317.00" in body
    assert "Balance due" in body and "State 6.25%" in body and token not in body
    assert f'href="/invoice/view/{invoice}/invoice.pdf"' in body
    assert re.search(r"\$317\.00 due on <time[^>]*>[^<]+</time>", body), body
    shown = next(r for r in rendered if r["name"] == "invoices/for_customer.html")
    assert (shown["balance"], shown["currency"], shown["payable"]) == (
        Decimal("317.00"),
        "USD",
        True,
    )
    # The place a payment button goes: the page's pay_now block (empty until then).
    assert "pay_now" in app.jinja_env.get_template("invoices/for_customer.html").blocks
    # Another browser, or another invoice of the same company in this one: nothing.
    other = make.invoice(office.tenant.id, office.property, lines=("90.00",), status="sent")
    assert app.test_client().get(f"/invoice/view/{invoice}").status_code == 404
    assert homeowner.get(f"/invoice/view/{other}").status_code == 404
    assert homeowner.get(f"/invoice/view/{other}/invoice.pdf").status_code == 404
    stranger: Client = app.test_client()  # type: ignore[assignment]
    stranger.sign_in(make.member(make.tenant().id, "owner").email)
    assert stranger.get(f"/invoice/view/{invoice}").status_code == 404


@pytest.mark.promise("P-01")
def test_another_companys_token_under_this_invoice_opens_nothing(
    app: Flask, client: Client, office: Office, admin: Connection, make: Factory
) -> None:
    invoice, _ = sent(client, office, admin)
    theirs = make.tenant("Beta Boilers")
    their_invoice = make.invoice(theirs.id, lines=("55.00",), status="sent")
    their_token = crypto.new_token()
    admin.execute(
        "insert into public.invoice_links (tenant_id, invoice_id, token_hash) values (%s, %s, %s)",
        [theirs.id, their_invoice, crypto.token_hash(their_token)],
    )
    forger = app.test_client()
    with forger.session_transaction() as kept:
        kept[f"invoice:{invoice}"] = their_token  # a token of B under A's invoice
    response = forger.get(f"/invoice/view/{invoice}")
    assert response.status_code == 410
    assert "INV-1001" not in text(response) and "Ruth Alvarez" not in text(response)
    assert forger.get(f"/invoice/view/{invoice}/invoice.pdf").status_code == 404
    # The token itself opens B's invoice only.
    assert opened(app, their_token).get(f"/invoice/view/{their_invoice}").status_code == 200


def closed(app: Flask, token: str) -> None:
    response = app.test_client().get(f"/invoice/{token}")
    assert response.status_code == 410, response.status_code
    assert "This link no longer works" in text(response)
    assert "INV-" not in text(response) and response.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.promise("P-01")
def test_sending_again_revokes_the_earlier_link_and_the_office_revokes_the_last(
    app: Flask, client: Client, office: Office, admin: Connection
) -> None:
    invoice, first = sent(client, office, admin)
    holder = opened(app, first)
    assert send(client, invoice, "").status_code == 302  # a new link, without an email
    closed(app, first)
    gone = holder.get(f"/invoice/view/{invoice}")  # the browser that held it: closed too
    assert gone.status_code == 410 and "$317.00" not in text(gone)
    rows = link_rows(admin, invoice)
    assert [r["sent_to"] for r in rows] == ["ruth@homes.example", ""]
    assert rows[0]["revoked_at"] is not None and rows[1]["revoked_at"] is None
    newest = admin.execute(
        "select id from public.invoice_links where invoice_id = %s and revoked_at is null",
        [invoice],
    ).fetchone()
    assert newest is not None
    assert "Withdraw this link" in text(client.get(f"/invoices/{invoice}"))
    assert client.submit(f"/invoices/links/{newest['id']}/revoke").status_code == 302
    assert all(r["revoked_at"] is not None for r in link_rows(admin, invoice))
    closed(app, "x" * 43)


@pytest.mark.promise("P-01")
def test_links_of_drafts_void_and_year_old_invoices_open_nothing(
    app: Flask, client: Client, office: Office, admin: Connection, make: Factory
) -> None:
    draft = make.invoice(office.tenant.id, office.property, lines=("40.00",))
    token = crypto.new_token()
    admin.execute(
        "insert into public.invoice_links (tenant_id, invoice_id, token_hash) values (%s, %s, %s)",
        [office.tenant.id, draft, crypto.token_hash(token)],
    )
    closed(app, token)

    invoice, voided = sent(client, office, admin)
    holder = opened(app, voided)
    assert client.submit(f"/invoices/{invoice}/void", {"void_reason": "Billed twice"}).status_code
    closed(app, voided)
    assert holder.get(f"/invoice/view/{invoice}").status_code == 410
    assert holder.get(f"/invoice/view/{invoice}/invoice.pdf").status_code == 404
    assert send(client, invoice).status_code == 302
    assert "A void invoice is not sent." in text(client.get(f"/invoices/{invoice}"))
    assert len(link_rows(admin, invoice)) == 1

    later = make.invoice(office.tenant.id, office.property, lines=("60.00",))
    assert send(client, later, "ruth@homes.example").status_code == 302
    aging = emailed_token(admin)
    opened(app, aging)
    admin.execute(
        "update public.invoice_links set created_at = now() - interval '1 year' - interval '1 day'"
        " where invoice_id = %s",
        [later],
    )
    closed(app, aging)
    admin.execute(
        "update public.invoice_links set created_at = now() - interval '364 days'"
        " where invoice_id = %s",
        [later],
    )
    assert app.test_client().get(f"/invoice/{aging}").status_code == 303  # control


@pytest.mark.promise("P-06")
def test_the_token_is_in_no_later_url_page_or_log_line(
    app: Flask,
    client: Client,
    office: Office,
    admin: Connection,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    invoice, token = sent(client, office, admin)
    homeowner = app.test_client()
    responses = [homeowner.get(f"/invoice/{token}", follow_redirects=True)]
    responses.append(homeowner.get(f"/invoice/view/{invoice}/invoice.pdf"))
    assert [r.status_code for r in responses] == [200, 200]
    assert responses[0].request.path == f"/invoice/view/{invoice}"
    for response in responses:
        assert token.encode() not in response.data
        assert token not in str(response.headers)
    assert caplog.records  # the requests were logged
    for record in caplog.records:
        assert token not in record.getMessage()
    assert token not in redact(f'"GET /invoice/{token} HTTP/1.1"')
    kept = f"/invoice/view/{invoice}"
    assert redact(kept) == kept


@pytest.mark.promise("P-06")
def test_the_access_log_of_the_invoice_link_holds_no_token(
    gunicorn: tuple[str, Path],  # noqa: F811
    admin: Connection,
    make: Factory,
) -> None:
    base_url, log = gunicorn
    tenant = make.tenant()
    invoice = make.invoice(tenant.id, lines=("80.00",), status="sent")
    token = crypto.new_token()
    admin.execute(
        "insert into public.invoice_links (tenant_id, invoice_id, token_hash) values (%s, %s, %s)",
        [tenant.id, invoice, crypto.token_hash(token)],
    )
    browser = Browser(base_url)
    status, path, page = browser.request(f"/invoice/{token}")
    assert (status, path) == (200, f"/invoice/view/{invoice}") and "$80.00" in page
    with browser.opener.open(f"{base_url}/invoice/view/{invoice}/invoice.pdf") as pdf:
        assert pdf.status == 200 and pdf.read().startswith(b"%PDF")
    logged = _read_when_flushed(log, f"/invoice/view/{invoice}/invoice.pdf")
    assert token not in logged
    assert f"GET {redact(f'/invoice/{token}')} HTTP/1.1" in logged
    assert f"GET /invoice/view/{invoice} HTTP/1.1" in logged


def test_the_pdf_from_the_link_has_the_totals_the_payments_and_the_balance(
    app: Flask, client: Client, office: Office, admin: Connection
) -> None:
    invoice, token = sent(client, office, admin)
    assert pay(client, invoice, "50.00").status_code == 302
    homeowner = opened(app, token)
    response = homeowner.get(f"/invoice/view/{invoice}/invoice.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="INV-1001.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    found = pdf_text(response.data)
    assert office.tenant.name in found and "INV-1001" in found and "Ruth Alvarez" in found
    assert "Blower motor" in found and "Subtotal" in found and "$300.00" in found
    assert "State 6.25%" in found and "$12.50" in found
    assert "City 2.25%" in found and "$4.50" in found and "$317.00" in found
    assert "Payments received" in found and "$50.00" in found and "Cheque" in found
    assert "Balance due" in found and "$267.00" in found and "Due on" in found
    assert "Cheque 1042" not in found  # a payment's reference stays the office's
    assert "Net 30" in found
    page = text(homeowner.get(f"/invoice/view/{invoice}"))
    assert "$267.00 due on" in page
    office_pdf = pdf_text(client.get(f"/invoices/{invoice}/invoice.pdf").data)
    assert office_pdf == found  # the same document
    assert app.test_client().get(f"/invoice/view/{invoice}/invoice.pdf").status_code == 404
    assert pay(client, invoice, "267.00").status_code == 302
    assert "Paid in full" in text(homeowner.get(f"/invoice/view/{invoice}"))


def test_a_link_made_without_an_email_is_shown_once_and_mark_sent_sends_nothing(
    client: Client, office: Office, admin: Connection
) -> None:
    invoice = start(client, office, property_id=str(office.property))
    refused = send(client, invoice, "")
    assert refused.status_code == 422 and "Add at least one line" in text(refused)
    assert row_of(admin, invoice)["status"] == "draft"
    assert add_line(client, invoice).status_code == 302
    bad = send(client, invoice, "not an address")
    assert bad.status_code == 422 and "Enter an email address" in text(bad)
    assert link_rows(admin, invoice) == [] and row_of(admin, invoice)["status"] == "draft"
    assert send(client, invoice, "").status_code == 302
    assert LINK.search(text(client.get(f"/invoices/{invoice}")))
    assert not LINK.search(text(client.get(f"/invoices/{invoice}")))
    other = start(client, office, property_id=str(office.property))
    assert add_line(client, other).status_code == 302
    assert client.submit(f"/invoices/{other}/sent").status_code == 302
    assert row_of(admin, other)["status"] == "sent" and link_rows(admin, other) == []
    assert admin.execute(
        "select count(*) as n from public.messages where kind = 'invoice_sent'"
    ).fetchone() == {"n": 0}


@pytest.mark.promise("P-02")
def test_the_technician_of_the_job_sends_its_invoice_and_no_other(
    database: TestDatabase, make: Factory, admin: Connection
) -> None:
    tenant = make.tenant()
    tech = make.member(tenant.id, "technician")
    prop = make.property(tenant.id, make.customer(tenant.id))
    mine, theirs = make.job(tenant.id, prop), make.job(tenant.id, prop)
    admin.execute(
        "insert into public.working_hours (tenant_id, technician_id, weekday, starts_at,"
        " ends_at) select %s, %s, d, '00:00', '23:59' from generate_series(1, 7) d",
        [tenant.id, tech.account_id],
    )
    make.visit(tenant.id, mine, at(today() + timedelta(days=1), 12), technicians=(tech.account_id,))
    own = make.invoice(tenant.id, prop, mine, lines=("80.00",))
    other = make.invoice(tenant.id, prop, theirs, lines=("90.00",))
    with acting_as(database, claims_of(tech)) as conn:
        token = conn.execute(
            "select token as t from app.send_invoice(%s, null, '', '', '')", [own]
        ).fetchone()
        assert token is not None and len(token["t"]) == 43
        with pytest.raises(psycopg.errors.NoDataFound), conn.transaction():
            conn.execute("select app.send_invoice(%s, null, '', '', '')", [other])


@pytest.mark.promise("P-10")
def test_an_erased_customers_invoice_links_are_gone(
    app: Flask, client: Client, office: Office, admin: Connection, database: TestDatabase
) -> None:
    invoice, token = sent(client, office, admin)
    with committing(database, claims_of(office.tenant.owner)) as conn:
        conn.execute("select app.erase_customer(%s)", [office.customer])
    assert link_rows(admin, invoice) == []
    closed(app, token)
    stored = hashlib.sha256(token.encode()).digest()
    assert admin.execute(
        "select count(*) as n from public.invoice_links where token_hash = %s", [stored]
    ).fetchone() == {"n": 0}
