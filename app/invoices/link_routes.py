"""The homeowner's invoice page, reached by the emailed link, and its PDF. The token URL only
hands its token to this browser's session, under the invoice's id, and redirects to a page
without it (app/document_links.py), so the token is in no later URL, log line or referrer;
every page of the flow says `Referrer-Policy: no-referrer`.

The page leaves a place for paying online: the `pay_now` block of invoices/for_customer.html
includes invoices/_pay_now.html (empty today) with `invoice_id`, `balance` (Decimal), `currency`
(ISO 4217) and `payable` in its context; a payment's own routes find the invoice the same way,
`document_links.held(links.KIND, invoice_id)` giving the token for `links.place` /
`links.document`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort
from werkzeug.wrappers import Response

from app import document_links, documents
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


def page_context(d: Document) -> dict[str, Any]:
    """What the homeowner's page is given: the document, and what a payment needs."""
    return {
        **context(d),
        "invoice_id": d.invoice["id"],
        "balance": d.balance,
        "currency": d.currency,
        "payable": d.payable,
    }


@bp.get("/invoice/view/<uuid:invoice_id>")
def for_customer(invoice_id: UUID) -> Response:
    d = _held(invoice_id)
    if d is None:
        return document_links.closed(WHY_CLOSED)
    return page("invoices/for_customer.html", **page_context(d))


@bp.get("/invoice/view/<uuid:invoice_id>/invoice.pdf")
def customer_pdf(invoice_id: UUID) -> Response:
    """The page's document as a PDF to keep, to the same browser only."""
    d = _held(invoice_id)
    if d is None:
        abort(404)  # the link was withdrawn, or the invoice voided, since
    return no_referrer(documents.download(documents.pdf(TEMPLATE, **context(d)), d.filename))
