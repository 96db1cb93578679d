"""The invoices' words (the database's check constraints hold the same lists)."""

from __future__ import annotations

STATUSES: dict[str, str] = {
    "draft": "Draft",
    "sent": "Sent",
    "partly_paid": "Partly paid",
    "paid": "Paid",
    "void": "Void",
}
TERMS: dict[str, str] = {
    "due_on_receipt": "Due on receipt",
    "net_15": "Net 15 (due in 15 days)",
    "net_30": "Net 30 (due in 30 days)",
}
# How a payment was taken. Stripe's are recorded by its webhook (a later feature), not by hand.
METHODS: dict[str, str] = {
    "cash": "Cash",
    "cheque": "Cheque",
    "card_terminal": "Card terminal",
    "bank_transfer": "Bank transfer",
    "stripe": "Stripe",
}
OFFLINE_METHODS = ("cash", "cheque", "card_terminal", "bank_transfer")
