"""Invoices on paper: the office's PDF (a recorded read) shows the company, its logo, the bill-to,
the number, dates and terms, the lines with each tax, the payments received and the balance
due; a draft says so and a void one says VOID; the invoice page shows the same document with a
link to the PDF; another company's invoice is not found; technicians are refused."""

from __future__ import annotations

from uuid import UUID

import pytest
from flask import Flask

from app.db import Connection
from tests.conftest import Client
from tests.estimates.test_pdf import images_in, pdf_text, upload_logo
from tests.factories import Factory
from tests.invoices.test_invoices import Office, add_line, pay, start, text


@pytest.fixture
def office(make: Factory, client: Client, admin: Connection) -> Office:
    found = Office(make, client)
    admin.execute(
        "update public.tenants set licence_number = 'HVAC-123456', phone = '+13125550123',"
        " address = '12 Elm St' || chr(10) || 'Springfield, IL 62701' where id = %s",
        [found.tenant.id],
    )
    return found


def two_lines(client: Client, office: Office) -> UUID:
    """A draft INV-1001: a taxed 200.00 line and an untaxed 100.00 one (total 317.00 with State
    6.25% and City 2.25%)."""
    invoice = start(client, office, property_id=str(office.property))
    assert add_line(client, invoice, description="Blower motor", unit_price="200.00").status_code
    assert add_line(client, invoice, unit_price="100.00", taxable="").status_code == 302
    return invoice


def sent(client: Client, invoice: UUID) -> UUID:
    assert client.submit(f"/invoices/{invoice}/sent").status_code == 302
    return invoice


def accesses(admin: Connection, after: int) -> list[object]:
    rows = admin.execute(
        "select new_values from audit.changes where operation = 'access' and id > %s"
        " and table_name = 'public.invoices'",
        [after],
    ).fetchall()
    return [r["new_values"] for r in rows]


def last_change(admin: Connection) -> int:
    row = admin.execute("select coalesce(max(id), 0) as n from audit.changes").fetchone()
    return int(row["n"]) if row else 0


def test_the_pdf_shows_the_company_the_lines_the_payments_and_the_balance(
    client: Client, office: Office, admin: Connection
) -> None:
    invoice = sent(client, two_lines(client, office))
    assert pay(client, invoice, "50.00").status_code == 302
    before = last_change(admin)

    response = client.get(f"/invoices/{invoice}/invoice.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="INV-1001.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    found = pdf_text(response.data)
    assert office.tenant.name in found
    assert "Licence HVAC-123456" in found and "Springfield, IL 62701" in found
    assert "+13125550123" in found
    assert "INV-1001" in found and "Ruth Alvarez" in found and "12 Elm St" in found
    assert "Net 30" in found and "Due on" in found and "Issued on" in found
    assert "Blower motor" in found and "Haul away the old furnace" in found
    assert "Subtotal" in found and "$300.00" in found
    assert "State 6.25%" in found and "$12.50" in found
    assert "City 2.25%" in found and "$4.50" in found
    assert "$317.00" in found
    assert "Payments received" in found and "$50.00" in found and "Cheque" in found
    assert "Balance due" in found and "$267.00" in found
    assert "VOID" not in found and "Draft" not in found
    assert images_in(response.data) == 0  # no logo yet
    assert accesses(admin, before) == [{"view": "invoice", "format": "pdf"}]


def test_a_draft_says_so_and_a_void_invoice_says_void(
    client: Client, office: Office, admin: Connection
) -> None:
    invoice = two_lines(client, office)
    draft = pdf_text(client.get(f"/invoices/{invoice}/invoice.pdf").data)
    assert "Draft" in draft and "INV-1001" in draft and "$317.00" in draft
    assert "Balance due" not in draft

    sent(client, invoice)
    voided = client.submit(f"/invoices/{invoice}/void", {"void_reason": "Billed twice"})
    assert voided.status_code == 302
    response = client.get(f"/invoices/{invoice}/invoice.pdf")
    assert response.status_code == 200
    found = pdf_text(response.data)
    assert "VOID" in found and "Billed twice" in found and "INV-1001" in found
    assert "Balance due" not in found


def test_the_page_shows_the_document_the_logo_and_a_download_link(
    app: Flask, client: Client, office: Office
) -> None:
    invoice = sent(client, two_lines(client, office))
    upload_logo(app, office.tenant.owner.email)
    response = client.get(f"/invoices/{invoice}/invoice.pdf")
    assert response.status_code == 200 and images_in(response.data) == 1
    page = text(client.get(f"/invoices/{invoice}"))
    assert f'href="/invoices/{invoice}/invoice.pdf"' in page and "Download PDF" in page
    assert 'class="logo" src="data:image/png;base64,' in page
    assert "Licence HVAC-123456" in page and "Balance due" in page and "$317.00" in page


def test_another_companys_invoice_pdf_is_not_found_and_a_technician_is_refused(
    app: Flask, client: Client, office: Office, make: Factory
) -> None:
    invoice = sent(client, two_lines(client, office))
    stranger: Client = app.test_client()  # type: ignore[assignment]
    stranger.sign_in(make.member(make.tenant().id, "owner").email)
    assert stranger.get(f"/invoices/{invoice}/invoice.pdf").status_code == 404
    tech: Client = app.test_client()  # type: ignore[assignment]
    tech.sign_in(make.member(office.tenant.id, "technician").email)
    assert tech.get(f"/invoices/{invoice}/invoice.pdf").status_code == 403
    assert app.test_client().get(f"/invoices/{invoice}/invoice.pdf").status_code in (302, 401)
