"""A refund made from the office through Stripe (localstripe), as the office's reports see it:
on today's row of payments by day, subtracted into the net; as a refund receipt in the
accounting export, with Stripe's refund id; on the customer's timeline."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from app.db import Connection
from tests import factories
from tests.payments.conftest import Shop, attempt
from tests.payments.stripe_server import FakeStripe
from tests.payments.test_stripe import office_refund, paid_online


def test_a_refund_from_the_office_reaches_the_reports(
    shop: Shop, make: factories.Factory, admin: Connection, stripe_server: FakeStripe
) -> None:
    invoice_id, _ = paid_online(shop, make, stripe_server)
    key = "0c6f0f5e-2d0b-4d0e-9b8a-6c1d2e3f4a5b"
    refunded = office_refund(shop, invoice_id, attempt(admin, invoice_id)["id"], "30.00", key)
    assert refunded.status_code == 302
    today = datetime.now(ZoneInfo("America/New_York")).date()
    span = f"starts={today}&ends={today}"

    report = shop.client.get(f"/invoices/reports/payments.csv?{span}").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(report.lstrip("\ufeff"))))
    # Day, cash, cheque, card terminal, bank transfer, Stripe, total, refunds, net.
    assert rows[1] == [today.isoformat(), "0.00", "0.00", "0.00", "0.00", "100.00", "100.00",
                       "30.00", "70.00"]  # fmt: skip
    receipts = shop.client.get(f"/invoices/reports/accounting/refunds.csv?{span}")
    found = list(csv.reader(io.StringIO(receipts.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(found) == 2
    assert found[1][0] == "INV-1001-R1" and found[1][8:] == ["30.00", "Part not fitted"]
    assert found[1][4].startswith("re_")  # Stripe's refund id
    customer = admin.execute(
        "select customer_id from public.invoices where id = %s", [invoice_id]
    ).fetchone()
    assert customer is not None
    page = shop.client.get(f"/customers/{customer['customer_id']}").get_data(as_text=True)
    assert "Refund of $30.00 on INV-1001" in page and "Part not fitted" in page
