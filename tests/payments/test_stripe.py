"""Paying an invoice through Stripe Checkout (localstripe and the loopback Checkout server),
Stripe's webhook (signature, once per event, any order, amounts checked) and refunds."""

from __future__ import annotations

import logging
import re
from typing import Any
from uuid import UUID

import pytest

from app.db import Connection
from tests import factories
from tests.payments.conftest import (
    SECRET_KEY,
    WEBHOOK_SECRET,
    Shop,
    attempt,
    connect,
    event,
    invoice_state,
    signature,
)
from tests.payments.stripe_server import FakeStripe


def _invoice(make: factories.Factory, shop: Shop, price: str = "100.00") -> UUID:
    return make.invoice(shop.tenant.id, lines=(price,), status="sent")


def _checkout(shop: Shop, invoice_id: UUID) -> str:
    response = shop.client.submit(f"/invoices/{invoice_id}/pay-online")
    assert response.status_code == 303, response.get_data(as_text=True)
    return str(response.headers["Location"])


def _session(stripe_server: FakeStripe, url: str) -> dict[str, Any]:
    return stripe_server.sessions[url.rsplit("/", 1)[1]]


def _paid_events(stripe_server: FakeStripe, session: dict[str, Any]) -> tuple[bytes, bytes, dict]:
    intent = stripe_server.pay(session["id"])
    completed = event("checkout.session.completed", dict(session))
    succeeded = event(
        "payment_intent.succeeded",
        {**intent, "amount_received": intent["amount"], "metadata": session["metadata"]},
    )
    return completed, succeeded, intent


def paid_online(
    shop: Shop, make: factories.Factory, stripe_server: FakeStripe
) -> tuple[UUID, dict[str, Any]]:
    """A sent invoice of 100.00 paid in full through Checkout (the webhook's completed event
    applied): its id and Stripe's payment intent."""
    invoice_id = _invoice(make, shop)
    completed, _, intent = _paid_events(
        stripe_server, _session(stripe_server, _checkout(shop, invoice_id))
    )
    shop.post_event(completed)
    return invoice_id, intent


def office_refund(shop: Shop, invoice_id: UUID, attempt_id: object, amount: str, key: str) -> Any:
    """The office's refund form for the invoice's paid attempt, sent once."""
    form = {"attempt_id": str(attempt_id), "reason": "Part not fitted"}
    return shop.client.submit(
        f"/invoices/{invoice_id}/refunds", {**form, "amount": amount, "request_key": key}
    )


def _counts(admin: Connection) -> tuple[Any, ...]:
    row = admin.execute(
        "select (select count(*) from public.payments) as payments,"
        " (select count(*) from public.stripe_events) as events,"
        " (select count(*) from public.refunds) as refunds,"
        " (select string_agg(status || coalesce(paid_amount::text, ''), ',' order by id)"
        "    from public.payment_attempts) as attempts"
    ).fetchone()
    assert row is not None
    return tuple(row.values())


@pytest.mark.promise("P-17")
def test_keys_are_sealed_at_rest_never_shown_and_removable(shop: Shop, admin: Connection) -> None:
    row = admin.execute(
        "select secret_key_encrypted, webhook_secret_encrypted from public.stripe_accounts"
        " where tenant_id = %s",
        [shop.tenant.id],
    ).fetchone()
    assert row is not None
    for value in row.values():
        assert value.startswith("v2:") and "sk_test" not in value and "whsec" not in value
    page = shop.client.get("/company/payments").get_data(as_text=True)
    assert SECRET_KEY not in page and WEBHOOK_SECRET not in page
    assert SECRET_KEY[-4:] not in page
    assert re.search(r"Secret key: <strong>set</strong>", page)
    assert f"/stripe/webhook/{shop.endpoint_id}" in page
    # An empty field keeps the key; removing forgets it, and then no pay button is offered.
    shop.client.submit("/company/payments", {"deposit_percent": "10", "remove_secret_key": "y"})
    row = admin.execute(
        "select secret_key_encrypted, webhook_secret_encrypted, deposit_percent::text as d"
        " from public.stripe_accounts where tenant_id = %s",
        [shop.tenant.id],
    ).fetchone()
    assert row is not None
    assert row["secret_key_encrypted"] == "" and row["webhook_secret_encrypted"].startswith("v2:")
    assert row["d"] == "10.00"


