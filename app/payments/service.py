"""Online payments: the company's Stripe settings (keys sealed, P-17), starting a Checkout for
an invoice's balance or an approved estimate's deposit, Stripe's webhook, and refunds. The
database decides what each may do (supabase/migrations/20261208110100_stripe_functions.sql
and the file after it); this module seals and opens keys and talks to Stripe through the
payments port."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID

from flask import current_app, g, url_for

from app import crypto, db, sql
from app.integrations import payments as port

queries = sql.load(__file__)
log = logging.getLogger(__name__)
WEBHOOK_CLAIMS: dict[str, Any] = {**db.SIGN_IN, "actor": "system:stripe"}
# The events the webhook acts on (README: subscribe the endpoint to these).
EVENTS = (
    "checkout.session.completed",
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "charge.succeeded",
    "charge.refunded",
)


def account(tenant_id: UUID) -> db.Row | None:
    """The company's Stripe settings as the page shows them: whether each key is set, never
    the key (managers only: the policy)."""
    return db.one(queries.account, {"tenant_id": tenant_id})


def public_url(path: str) -> str:
    """A path of this site as the payer's browser reaches it (Stripe sends it back there)."""
    return str(current_app.config["PLENUM"].public_url) + path


def webhook_url(endpoint_id: str) -> str:
    """The URL to paste into Stripe's dashboard for this company."""
    return public_url(url_for("payments.webhook", endpoint_id=endpoint_id))


def save_settings(
    tenant_id: UUID,
    *,
    deposit_percent: Decimal,
    secret_key: str = "",
    webhook_secret: str = "",
    remove: tuple[str, ...] = (),
) -> bool:
    """Save the deposit percentage and any key given (sealed for this company's row); `remove`
    names keys to forget ('secret_key', 'webhook_secret'). False when not allowed."""
    db.write(queries.create_account, {"tenant_id": tenant_id})
    row = account(tenant_id)
    if row is None:
        return False
    where = {"tenant_id": tenant_id, "id": row["id"]}
    db.write(queries.set_deposit_percent, {**where, "deposit_percent": deposit_percent})
    for name, given, column, query in (
        ("secret_key", secret_key, crypto.STRIPE_SECRET_KEY, queries.set_secret_key),
        (
            "webhook_secret",
            webhook_secret,
            crypto.STRIPE_WEBHOOK_SECRET,
            queries.set_webhook_secret,
        ),
    ):
        if name in remove:
            db.write(query, {**where, "sealed": ""})
        elif given:
            sealed = crypto.encrypt(given, place=column.at(tenant_id, row["id"]))
            db.write(query, {**where, "sealed": sealed})
    return True


def _secret(column: crypto.EncryptedColumn, row: db.Row, field: str) -> str:
    return crypto.decrypt(row[field], place=column.at(row["tenant_id"], row["account_id"]))


def online() -> bool:
    """Whether the signed-in member's company takes payments online (a secret key saved)."""
    return db.one(queries.stripe_key) is not None


def _checkout(
    start: db.Row, success_url: str, cancel_url: str, opened: Callable[[port.Checkout], None]
) -> str:
    """The Checkout URL of an attempt: its session when it has one (a second click), or a new
    one made with the attempt's id as the idempotency key."""
    if start["checkout_session_id"] and start["checkout_url"]:
        return str(start["checkout_url"])
    kind = "Invoice INV" if start["kind"] == "invoice" else "Deposit on estimate EST"
    try:
        secret_key = _secret(crypto.STRIPE_SECRET_KEY, start, "secret_key")
    except crypto.UnreadableSecret as error:
        log.warning("payments: the company's Stripe key does not open: %s", error)
        raise port.PaymentsUnavailable("Online payment is not available: call us.") from None
    checkout = port.create_checkout(
        secret_key,
        idempotency_key=f"checkout-{start['attempt_id']}",
        amount=Decimal(start["amount"]),
        currency=str(start["currency"]),
        description=f"{kind}-{start['document_number']}",
        metadata={
            "attempt_id": str(start["attempt_id"]),
            "endpoint_id": str(start["endpoint_id"]),
            "kind": str(start["kind"]),
            "document_id": str(start["document_id"]),
        },
        success_url=success_url,
        cancel_url=cancel_url,
    )
    opened(checkout)
    return checkout.url


def start_invoice_checkout(invoice_id: UUID, success_url: str, cancel_url: str) -> str | None:
    """Where to send the payer of an invoice's balance (a Stripe Checkout URL), for a member
    who may see the invoice; None when the company takes no online payments or nothing is due.
    PaymentsUnavailable when Stripe refuses."""
    start = db.write(queries.begin_invoice_checkout, {"invoice_id": invoice_id})
    if not start:
        return None

    def opened(checkout: port.Checkout) -> None:
        params = {"attempt_id": start[0]["attempt_id"], "session_id": checkout.session_id}
        db.write(queries.checkout_opened, {**params, "url": checkout.url})

    return _checkout(start[0], success_url, cancel_url, opened)


def _due_by_link(query: str, token: str) -> Decimal | None:
    """An amount a link's holder may pay now (`query` as the token holder), or None."""
    restore = dict(g.get("db_claims", db.ANON))
    db.set_claims(db.SIGN_IN)
    try:
        amount = db.value(query, {"token": token[:200]})
    finally:
        db.set_claims(restore)
    return Decimal(amount) if amount is not None else None


