"""Online payments' fixtures: localstripe and the Checkout server on loopback ports for the
whole session, the app pointed at them by STRIPE_API_BASE, a company connected to Stripe, and
events signed exactly as Stripe signs them."""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
from flask import Flask

from app import create_app
from app.db import Connection
from tests import factories
from tests.conftest import Client, TestDatabase, make_settings
from tests.payments.stripe_server import FakeStripe, running, sign

SECRET_KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
WEBHOOK_SECRET = "whsec_testsecret0123456789abcdef"


@pytest.fixture(scope="session")
def stripe_server() -> Iterator[FakeStripe]:
    with running() as fake:
        yield fake


@pytest.fixture
def app(database: TestDatabase, stripe_server: FakeStripe) -> Iterator[Flask]:
    application = create_app(make_settings(database, stripe_api_base=stripe_server.url))
    application.test_client_class = Client
    yield application
    application.extensions["plenum.pool"].close()


def signature(payload: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """The Stripe-Signature header Stripe sends (stripe_server.sign)."""
    return sign(payload, secret, at)


def stripe_id(prefix: str) -> str:
    """An id shaped like Stripe's: a prefix and 24 letters and digits."""
    return prefix + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(24))


def event(kind: str, obj: dict[str, Any], event_id: str | None = None) -> bytes:
    body = {
        "id": event_id or stripe_id("evt_"),
        "object": "event",
        "type": kind,
        "data": {"object": obj},
    }
    return json.dumps(body).encode()


@dataclass
class Shop:
    """A company connected to Stripe, its owner signed in on `client`."""

    tenant: factories.Tenant
    endpoint_id: str
    client: Client

    def post_event(self, payload: bytes, header: str | None = None) -> Any:
        return post_event(self.client, self.endpoint_id, payload, header)


def post_event(client: Any, endpoint_id: str, payload: bytes, header: str | None = None) -> Any:
    """An event sent to a company's webhook, signed with its endpoint secret unless `header`."""
    return client.post(
        f"/stripe/webhook/{endpoint_id}",
        data=payload,
        headers={"Stripe-Signature": header if header is not None else signature(payload)},
        content_type="application/json",
    )


def connect(
    client: Client, make: factories.Factory, admin: Connection, percent: str = "25"
) -> Shop:
    tenant = make.tenant()
    client.sign_in(tenant.owner.email)
    response = client.submit(
        "/company/payments",
        {"secret_key": SECRET_KEY, "webhook_secret": WEBHOOK_SECRET, "deposit_percent": percent},
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    row = admin.execute(
        "select endpoint_id from public.stripe_accounts where tenant_id = %s", [tenant.id]
    ).fetchone()
    assert row is not None
    return Shop(tenant, row["endpoint_id"], client)


@pytest.fixture
def shop(client: Client, make: factories.Factory, admin: Connection) -> Shop:
    return connect(client, make, admin)


def attempt(admin: Connection, invoice_id: UUID) -> dict[str, Any]:
    row = admin.execute(
        "select * from public.payment_attempts where invoice_id = %s order by created_at desc",
        [invoice_id],
    ).fetchone()
    assert row is not None
    return dict(row)


def invoice_state(admin: Connection, invoice_id: UUID) -> tuple[str, str, str]:
    row = admin.execute(
        "select i.status, t.paid::text, i.refunded::text from public.invoices i"
        " join public.invoice_totals t on t.invoice_id = i.id where i.id = %s",
        [invoice_id],
    ).fetchone()
    assert row is not None
    return row["status"], row["paid"], row["refunded"]
