"""Invoices: made for a property (from a job, copying its approved estimate's lines, or on their
own), built from lines with totals by the money rule (app/money.py), sent, paid by offline
payments, or voided. Every read and write runs in the request's transaction under the member's
policies; the database keeps the statuses, numbers and balances honest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from app import db, money, pricebook, sql

queries = sql.load(__file__)


@dataclass(frozen=True)
class Invoice:
    row: db.Row
    lines: list[db.Row]
    rates: list[money.TaxRate]
    totals: money.Totals
    payments: list[db.Row]

    @property
    def is_draft(self) -> bool:
        return bool(self.row["status"] == "draft")

    @property
    def takes_payments(self) -> bool:
        return self.row["status"] in ("sent", "partly_paid") and self.row["balance"] > 0


def display_number(row: db.Row) -> str:
    """`INV-1001`."""
    return f"INV-{row['number']}"


def list_params(tenant_id: UUID, criteria: Mapping[str, Any]) -> dict[str, Any]:
    """The list query's parameters for the filters (forms.ListFilter.criteria), without paging."""
    return {"tenant_id": tenant_id, **sql.document_filters(criteria, "INV-")}


def list_invoices(tenant_id: UUID, criteria: Mapping[str, Any], page: int) -> sql.Page:
    rows = db.query(queries.list_invoices, {**list_params(tenant_id, criteria), **sql.paging(page)})
    return sql.page_of(rows, page)


def get(tenant_id: UUID, invoice_id: UUID) -> Invoice | None:
    """The invoice with its lines, tax rates, totals and payments."""
    scope = {"tenant_id": tenant_id, "invoice_id": invoice_id}
    found, lines, rates, payments = db.query_together(
        (queries.invoice, {"tenant_id": tenant_id, "id": invoice_id}),
        (queries.lines, scope),
        (queries.tax_rates, scope),
        (queries.payments, scope),
    )
    if not found:
        return None
    taxes = [money.TaxRate(r["name"], r["percent"]) for r in rates]
    amounts = money.totals([as_line(line) for line in lines], taxes)
    return Invoice(found[0], lines, taxes, amounts, payments)


def as_line(row: db.Row) -> money.Line:
    """A line of an invoice as the money rule counts it."""
    return money.Line(row["quantity"], row["unit_price"], row["discount_percent"], row["taxable"])


def place(tenant_id: UUID, property_id: UUID, job_id: UUID | None) -> db.Row | None:
    params = {"tenant_id": tenant_id, "property_id": property_id, "job_id": job_id}
    return db.one(queries.place, params)


def job_property(tenant_id: UUID, job_id: UUID) -> UUID | None:
    row = db.one(queries.job_place, {"tenant_id": tenant_id, "job_id": job_id})
    return UUID(str(row["property_id"])) if row else None


def create(tenant_id: UUID, where: db.Row, values: dict[str, Any]) -> UUID:
    """A draft for the place, billed to its customer at its address, with the company's
    applying tax rates and, from a job with an approved estimate, that option's lines."""
    with db.atomic():
        params = {
            "tenant_id": tenant_id,
            "property_id": where["property_id"],
            "job_id": where["job_id"],
            "visit_id": where["visit_id"],
            "estimate_id": where["estimate_id"],
            **values,
        }
        invoice_id = UUID(str(db.write(queries.insert_invoice, params)[0]["id"]))
        scope = {"tenant_id": tenant_id, "invoice_id": invoice_id}
        db.write(queries.copy_tax_rates, scope)
        if where["estimate_id"] is not None:
            db.write(queries.copy_estimate_lines, {**scope, "estimate_id": where["estimate_id"]})
    return invoice_id


def update_draft(tenant_id: UUID, invoice_id: UUID, values: dict[str, Any]) -> bool:
    params = {"tenant_id": tenant_id, "id": invoice_id, **values}
    return bool(db.write(queries.update_draft, params))


def add_line(tenant_id: UUID, invoice_id: UUID, values: dict[str, Any]) -> UUID:
    params = {
        "tenant_id": tenant_id,
        "invoice_id": invoice_id,
        "price_item_id": None,
        "kind": "other",
        **values,
    }
    return UUID(str(db.write(queries.insert_line, params)[0]["id"]))


def add_item(
    tenant_id: UUID, invoice_id: UUID, item_id: UUID, quantity: Decimal, member: bool
) -> UUID | None:
    """A line copied from the price book (`pricebook.line_from_item`: what it says and costs
    now, the member price for a member); None when the item is not in the book."""
    values = pricebook.line_from_item(tenant_id, item_id, quantity, member)
    return None if values is None else add_line(tenant_id, invoice_id, values)


def get_line(tenant_id: UUID, line_id: UUID) -> db.Row | None:
    return db.one(queries.line, {"tenant_id": tenant_id, "id": line_id})


def update_line(tenant_id: UUID, line_id: UUID, values: dict[str, Any]) -> bool:
    params = {"tenant_id": tenant_id, "id": line_id, **values}
    return bool(db.write(queries.update_line, params))


def remove_line(tenant_id: UUID, line_id: UUID) -> bool:
    return bool(db.write(queries.delete_line, {"tenant_id": tenant_id, "id": line_id}))


def mark_sent(tenant_id: UUID, invoice_id: UUID) -> bool:
    """False unless it is a draft with at least one line."""
    return bool(db.write(queries.mark_sent, {"tenant_id": tenant_id, "id": invoice_id}))


def void(tenant_id: UUID, invoice_id: UUID, reason: str) -> bool:
    """Void the invoice, a draft given up too (it keeps its number, so that the numbering has
    no gap); False when it was void already."""
    params = {"tenant_id": tenant_id, "id": invoice_id, "reason": reason}
    return bool(db.write(queries.void, params))


def record_payment(tenant_id: UUID, invoice_id: UUID, values: dict[str, Any]) -> UUID:
    """A payment; the invoice becomes partly paid or paid with it. Raises ConstraintViolation
    when it would take the balance below zero or the invoice takes no payment."""
    params = {"tenant_id": tenant_id, "invoice_id": invoice_id, **values}
    return UUID(str(db.write(queries.insert_payment, params)[0]["id"]))


def for_job(tenant_id: UUID, job_id: UUID) -> list[db.Row]:
    """The job's invoices, newest first, with their totals and balances."""
    return db.query(queries.for_job, {"tenant_id": tenant_id, "job_id": job_id})


def create_from_visit(tenant_id: UUID, visit: db.Row, today: date) -> UUID | None:
    """A draft for a completed visit's job, naming that visit, issued today and due on receipt:
    billed as `create` bills a job (the approved option's lines copied); None when the job
    cannot be read."""
    where = place(tenant_id, visit["property_id"], visit["job_id"])
    if where is None or where["job_id"] is None:
        return None
    values = {"terms": "due_on_receipt", "issued_on": today, "note": ""}
    return create(tenant_id, {**where, "visit_id": visit["id"]}, values)
