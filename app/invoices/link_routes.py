"""The homeowner's invoice page, reached by the emailed link, and its PDF. The token URL only
hands its token to this browser's session, under the invoice's id, and redirects to a page
without it (app/document_links.py), so the token is in no later URL, log line or referrer;
every page of the flow says `Referrer-Policy: no-referrer`.

The page's `pay_now` block (invoices/_pay_now.html) offers "Pay $X now" when the company takes
payments online and the balance is payable (`pay_online`), and says how to pay otherwise;
`pay` sends the homeowner to Stripe Checkout for the balance, and Stripe sends them back to the
page with `?payment=paid` or `?payment=cancelled` (a message until the webhook marks it paid)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from flask import abort, request, url_for
from werkzeug.wrappers import Response

from app import document_links, documents, payments
from app.auth.links import no_referrer, page
from app.invoices import bp, links
from app.invoices.document import TEMPLATE, Document, context

WHY_CLOSED = (
    "The invoice it opened was voided or replaced by a newer link, the link was withdrawn, or it"
    " is more than a year old. If you were expecting an invoice, call the company that sent it"
    " and ask them to send it again."
)


@bp.get("/invoice/<token>")
def link(token: str) -> Response:
    return document_links.opened(
        links.KIND, token, links.place, "invoices.for_customer", WHY_CLOSED
    )


def _held(invoice_id: UUID) -> Document | None:
    """The invoice this browser's link opens (404 without one; None when closed since)."""
    return document_links.held_document(
        links.KIND, invoice_id, links.document, lambda d: d.invoice["id"]
    )


def page_context(d: Document, pay_online: Decimal | None = None) -> dict[str, Any]:
    """What the homeowner's page is given: the document, what a payment needs, what can be paid
    online now (None: no online payment, the page says how to pay) and what Stripe said on the
    way back (`payment`: 'paid' or 'cancelled')."""
    back = request.args.get("payment", "")[:20]
    return {
        **context(d),
        "invoice_id": d.invoice["id"],
        "balance": d.balance,
        "currency": d.currency,
        "payable": d.payable,
        "pay_online": pay_online,
        "payment_back": back if back in ("paid", "cancelled") else "",
    }


@bp.get("/invoice/view/<uuid:invoice_id>")
def for_customer(invoice_id: UUID) -> Response:
    d = _held(invoice_id)
    if d is None:
        return document_links.closed(WHY_CLOSED)
    token = document_links.held(links.KIND, invoice_id)
    online = payments.payable_by_link(token) if d.payable else None
    return page("invoices/for_customer.html", **page_context(d, online))


@bp.post("/invoice/view/<uuid:invoice_id>/pay")
def pay(invoice_id: UUID) -> Response:
    """Send the homeowner to Stripe Checkout for the invoice's balance; Stripe sends them back
    to the page (paid or cancelled). Nothing payable online: back to the page, nothing made."""
    token = document_links.held(links.KIND, invoice_id)
    if not token:
        abort(404)  # this browser never opened a link to it
    where = links.place(token)
    if where is None or where[1] != invoice_id:
        return document_links.closed(WHY_CLOSED)
    here = url_for("invoices.for_customer", invoice_id=invoice_id)
    return payments.pay_by_link(payments.start_invoice_checkout_by_link, token, here, "payment")


@bp.get("/invoice/view/<uuid:invoice_id>/invoice.pdf")
def customer_pdf(invoice_id: UUID) -> Response:
    """The page's document as a PDF to keep, to the same browser only."""
    d = _held(invoice_id)
    if d is None:
        abort(404)  # the link was withdrawn, or the invoice voided, since
    return no_referrer(documents.download(documents.pdf(TEMPLATE, **context(d)), d.filename))
