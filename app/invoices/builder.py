"""A draft invoice's lines and an invoice's payments, as the office's invoice page and the
technician's phone both take them: each step validates its form, asks the service, and puts a
refusal next to its field, so that both pages accept and refuse the same input."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort

from app import pricebook
from app.forms import BookItemForm, LineForm
from app.invoices import service
from app.views import found_or_404, submitted
from app.vocabulary import DOCUMENT_LINE_KINDS

LINE_PREFIX = "line-"
ITEM_PREFIX = "item-"
GONE_FROM_THE_BOOK = "That item is no longer in the price book."


def item_form(tenant_id: UUID) -> BookItemForm:
    """The price book's form, offering the company's active items."""
    form = BookItemForm(prefix=ITEM_PREFIX)
    form.set_items(pricebook.line_choices(tenant_id), DOCUMENT_LINE_KINDS)
    return form


def add_line(tenant_id: UUID, invoice_id: UUID, form: LineForm) -> bool:
    """A line written by hand; False with the refusal on the form."""
    added = submitted(form, lambda: service.add_line(tenant_id, invoice_id, form.values()))
    return added is not None


def add_item(tenant_id: UUID, invoice: service.Invoice, form: BookItemForm) -> bool:
    """A line from the price book (the member price for a plan customer); False with the
    refusal on the form."""
    if not form.validate_on_submit():
        return False
    quantity = form.item_quantity.data
    assert quantity is not None  # validate_item_quantity refused an empty one
    member = bool(invoice.row["member"])
    invoice_id = invoice.row["id"]
    if service.add_item(tenant_id, invoice_id, UUID(form.item.data), quantity, member):
        return True
    form.item.errors = [GONE_FROM_THE_BOOK]
    return False


def draft_line(tenant_id: UUID, line_id: UUID) -> dict[str, Any]:
    """A line of a draft (404 when unseen, 409 once its invoice is sent)."""
    found = dict(found_or_404(service.get_line(tenant_id, line_id)))
    if found["status"] != "draft":
        abort(409)
    return found


def line_data(line: dict[str, Any]) -> dict[str, Any]:
    """A line's values as its form shows them."""
    data = {k: line[k] for k in ("description", "quantity", "unit", "unit_price", "taxable")}
    data["discount_percent"] = line["discount_percent"] or None
    return data


def change_line(tenant_id: UUID, line_id: UUID, form: LineForm) -> bool:
    """A draft's line changed; False with the refusal on the form."""
    changed = submitted(form, lambda: service.update_line(tenant_id, line_id, form.values()))
    return changed is not None


def send(tenant_id: UUID, invoice: service.Invoice) -> tuple[str, str] | None:
    """Mark a draft with lines sent; what to tell the sender (message, category), or None
    when it was sent."""
    if not invoice.is_draft:
        return "This invoice was already sent.", "error"
    if not invoice.lines:
        return "Add at least one line before sending the invoice.", "error"
    service.mark_sent(tenant_id, invoice.row["id"])
    return None


NOT_OPEN_FOR_PAYMENT = "Payments are recorded only against a sent invoice with a balance due."


def record_payment(tenant_id: UUID, invoice_id: UUID, form: Any) -> bool:
    """A payment taken offline (PaymentForm); False with the refusal on the form."""
    recorded = submitted(form, lambda: service.record_payment(tenant_id, invoice_id, form.values()))
    return recorded is not None
