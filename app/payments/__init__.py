"""Online payments through Stripe Checkout: the company's Stripe settings, an invoice's balance
or an approved estimate's deposit paid on Stripe's page, Stripe's signed webhook applied once
per event, and refunds from the office. Without a secret key a company takes offline payments
only (the invoices feature records them)."""

from __future__ import annotations

from flask import Blueprint

from app import db, errors
from app.payments import constraints

bp: Blueprint = Blueprint("payments", __name__)
db.register_messages(constraints.MESSAGES)
errors.acknowledge_when_closed("payments.webhook")  # Stripe retries for days otherwise

from app.integrations.payments import PaymentsUnavailable  # noqa: E402
from app.payments import routes  # noqa: E402  (its routes attach to bp)
from app.payments.routes import pay_by_link, refund_form  # noqa: E402
from app.payments.service import (  # noqa: E402
    deposit_due,
    invoice_panel,
    online,
    payable_by_link,
    public_url,
    start_deposit_checkout,
    start_invoice_checkout,
    start_invoice_checkout_by_link,
)

_ = routes

# What other features may use (tests/test_architecture.py holds them to it).
__all__ = [
    "PaymentsUnavailable",
    "bp",
    "deposit_due",
    "invoice_panel",
    "online",
    "pay_by_link",
    "payable_by_link",
    "public_url",
    "refund_form",
    "start_deposit_checkout",
    "start_invoice_checkout",
    "start_invoice_checkout_by_link",
]
