"""The accounting export: the invoices, the payments and the refunds of a range of days as CSV
files in the layouts QuickBooks Online imports (its invoice import, one row per line with the
invoice's fields repeated; the "receive payment" layout; and a refund receipt per refund, with
the fields of QuickBooks Online's refund receipt), mapped by their headers.
Dates are written MM/DD/YYYY (QuickBooks Online's default in the US), amounts as plain decimals.
README ("Accounting export") says what each column holds."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from flask import render_template
from flask_login import current_user

from app import roles
from app.auth import identity
from app.csv_export import Export, build_rows, csv_response
from app.invoices import bp
from app.invoices.report_routes import View, answer_report, queries
from app.invoices.vocabulary import METHODS
from app.vocabulary import DOCUMENT_LINE_KINDS

# QuickBooks Online's names of the terms it has from the start.
QBO_TERMS = {"due_on_receipt": "Due on receipt", "net_15": "Net 15", "net_30": "Net 30"}
# Where QuickBooks Online keeps received payments until they are deposited.
DEPOSIT_TO = "Undeposited Funds"
INVOICES = Export(
    "public.invoices",
    queries.accounting_invoice_lines,
    (
        "InvoiceNo",
        "Customer",
        "InvoiceDate",
        "DueDate",
        "Terms",
        "Memo",
        "Item(Product/Service)",
        "ItemDescription",
        "ItemQuantity",
        "ItemRate",
        "ItemAmount",
        "Taxable",
        "TaxRate",
    ),
)
PAYMENTS = Export(
    "public.payments",
    queries.accounting_payments,
    (
        "Payment date",
        "Customer",
        "Payment method",
        "Reference no",
        "Deposit to",
        "Invoice no",
        "Amount",
        "Memo",
    ),
)

# A refund is its own refund receipt, not a negative payment: a received payment is never
# below zero in QuickBooks Online. Its one line is this product ("make it once").
REFUND_ITEM = "Refund"
REFUNDS = Export(
    "public.refunds",
    queries.accounting_refunds,
    (
        "RefundReceiptNo",
        "Customer",
        "RefundReceiptDate",
        "PaymentMethod",
        "ReferenceNo",
        "RefundFrom",
        "Item(Product/Service)",
        "ItemDescription",
        "ItemAmount",
        "Memo",
    ),
)


def qbo_date(day: date) -> str:
    return day.strftime("%m/%d/%Y")


def _plain(number: Decimal) -> str:
    """A quantity or a percentage without exponent or trailing zeros (2, 1.5, 8.875)."""
    return format(number.normalize(), "f")


def _line(row: dict[str, Any]) -> Iterable[Any]:
    description = row["description"]
    if row["discount_percent"]:
        description += f" ({_plain(row['discount_percent'])}% off)"
    return (
        f"INV-{row['number']}",
        row["bill_to_name"],
        qbo_date(row["issued_on"]),
        qbo_date(row["due_on"]),
        QBO_TERMS[row["terms"]],
        row["note"],
        DOCUMENT_LINE_KINDS.get(row["kind"], row["kind"]),
        description,
        _plain(row["quantity"]),
        row["unit_price"],
        row["amount"],
        "Y" if row["taxable"] else "N",
        f"{_plain(row['tax_percent'])}%" if row["taxable"] else "",
    )


def _payment(row: dict[str, Any]) -> Iterable[Any]:
    return (
        qbo_date(row["received_on"]),
        row["bill_to_name"],
        METHODS[row["method"]],
        row["reference"],
        DEPOSIT_TO,
        f"INV-{row['number']}",
        row["amount"],
        "Recorded in Plenum",
    )


def _refund(row: dict[str, Any]) -> Iterable[Any]:
    invoice = f"INV-{row['number']}"
    return (
        f"{invoice}-R{row['place']}",
        row["bill_to_name"],
        qbo_date(row["day"]),
        METHODS[row["method"]],
        row["stripe_refund_id"] or "",
        DEPOSIT_TO,
        REFUND_ITEM,
        f"Refund of a payment on {invoice}",
        row["amount"],
        row["reason"],
    )


ACCOUNTING_PAGE = "invoices/accounting.html"


@bp.get("/invoices/reports/accounting")
@identity.company_required(*roles.OFFICE_STAFF)
def accounting_export() -> View:
    return answer_report(
        ACCOUNTING_PAGE, lambda form, span: render_template(ACCOUNTING_PAGE, form=form, span=span)
    )


def _export(export: Export, cells: Any, name: str) -> View:
    def answer(form: Any, span: tuple[date, date]) -> View:
        params = {"tenant_id": current_user.tenant_id, "starts": span[0], "ends": span[1]}
        chunks = build_rows(export, params, f"export_{name}", cells)
        return csv_response(chunks, f"quickbooks-{name}-{span[0]}-to-{span[1]}.csv")

    return answer_report(ACCOUNTING_PAGE, answer)


@bp.get("/invoices/reports/accounting/invoices.csv")
@identity.company_required(*roles.OFFICE_STAFF)
def accounting_invoices() -> View:
    return _export(INVOICES, _line, "invoices")


@bp.get("/invoices/reports/accounting/payments.csv")
@identity.company_required(*roles.OFFICE_STAFF)
def accounting_payments() -> View:
    return _export(PAYMENTS, _payment, "payments")


@bp.get("/invoices/reports/accounting/refunds.csv")
@identity.company_required(*roles.OFFICE_STAFF)
def accounting_refunds() -> View:
    return _export(REFUNDS, _refund, "refunds")
