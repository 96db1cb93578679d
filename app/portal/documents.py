"""The homeowner's estimates, invoices and payments. Approving an estimate (with signature and
deposit), paying an invoice and its PDF are the link pages' (app/estimates/link_routes.py,
app/invoices/link_routes.py): the portal opens them with a link of its own, minted by the
database for the signed-in customer's own sent document and lasting an hour, handed to this
browser's session (`document_links.hand_over`), so the token is never in a URL."""

from __future__ import annotations

from uuid import UUID

from flask import abort, render_template
from werkzeug.wrappers import Response

from app import db, document_links, estimates, invoices, sql
from app.portal import bp
from app.portal.identity import portal_required, signed_in
from app.portal.nav import NAV

queries = sql.load(__file__, "documents.sql")
NAV.append(("Estimates and invoices", "portal.documents"))

ESTIMATE_STATUSES = {
    "sent": "Awaiting your approval",
    "viewed": "Awaiting your approval",
    "approved": "Approved",
    "declined": "Declined",
    "expired": "Expired",
}
INVOICE_STATUSES = {"sent": "Due", "partly_paid": "Partly paid", "paid": "Paid", "void": "Void"}
PAYMENT_METHODS = {
    "cash": "Cash",
    "cheque": "Check",
    "card_terminal": "Card",
    "bank_transfer": "Bank transfer",
    "stripe": "Card (online)",
}


@bp.get("/documents")
@portal_required
def documents() -> str:
    me = signed_in()
    mine = {"tenant_id": me.tenant_id, "customer_id": me.customer_id}
    estimate_rows, invoice_rows, payments = db.query_together(
        (queries.list_estimates, mine),
        (queries.list_invoices, mine),
        (queries.list_payments, mine),
    )
    return render_template(
        "portal/documents.html",
        estimates=[{**e, "number": estimates.display_number(e)} for e in estimate_rows],
        invoices=[{**i, "number": invoices.display_number(i)} for i in invoice_rows],
        payments=payments,
        estimate_statuses=ESTIMATE_STATUSES,
        invoice_statuses=INVOICE_STATUSES,
        methods=PAYMENT_METHODS,
    )


def _open(kind: str, document_id: UUID, endpoint: str) -> Response:
    """The document's link page, in this browser, by a new hour-long link (404 when it is not
    the signed-in customer's sent document)."""
    token = db.write(queries.open_document, {"kind": kind, "document_id": document_id})[0]["token"]
    if token is None:
        abort(404)
    return document_links.hand_over(
        kind, document_id, token, endpoint, **{f"{kind}_id": document_id}
    )


@bp.post("/estimates/<uuid:estimate_id>/open")
@portal_required
def open_estimate(estimate_id: UUID) -> Response:
    return _open("estimate", estimate_id, "estimates.for_customer")


@bp.post("/invoices/<uuid:invoice_id>/open")
@portal_required
def open_invoice(invoice_id: UUID) -> Response:
    return _open("invoice", invoice_id, "invoices.for_customer")
