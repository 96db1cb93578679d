"""Invoices and offline payments: what a company bills a customer for a job's work (from its
approved estimate) or a property, numbered without gaps, with totals by the money rule, paid by
payments recorded by the office, or voided; records that outlive the customer's erasure."""

from __future__ import annotations

from flask import Blueprint

from app import customers, db, menu, roles
from app.invoices import constraints

bp = Blueprint("invoices", __name__)
db.register_messages(constraints.MESSAGES)
menu.add(
    "Invoices",
    "invoices.index",
    roles=roles.OFFICE_STAFF,
    order=37,
    section=(
        "invoices.show",
        "invoices.new",
        "invoices.edit",
        "invoices.edit_line",
        "invoices.ageing_report",
    ),
)

from app.invoices import (  # noqa: E402,F401  (their routes attach to bp)
    accounting,
    exports,
    link_routes,
    pdf_routes,
    report_routes,
    reports,
    routes,
)
from app.invoices.service import queries  # noqa: E402
from app.invoices.vocabulary import METHODS  # noqa: E402


def _payment_entries(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{**row, "method_label": METHODS.get(str(row["method"]), row["method"])} for row in rows]


# The customer page lists the customer's invoices, their payments and refunds in its timeline.
customers.add_timeline_entries("invoice", customers.PageRead(queries.for_customer))
customers.add_timeline_entries(
    "payment", customers.PageRead(queries.payments_for_customer, _payment_entries)
)
customers.add_timeline_entries("refund", customers.PageRead(queries.refunds_for_customer))

# What other features may use (tests/test_architecture.py holds them to it): the technician's
# phone makes the invoice of their visit, adds its lines, records payments and makes the
# homeowner's link (shown as a QR code) with these.
from app.invoices import builder  # noqa: E402
from app.invoices.document import context as document_context  # noqa: E402
from app.invoices.document import from_invoice  # noqa: E402
from app.invoices.forms import PaymentForm  # noqa: E402
from app.invoices.links import KIND as LINK_KIND  # noqa: E402
from app.invoices.links import send as send_link  # noqa: E402
from app.invoices.service import (  # noqa: E402
    Invoice,
    create_from_visit,
    display_number,
    for_job,
    get,
    remove_line,
)
from app.invoices.vocabulary import STATUSES  # noqa: E402

__all__ = [
    "LINK_KIND",
    "STATUSES",
    "Invoice",
    "PaymentForm",
    "bp",
    "builder",
    "create_from_visit",
    "display_number",
    "document_context",
    "for_job",
    "from_invoice",
    "get",
    "remove_line",
    "send_link",
]