# What a link's holder pays online: the definer that starts the attempt as the token holder
# and the one that keeps its Checkout session.
BY_LINK = {
    "deposit": (queries.begin_deposit_checkout, queries.deposit_checkout_opened),
    "invoice": (queries.begin_invoice_checkout_by_link, queries.invoice_checkout_opened),
}


def _checkout_by_link(what: str, token: str, success_url: str, cancel_url: str) -> str | None:
    """The Checkout URL for what a link's holder pays (`what`: a key of BY_LINK), or None when
    nothing is payable."""
    begin, opened_query = BY_LINK[what]
    db.set_claims(db.SIGN_IN)
    start = db.write(begin, {"token": token[:200]})
    if not start:
        return None

    def opened(checkout: port.Checkout) -> None:
        params = {"token": token[:200], "attempt_id": start[0]["attempt_id"]}
        db.write(opened_query, {**params, "session_id": checkout.session_id, "url": checkout.url})

    return _checkout(start[0], success_url, cancel_url, opened)


def deposit_due(token: str) -> Decimal | None:
    """The deposit an estimate link's holder may pay now (approved, a key and a percentage
    set, not paid yet), or None."""
    return _due_by_link(queries.deposit_due, token)


def start_deposit_checkout(token: str, success_url: str, cancel_url: str) -> str | None:
    """The Checkout URL for the deposit of the estimate behind a link, or None."""
    return _checkout_by_link("deposit", token, success_url, cancel_url)


def payable_by_link(token: str) -> Decimal | None:
    """The balance an invoice link's holder may pay online now (sent or partly paid, a balance,
    the company's Stripe key saved), or None: then the page says how to pay offline."""
    return _due_by_link(queries.invoice_payable_online, token)


def start_invoice_checkout_by_link(token: str, success_url: str, cancel_url: str) -> str | None:
    """The Checkout URL for the balance of the invoice behind a link, or None."""
    return _checkout_by_link("invoice", token, success_url, cancel_url)


def apply_webhook(endpoint_id: str, payload: bytes, signature: str) -> str | None:
    """Apply a Stripe event sent to a company's endpoint; None when the endpoint is unknown or
    the signature does not verify with its secret (nothing changes)."""
    db.set_claims(WEBHOOK_CLAIMS)
    endpoint = db.one(queries.stripe_endpoint, {"endpoint_id": endpoint_id[:100]})
    if endpoint is None:
        return None
    try:
        secret = _secret(crypto.STRIPE_WEBHOOK_SECRET, endpoint, "webhook_secret")
    except crypto.UnreadableSecret as error:
        log.warning("payments: a webhook secret does not open: %s", error)
        return None
    event = port.verified_event(payload, signature, secret)
    if event is None:
        return None
    params = {"endpoint_id": endpoint_id[:100], "event": json.dumps(event)}
    outcome = str(db.write(queries.apply_stripe_event, params)[0]["outcome"])
    log.info("payments: Stripe event %s: %s", str(event.get("type", ""))[:60], outcome)
    return outcome


def invoice_visible(tenant_id: UUID, invoice_id: UUID) -> bool:
    """Whether the signed-in member may see the invoice (its policies decide)."""
    return bool(
        db.value(queries.invoice_visible, {"tenant_id": tenant_id, "invoice_id": invoice_id})
    )


def invoice_panel(tenant_id: UUID, invoice_id: UUID) -> dict[str, Any]:
    """What the invoice page shows of online payments: attempts (paid, flagged, open), refunds,
    and whether the company takes payments online."""
    attempts, refunds, key = db.query_together(
        (queries.invoice_attempts, {"tenant_id": tenant_id, "invoice_id": invoice_id}),
        (queries.invoice_refunds, {"tenant_id": tenant_id, "invoice_id": invoice_id}),
        (queries.stripe_key, None),
    )
    return {"attempts": attempts, "refunds": refunds, "online": bool(key)}


def refund(
    tenant_id: UUID, attempt_id: UUID, amount: Decimal, reason: str, request_key: UUID
) -> bool:
    """Give back `amount` of an online payment through Stripe, then record it (office staff:
    the policy). False when the payment is not one of ours to refund. The attempt is locked
    first, so two refunds at once cannot give back more than was paid; `request_key` comes with
    the form, so the same form sent twice is the same refund at Stripe (its idempotency key)
    and is recorded once."""
    found = db.write(queries.refundable_attempt, {"tenant_id": tenant_id, "attempt_id": attempt_id})
    key = db.one(queries.stripe_key)
    if not found or key is None:
        return False
    if amount > Decimal(found[0]["refundable"]):
        raise db.ConstraintViolation(
            "payment_attempts_refunds_within_payment",
            "amount",
            "That is more than what is left of the payment to give back.",
        )
    try:
        secret_key = _secret(crypto.STRIPE_SECRET_KEY, key, "secret_key")
    except crypto.UnreadableSecret:
        raise port.PaymentsUnavailable("The company's Stripe key does not open.") from None
    made = port.refund(
        secret_key,
        payment_intent=str(found[0]["payment_intent_id"]),
        amount=amount,
        currency=str(found[0]["currency"]),
        idempotency_key=f"refund-{attempt_id}-{request_key}",
    )
    db.write(
        queries.record_refund,
        {
            "tenant_id": tenant_id,
            "attempt_id": attempt_id,
            "amount": made.amount,
            "stripe_refund_id": made.refund_id,
            "reason": reason,
        },
    )
    return True
