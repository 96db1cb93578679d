"""The payments port. Offline payments (cash, cheque, card terminal, bank transfer, recorded
by staff) are the embedded default and need nothing here; a company that saved a Stripe secret
key is paid through Stripe Checkout, made with the official `stripe` SDK. Every call names an
idempotency key, so a retried request never makes a second session or refund; the SDK talks to
`STRIPE_API_BASE` when it is set (tests run a loopback Stripe), to Stripe's API otherwise.
Card numbers never pass through here (P-16): Stripe's page takes them."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import stripe
from flask import current_app

from app import money

log = logging.getLogger(__name__)
TIMEOUT_RETRIES = 1


class PaymentsUnavailable(Exception):
    """Stripe refused or could not be reached; the message is for the person who asked."""


@dataclass(frozen=True)
class Checkout:
    """A Checkout session: where to send the payer."""

    session_id: str
    url: str


@dataclass(frozen=True)
class Refund:
    refund_id: str
    amount: Decimal


def _client(secret_key: str) -> stripe.StripeClient:
    base = current_app.config["PLENUM"].stripe_api_base
    addresses: Any = {"api": base} if base else None
    return stripe.StripeClient(
        secret_key, base_addresses=addresses, max_network_retries=TIMEOUT_RETRIES
    )


def _refused(error: stripe.StripeError) -> PaymentsUnavailable:
    # Stripe's own message may name the request; log its kind and code only.
    log.warning("payments: Stripe refused: %s %s", type(error).__name__, error.code or "")
    if isinstance(error, stripe.AuthenticationError):
        return PaymentsUnavailable("Stripe refused the company's secret key: check it.")
    if isinstance(error, stripe.APIConnectionError):
        return PaymentsUnavailable("Stripe could not be reached: try again in a moment.")
    return PaymentsUnavailable("Stripe refused the payment request: try again, or call us.")


def create_checkout(
    secret_key: str,
    *,
    idempotency_key: str,
    amount: Decimal,
    currency: str,
    description: str,
    metadata: dict[str, str],
    success_url: str,
    cancel_url: str,
) -> Checkout:
    """A Checkout session (mode payment) for one line of `amount` in `currency`."""
    params: dict[str, Any] = {
        "mode": "payment",
        "success_url": success_url,
        "cancel_url": cancel_url,
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": currency.lower(),
                    "unit_amount": money.to_minor_units(amount, currency),
                    "product_data": {"name": description},
                },
            }
        ],
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
    }
    try:
        session = _client(secret_key).v1.checkout.sessions.create(
            params,  # type: ignore[arg-type]
            {"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise _refused(error) from error
    return Checkout(session_id=str(session.id), url=str(session.url or ""))


def refund(
    secret_key: str, *, payment_intent: str, amount: Decimal, currency: str, idempotency_key: str
) -> Refund:
    """Give back `amount` of a payment intent's charge."""
    params: dict[str, Any] = {
        "payment_intent": payment_intent,
        "amount": money.to_minor_units(amount, currency),
    }
    try:
        made = _client(secret_key).v1.refunds.create(
            params,  # type: ignore[arg-type]
            {"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise _refused(error) from error
    return Refund(str(made.id), money.from_minor_units(int(made.amount), currency))


def verified_event(payload: bytes, signature: str, endpoint_secret: str) -> dict[str, Any] | None:
    """The event Stripe signed with the endpoint's secret (checked by the SDK, within its
    five-minute tolerance), or None for a bad, missing or stale signature or a body that is
    not an event."""
    try:
        stripe.Webhook.construct_event(payload, signature, endpoint_secret)
        found = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError):
        return None
    return found if isinstance(found, dict) else None
