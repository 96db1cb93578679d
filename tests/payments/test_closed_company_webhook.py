"""P-11: Stripe's event for a closed company is acknowledged (Stripe would otherwise retry it
for days) and logged, and changes nothing: the company is read-only."""

from __future__ import annotations

import logging

import pytest

from app.db import Connection
from tests import factories
from tests.payments.conftest import Shop
from tests.payments.stripe_server import FakeStripe
from tests.payments.test_stripe import _checkout, _counts, _invoice, _paid_events, _session


@pytest.mark.promise("P-11")
def test_a_closed_companys_stripe_event_is_acknowledged_and_changes_nothing(
    shop: Shop,
    make: factories.Factory,
    admin: Connection,
    stripe_server: FakeStripe,
    caplog: pytest.LogCaptureFixture,
) -> None:
    invoice_id = _invoice(make, shop)
    completed, _, _ = _paid_events(
        stripe_server, _session(stripe_server, _checkout(shop, invoice_id))
    )
    admin.execute(
        "update public.tenants set status = 'closed', closed_at = now(),"
        " purge_after = now() + interval '30 days' where id = %s",
        [shop.tenant.id],
    )
    before = _counts(admin)
    with caplog.at_level(logging.WARNING):
        response = shop.post_event(completed)
    assert response.status_code == 200
    assert _counts(admin) == before
    assert "the company is closed; the call was ignored" in caplog.text
