"""An invoice as a document: what the office's page and the PDF show alike
(templates/invoices/_document.html), built from the office's read, so that the screen and the
paper cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app import company, db, documents, money
from app.invoices import service
from app.invoices.vocabulary import METHODS, TERMS

TEMPLATE = "invoices/invoice.pdf.html"


@dataclass(frozen=True)
class Document:
    """The company's letterhead, the invoice (with its paid and balance from the database), its
    lines, tax rates, totals by the money rule and the payments received."""

    company: company.Letterhead
    invoice: db.Row
    lines: list[db.Row]
    rates: list[money.TaxRate]
    totals: money.Totals
    payments: list[db.Row]

    @property
    def status(self) -> str:
        return str(self.invoice["status"])

    @property
    def currency(self) -> str:
        return str(self.invoice["currency"])

    @property
    def number(self) -> str:
        return service.display_number(self.invoice)

    @property
    def terms(self) -> str:
        return TERMS.get(self.invoice["terms"], str(self.invoice["terms"]))

    @property
    def paid(self) -> Decimal:
        return Decimal(self.invoice["paid"])

    @property
    def balance(self) -> Decimal:
        return Decimal(self.invoice["balance"])

    @property
    def filename(self) -> str:
        return f"{self.number}.pdf"

    def method(self, payment: db.Row) -> str:
        return METHODS.get(payment["method"], str(payment["method"]))


def from_invoice(invoice: service.Invoice, letterhead: company.Letterhead) -> Document:
    """The office's invoice (service.get) as its document."""
    return Document(
        letterhead, invoice.row, invoice.lines, invoice.rates, invoice.totals, invoice.payments
    )


def context(d: Document, *, heading: int = 1) -> dict[str, Any]:
    """What _document.html is given: the document, its logo as a `data:` URL (read through the
    files port), and the level of its heading (1 on paper, 2 inside the office's page)."""
    return {"d": d, "logo_src": documents.image_url(d.company.logo_key), "heading": heading}
