"""A Checkout session is recorded on its attempt once, and only by a member who may pay that
invoice: nobody can swap the page a homeowner's second click on "Pay" is sent to."""

from __future__ import annotations

from uuid import UUID

from app import db
from app.db import Connection
from tests.conftest import TestDatabase
from tests.factories import Factory
from tests.policies.identity import acting_as, claims_of

OPENED = "select app.checkout_opened(%s, %s, %s)"


def attempt(admin: Connection, make: Factory, tenant_id: UUID, session: str | None) -> UUID:
    row = admin.execute(
        "insert into public.payment_attempts (tenant_id, kind, invoice_id, amount, currency,"
        " checkout_session_id, checkout_url) values (%s, 'invoice', %s, 100, 'USD', %s, %s)"
        " returning id",
        [tenant_id, make.invoice(tenant_id, lines=("100.00",), status="sent"), session,
         f"https://checkout.stripe.com/c/pay/{session}" if session else ""],
    ).fetchone()  # fmt: skip
    assert row is not None
    return UUID(str(row["id"]))


def session_of(admin: Connection, attempt_id: UUID) -> tuple[str | None, str]:
    row = admin.execute(
        "select checkout_session_id, checkout_url from public.payment_attempts where id = %s",
        [attempt_id],
    ).fetchone()
    assert row is not None
    return row["checkout_session_id"], row["checkout_url"]


def test_a_recorded_session_is_never_replaced_and_only_a_payer_records_one(
    database: TestDatabase, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    owner = make.member(tenant.id, "owner")
    technician = make.member(tenant.id, "technician")  # of no job: sees no invoice
    recorded = attempt(admin, make, tenant.id, "cs_first")
    fresh = attempt(admin, make, tenant.id, None)
    for member, target, kept in (
        (owner, recorded, ("cs_first", "https://checkout.stripe.com/c/pay/cs_first")),
        (technician, fresh, (None, "")),
    ):
        with acting_as(database, claims_of(member), may_look_behind=True) as conn:
            conn.execute(OPENED, [target, "cs_evil", "https://evil.example/pay"])
            db.begin(conn, {"role": "service_role"})  # to read what the call left
            assert session_of(conn, target) == kept
    with acting_as(database, claims_of(owner)) as conn:  # the office may pay it: recorded
        conn.execute(OPENED, [fresh, "cs_second", "https://checkout.stripe.com/c/pay/cs_second"])
        assert conn.execute(
            "select checkout_session_id from public.payment_attempts where id = %s", [fresh]
        ).fetchone() == {"checkout_session_id": "cs_second"}
