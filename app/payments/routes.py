"""Online payments' pages: the company's Stripe settings (owners and admins), paying an
invoice's balance through Checkout (whoever may see the invoice), refunds (office staff), and
Stripe's webhook (no session, no CSRF token: Stripe's signature instead)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import db, roles
from app.auth import identity
from app.auth.links import no_referrer
from app.integrations import payments as port
from app.payments import bp, service
from app.payments.forms import RefundForm, StripeSettingsForm
from app.security import csrf
from app.views import form_page, saved

View = Response | str | tuple[str, int]
TEMPLATE = "payments/settings.html"
MAX_EVENT_BYTES = 256 * 1024


def _context(found: db.Row | None) -> dict[str, Any]:
    return {
        "account": found,
        "webhook_url": service.webhook_url(found["endpoint_id"]) if found else None,
        "events": service.EVENTS,
    }


@bp.route("/company/payments", methods=["GET", "POST"])
@identity.company_required(*roles.MANAGERS)
def settings() -> View:
    found = service.account(current_user.tenant_id)
    if request.method == "GET":
        form = StripeSettingsForm(
            data={"deposit_percent": found["deposit_percent"] if found else Decimal(0)}
        )
        return form_page(TEMPLATE, form, **_context(found))
    form = StripeSettingsForm()
    saved(
        form,
        TEMPLATE,
        lambda: service.save_settings(
            current_user.tenant_id,
            deposit_percent=form.deposit_percent.data or Decimal(0),
            secret_key=form.secret_key.data or "",
            webhook_secret=form.webhook_secret.data or "",
            remove=form.removed(),
        ),
        **_context(found),
    )
    flash("Payment settings saved.", "success")
    return redirect(url_for("payments.settings"), code=303)


@bp.post("/stripe/webhook/<endpoint_id>")
@csrf.exempt
def webhook(endpoint_id: str) -> tuple[str, int]:
    """Stripe's events for the company of this endpoint id: 400 unless signed with its secret."""
    if (request.content_length or 0) > MAX_EVENT_BYTES:
        return "too large", 413
    payload = request.get_data(cache=False)
    outcome = service.apply_webhook(
        endpoint_id, payload, request.headers.get("Stripe-Signature", "")
    )
    if outcome is None:
        return "bad signature", 400
    return outcome, 200


@bp.post("/invoices/<uuid:invoice_id>/pay-online")
@identity.company_required(*roles.OFFICE_STAFF, roles.TECHNICIAN)
def pay_invoice(invoice_id: UUID) -> Response:
    """Send the payer to Stripe Checkout for the invoice's balance; back to the invoice after."""
    if not service.invoice_visible(current_user.tenant_id, invoice_id):
        abort(404)
    back = service.public_url(url_for("invoices.show", invoice_id=invoice_id))
    try:
        url = service.start_invoice_checkout(invoice_id, back + "?paid=online", back)
    except port.PaymentsUnavailable as refused:
        flash(str(refused), "error")
        return _invoice(invoice_id)
    if url is None:
        flash("Nothing to pay online: the invoice is paid, not sent, or Stripe is not set up.")
        return _invoice(invoice_id)
    return redirect(url, code=303)


def pay_by_link(
    start: Callable[[str, str, str], str | None], token: str, page: str, param: str
) -> Response:
    """A link holder's "Pay": to Stripe Checkout, made by `start(token, success_url,
    cancel_url)`, which sends them back to `page` with `?<param>=paid` or `cancelled`; back to
    `page` when nothing is payable online or Stripe refused (its message flashed)."""
    back = service.public_url(page)
    try:
        url = start(token, f"{back}?{param}=paid", f"{back}?{param}=cancelled")
    except port.PaymentsUnavailable as refused:
        flash(str(refused), "error")
        url = None
    return no_referrer(redirect(url or page, code=303))


def _invoice(invoice_id: UUID) -> Response:
    return redirect(url_for("invoices.show", invoice_id=invoice_id, _anchor="online"))


@bp.post("/invoices/<uuid:invoice_id>/refunds")
@identity.company_required(*roles.OFFICE_STAFF)
def refund(invoice_id: UUID) -> Response:
    if not service.invoice_visible(current_user.tenant_id, invoice_id):
        abort(404)
    panel = service.invoice_panel(current_user.tenant_id, invoice_id)
    payments = {a["id"] for a in panel["attempts"] if a["refundable"]}
    form = RefundForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return _invoice(invoice_id)
    attempt_id, request_key = UUID(form.attempt_id.data), UUID(form.request_key.data)
    if attempt_id not in payments:
        flash("That payment was not taken online on this invoice: nothing was refunded.", "error")
        return _invoice(invoice_id)
    try:
        done = service.refund(
            current_user.tenant_id,
            attempt_id,
            form.amount.data or Decimal(0),
            form.reason.data or "",
            request_key,
        )
    except (db.ConstraintViolation, port.PaymentsUnavailable) as refused:
        flash(str(refused), "error")
        return _invoice(invoice_id)
    if done:
        flash("Refund made through Stripe and recorded.", "success")
    return _invoice(invoice_id)


def refund_form(attempt_id: UUID) -> RefundForm:
    """A refund form for one online payment, with a fresh key for Stripe's idempotency."""
    return RefundForm(
        formdata=None, data={"attempt_id": str(attempt_id), "request_key": str(uuid.uuid4())}
    )
