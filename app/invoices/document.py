"""An invoice as a document: what the office's page, the homeowner's page and the PDFs show alike
(templates/invoices/_document.html), built from the office's read or from the link's answer, so
that the screen and the paper cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
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
    def payable(self) -> bool:
        """Whether something is still due on it (a sent or partly paid invoice with a balance)."""
        return self.status in ("sent", "partly_paid") and self.balance > 0

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


def _decimals(row: dict[str, Any], *names: str) -> dict[str, Any]:
    """The row with the named JSON numbers as exact decimals (0 for a missing one)."""
    return {**row, **{name: Decimal(str(row.get(name) or 0)) for name in names}}


def from_link(found: dict[str, Any]) -> Document:
    """The document app.invoice_by_link answers (JSON) as its document."""
    invoice = _decimals(found["invoice"], "paid", "balance")
    invoice["issued_on"] = date.fromisoformat(invoice["issued_on"])
    invoice["due_on"] = date.fromisoformat(invoice["due_on"])
    invoice["sent_at"] = datetime.fromisoformat(invoice["sent_at"]) if invoice["sent_at"] else None
    lines = [_decimals(x, "quantity", "unit_price", "discount_percent") for x in found["lines"]]
    rates = [money.TaxRate(r["name"], Decimal(str(r["percent"]))) for r in found["rates"]]
    payments = [
        {**_decimals(p, "amount"), "received_on": date.fromisoformat(p["received_on"])}
        for p in found["payments"]
    ]
    letterhead = company.letterhead_of(
        {**found["company"], "licence_number": found["company"].get("licence")}
    )
    totals = money.totals([service.as_line(x) for x in lines], rates)
    return Document(letterhead, invoice, lines, rates, totals, payments)


def context(d: Document, *, heading: int = 1) -> dict[str, Any]:
    """What _document.html is given: the document, its logo as a `data:` URL (read through the
    files port), and the level of its heading (1 on paper, 2 inside the office's page)."""
    return {"d": d, "logo_src": documents.image_url(d.company.logo_key), "heading": heading}
