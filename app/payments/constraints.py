"""The payments' constraint messages."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str | None, str]] = {
    "stripe_accounts_deposit_percent_range": (
        "deposit_percent",
        "A deposit is a percentage from 0 to 100.",
    ),
    "payment_attempts_refunds_within_payment": (
        "amount",
        "That is more than what is left of the payment to give back.",
    ),
    "refunds_of_payments_taken": ("amount", "Only a payment taken can be refunded."),
    "refunds_amount_positive": ("amount", "Give back an amount above zero."),
    "refunds_reason_length": ("reason", "Keep the reason under 200 characters."),
}