def test_a_bad_deposit_percentage_or_key_changes_nothing(shop: Shop, admin: Connection) -> None:
    before = admin.execute("select * from public.stripe_accounts").fetchall()
    for form in ({"deposit_percent": "101"}, {"secret_key": "pk_test_123456789"}):
        response = shop.client.submit("/company/payments", form)
        assert response.status_code == 422
    assert admin.execute("select * from public.stripe_accounts").fetchall() == before


def test_other_roles_cannot_see_the_stripe_settings(
    app: Any, make: factories.Factory, shop: Shop
) -> None:
    for role in ("office", "dispatcher", "technician"):
        other = app.test_client()
        other.sign_in(make.member(shop.tenant.id, role).email)
        assert other.get("/company/payments").status_code in (403, 404)


@pytest.mark.promise("P-16")
def test_an_invoice_paid_through_checkout_leaves_no_card_number_anywhere(
    shop: Shop,
    make: factories.Factory,
    admin: Connection,
    stripe_server: FakeStripe,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    invoice_id = _invoice(make, shop)
    url = _checkout(shop, invoice_id)
    assert _checkout(shop, invoice_id) == url  # a double click reuses the attempt's session
    session = _session(stripe_server, url)
    assert session["amount_total"] == 10000 and session["currency"] == "usd"
    assert session["metadata"]["endpoint_id"] == shop.endpoint_id
    assert session["metadata"]["document_id"] == str(invoice_id)
    completed, _, intent = _paid_events(stripe_server, session)
    response = shop.post_event(completed)
    assert response.status_code == 200 and response.get_data(as_text=True) == "paid"
    charge = {
        **intent["latest_charge"],
        "payment_method_details": {"type": "card", "card": {"brand": "visa", "last4": "4242"}},
    }
    assert shop.post_event(event("charge.succeeded", charge)).get_data(as_text=True) == "already"
    assert invoice_state(admin, invoice_id) == ("paid", "100.00", "0.00")
    paid = attempt(admin, invoice_id)
    assert (paid["card_brand"], paid["card_last4"]) == ("visa", "4242")
    page = shop.client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "visa ending 4242" in page
    _assert_no_card_number(admin, [r.getMessage() for r in caplog.records])


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char) * (2 if index % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


# A card number as it would be written: 13 to 19 digits, maybe grouped by spaces or dashes,
# standing alone (not a piece of a longer id or hash, where digit runs occur by chance).
CARD_LIKE = re.compile(r"(?<![0-9A-Za-z])\d(?:[ -]?\d){12,18}(?![0-9A-Za-z])")


def _card_like(text: str) -> list[str]:
    found = (re.sub(r"[ -]", "", m.group(0)) for m in CARD_LIKE.finditer(text))
    return [digits for digits in found if 13 <= len(digits) <= 19 and _luhn(digits)]


def test_the_card_number_scan_finds_card_numbers() -> None:
    """Control for the scan: what it must find, and ids it must not mistake for one."""
    for written in ("4242424242424242", "card 4242 4242 4242 4242.", "5555-5555-5555-4444"):
        assert _card_like(written), written
    assert not _card_like("4242424242424241")  # fails the Luhn check
    assert not _card_like("pi_3ab4242424242424242x 1e56de362084498195345a97802341f0")


def _assert_no_card_number(admin: Connection, log_lines: list[str]) -> None:
    """No column of a text-like type in any schema, and no log line, holds a Luhn-valid run of
    13 to 19 digits."""
    columns = admin.execute(
        "select table_schema, table_name, column_name from information_schema.columns c"
        " join information_schema.tables t using (table_schema, table_name)"
        " where t.table_type = 'BASE TABLE'"
        "   and c.data_type in ('text', 'character varying', 'character', 'jsonb', 'json')"
        # Migration versions are timestamps (20261123170100 passes the Luhn check by chance).
        "   and table_schema not in ('pg_catalog', 'information_schema', 'supabase_migrations')"
    ).fetchall()
    assert len(columns) > 50
    for c in columns:
        rows = admin.execute(
            f'select "{c["column_name"]}"::text as v from "{c["table_schema"]}"."{c["table_name"]}"'  # noqa: S608
            f' where "{c["column_name"]}"::text ~ %s',
            [r"(\d[ -]?){13}"],
        ).fetchall()
        for row in rows:
            assert not _card_like(row["v"]), (c, row["v"][:80])
    for line in log_lines:
        assert not _card_like(line), line


def test_a_bad_or_missing_signature_is_400_and_changes_nothing(
    shop: Shop, make: factories.Factory, admin: Connection, stripe_server: FakeStripe
) -> None:
    invoice_id = _invoice(make, shop)
    completed, _, _ = _paid_events(
        stripe_server, _session(stripe_server, _checkout(shop, invoice_id))
    )
    before = _counts(admin)
    for header in (
        "",
        signature(completed, "whsec_another0123456789"),
        "t=1,v1=00",
        signature(completed, at=1_000_000),
    ):
        assert shop.post_event(completed, header).status_code == 400
    assert (
        shop.client.post(
            "/stripe/webhook/unknown",
            data=completed,
            headers={"Stripe-Signature": signature(completed)},
        ).status_code
        == 400
    )
    assert _counts(admin) == before
    assert invoice_state(admin, invoice_id) == ("sent", "0.00", "0.00")


def test_a_replayed_event_changes_nothing(
    shop: Shop, make: factories.Factory, admin: Connection, stripe_server: FakeStripe
) -> None:
    invoice_id = _invoice(make, shop)
    completed, _, _ = _paid_events(
        stripe_server, _session(stripe_server, _checkout(shop, invoice_id))
    )
    assert shop.post_event(completed).get_data(as_text=True) == "paid"
    after = _counts(admin)
    for _ in range(2):
        response = shop.post_event(completed)
        assert response.status_code == 200 and response.get_data(as_text=True) == "duplicate"
    assert _counts(admin) == after
    assert invoice_state(admin, invoice_id) == ("paid", "100.00", "0.00")


def test_events_out_of_order_pay_once(
    shop: Shop, make: factories.Factory, admin: Connection, stripe_server: FakeStripe
) -> None:
    invoice_id = _invoice(make, shop)
    completed, succeeded, _ = _paid_events(
        stripe_server, _session(stripe_server, _checkout(shop, invoice_id))
    )
    assert shop.post_event(succeeded).get_data(as_text=True) == "paid"
    assert shop.post_event(completed).get_data(as_text=True) == "already"
    assert invoice_state(admin, invoice_id) == ("paid", "100.00", "0.00")
    assert admin.execute(
        "select count(*) as n from public.payments where invoice_id = %s", [invoice_id]
    ).fetchone() == {"n": 1}


def test_a_refund_before_the_success_is_applied_after_it(
    shop: Shop, make: factories.Factory, admin: Connection, stripe_server: FakeStripe
) -> None:
    invoice_id = _invoice(make, shop)
    session = _session(stripe_server, _checkout(shop, invoice_id))
    completed, succeeded, intent = _paid_events(stripe_server, session)
    refunded = {
        **intent["latest_charge"],
        "metadata": session["metadata"],
        "amount_refunded": 2500,
        "refunded": False,
    }
    assert shop.post_event(event("charge.refunded", refunded)).get_data(as_text=True) == "refunded"
    assert shop.post_event(succeeded).get_data(as_text=True) == "already"
    assert shop.post_event(completed).get_data(as_text=True) == "already"
    assert invoice_state(admin, invoice_id) == ("paid", "100.00", "25.00")


def test_an_amount_that_does_not_match_is_flagged_not_paid(
    shop: Shop, make: factories.Factory, admin: Connection, stripe_server: FakeStripe
) -> None:
    invoice_id = _invoice(make, shop)
    session = _session(stripe_server, _checkout(shop, invoice_id))
    stripe_server.pay(session["id"])
    wrong = event("checkout.session.completed", {**session, "amount_total": 9000})
    assert shop.post_event(wrong).get_data(as_text=True) == "mismatch"
    assert invoice_state(admin, invoice_id) == ("sent", "0.00", "0.00")
    flagged = attempt(admin, invoice_id)
    assert flagged["status"] == "mismatch", flagged
    assert "90.00 USD" in flagged["problem"], flagged["problem"]
    page = shop.client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "Flagged:" in page and "90.00 USD" in page


def test_refunds_from_the_office_full_and_partial(
    shop: Shop, make: factories.Factory, admin: Connection, stripe_server: FakeStripe
) -> None:
    invoice_id, intent = paid_online(shop, make, stripe_server)
    paid = attempt(admin, invoice_id)["id"]
    key = "0c6f0f5e-2d0b-4d0e-9b8a-6c1d2e3f4a5b"
    assert office_refund(shop, invoice_id, paid, "30.00", key).status_code == 302
    # The same form sent twice is the same refund (Stripe's idempotency key; recorded once).
    office_refund(shop, invoice_id, paid, "30.00", key)
    assert invoice_state(admin, invoice_id) == ("paid", "100.00", "30.00")
    charge = stripe_server.local("GET", f"/v1/charges/{intent['latest_charge']['id']}")
    assert charge["amount_refunded"] == 3000
    # More than is left is refused, nothing changes; the rest is refunded in full.
    other = "1c6f0f5e-2d0b-4d0e-9b8a-6c1d2e3f4a5b"
    office_refund(shop, invoice_id, paid, "70.01", other)
    assert invoice_state(admin, invoice_id) == ("paid", "100.00", "30.00")
    office_refund(shop, invoice_id, paid, "70.00", other)
    assert invoice_state(admin, invoice_id) == ("paid", "100.00", "100.00")
    # Stripe's charge.refunded for what the office already recorded adds nothing.
    charge = stripe_server.local("GET", f"/v1/charges/{intent['latest_charge']['id']}")
    assert charge["amount_refunded"] == 10000
    shop.post_event(event("charge.refunded", {**charge, "status": "succeeded"}))
    assert invoice_state(admin, invoice_id) == ("paid", "100.00", "100.00")
    page = shop.client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "Part not fitted" in page


@pytest.mark.promise("P-01")
def test_another_companys_endpoint_cannot_pay_this_companys_invoice(
    shop: Shop, app: Any, make: factories.Factory, admin: Connection, stripe_server: FakeStripe
) -> None:
    invoice_id = _invoice(make, shop)
    completed, _, _ = _paid_events(
        stripe_server, _session(stripe_server, _checkout(shop, invoice_id))
    )
    other = connect(app.test_client(), make, admin)
    response = other.post_event(completed)  # validly signed for the other company's endpoint
    assert response.status_code == 200 and response.get_data(as_text=True) == "unmatched"
    assert invoice_state(admin, invoice_id) == ("sent", "0.00", "0.00")
    assert shop.post_event(completed).get_data(as_text=True) == "paid"


def test_a_failed_payment_is_shown_and_pays_nothing(
    shop: Shop, make: factories.Factory, admin: Connection, stripe_server: FakeStripe
) -> None:
    invoice_id = _invoice(make, shop)
    session = _session(stripe_server, _checkout(shop, invoice_id))
    failed = {
        "id": "pi_failed0123456789abcdef",
        "object": "payment_intent",
        "metadata": session["metadata"],
        "last_payment_error": {"message": "Your card was declined."},
    }
    assert shop.post_event(event("payment_intent.payment_failed", failed)).status_code == 200
    assert invoice_state(admin, invoice_id) == ("sent", "0.00", "0.00")
    page = shop.client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "Your card was declined." in page
