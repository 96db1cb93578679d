"""P-10: a restricted customer is kept but never messaged: the database refuses every message to
them, whatever its purpose and whether or not it names them (reminders, campaigns, booking
confirmations, documents, on-my-way texts, replies, the outbox's own mail), leaves them out of
campaigns' audiences and out of the office's CSV exports. The portal sign-in code they ask for
themselves and the law's answer to STOP still go."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from flask import Flask

from app.db import Connection
from tests.factories import Factory
from tests.privacy_requests.support import signed_in

pytestmark = pytest.mark.promise("P-10")
EMAIL = "rita@restricted.example"
PHONE = "+13125550111"
RESTRICTED = "Processing of this customer is restricted."

# Every kind of message a company sends, by purpose (the kinds the features queue).
MESSAGES = [
    ("sms", "reminder", "transactional"),
    ("email", "reminder", "transactional"),
    ("sms", "on_my_way", "transactional"),
    ("email", "booking_confirmed", "transactional"),
    ("email", "estimate", "transactional"),
    ("email", "invoice", "transactional"),
    ("sms", "campaign", "marketing"),
    ("email", "review_request", "marketing"),
    ("sms", "reply", "conversation"),
]


def restricted(admin: Connection, make: Factory) -> tuple[UUID, UUID]:
    tenant = make.tenant()
    customer = make.customer(tenant.id, "Rita", "Restricted", email=EMAIL, phone=PHONE)
    admin.execute(
        "update public.customers set restrict_processing = true, marketing_consent = true,"
        " marketing_consent_at = now() where id = %s",
        [customer],
    )
    return tenant.id, customer


def send(admin: Connection, tenant_id: UUID, **values: Any) -> dict[str, Any] | None:
    row = {"time_zone": "UTC", "body": "Hello Rita", **values, "tenant_id": tenant_id}
    columns = ", ".join(row)
    placeholders = ", ".join(f"%({c})s" for c in row)
    return admin.execute(
        f"insert into public.messages ({columns}) values ({placeholders})"  # noqa: S608 (test)
        " returning status, blocked_reason",
        row,
    ).fetchone()


@pytest.mark.parametrize(("channel", "kind", "purpose"), MESSAGES)
def test_no_message_of_any_kind_goes_to_a_restricted_customer(
    admin: Connection, make: Factory, channel: str, kind: str, purpose: str
) -> None:
    tenant_id, customer = restricted(admin, make)
    to = PHONE if channel == "sms" else EMAIL
    common = {"channel": channel, "kind": kind, "purpose": purpose, "to_address": to}

    named = send(admin, tenant_id, customer_id=customer, **common)
    unnamed = send(admin, tenant_id, **common)  # typed to their address, naming no one

    assert named == {"status": "blocked", "blocked_reason": RESTRICTED}
    assert unnamed is not None and unnamed["status"] == "blocked"


def test_a_contacts_address_is_restricted_with_the_customer(
    admin: Connection, make: Factory
) -> None:
    tenant_id, customer = restricted(admin, make)
    contact = make.contact(tenant_id, customer, "Ron Restricted")
    admin.execute(
        "update public.customer_contacts set email = 'ron@restricted.example' where id = %s",
        [contact],
    )

    row = send(
        admin, tenant_id, channel="email", kind="estimate", to_address="ron@restricted.example"
    )

    assert row == {"status": "blocked", "blocked_reason": RESTRICTED}


def test_their_other_numbers_and_emails_and_their_contacts_are_restricted_too(
    admin: Connection, make: Factory
) -> None:
    tenant_id, customer = restricted(admin, make)
    contact = make.contact(tenant_id, customer, "Ron Restricted")
    ids = {"t": tenant_id, "c": customer, "ct": contact}
    admin.execute(
        "insert into public.customer_phones (tenant_id, customer_id, contact_id, kind, number)"
        " values (%(t)s, %(c)s, null, 'home', '+13125550112'),"
        " (%(t)s, %(c)s, %(ct)s, 'work', '+13125550113')",
        ids,
    )
    admin.execute(
        "insert into public.customer_emails (tenant_id, customer_id, contact_id, kind, email)"
        " values (%(t)s, %(c)s, null, 'work', 'rita.work@restricted.example'),"
        " (%(t)s, %(c)s, %(ct)s, 'work', 'ron.work@restricted.example')",
        ids,
    )

    for channel, to in (
        ("sms", "+13125550112"),
        ("sms", "+13125550113"),
        ("email", "rita.work@restricted.example"),
        ("email", "Ron.Work@restricted.example"),
    ):
        row = send(admin, tenant_id, channel=channel, kind="reminder", to_address=to)
        assert row == {"status": "blocked", "blocked_reason": RESTRICTED}, to
    admin.execute(
        "insert into outbox.messages (tenant_id, channel, kind, to_address, subject, body_text)"
        " values (%s, 'email', 'estimate_approved', 'rita.work@restricted.example', 'Thanks',"
        " 'Approved')",
        [tenant_id],
    )
    assert admin.execute(
        "select count(*) as n from outbox.messages where tenant_id = %s", [tenant_id]
    ).fetchone() == {"n": 0}
    # Lifted, the same numbers are messaged again.
    admin.execute(
        "update public.customers set restrict_processing = false where id = %s", [customer]
    )
    row = send(admin, tenant_id, channel="sms", kind="reminder", to_address="+13125550112")
    assert row is not None and row["status"] == "queued"


def test_the_outbox_writes_no_mail_to_a_restricted_customer(
    admin: Connection, make: Factory
) -> None:
    tenant_id, _customer = restricted(admin, make)
    for to in (EMAIL, "someone.else@example.com"):
        admin.execute(
            "insert into outbox.messages (tenant_id, channel, kind, to_address, subject,"
            " body_text) values (%s, 'email', 'estimate_approved', %s, 'Thanks', 'Approved')",
            [tenant_id, to],
        )

    sent = admin.execute(
        "select to_address from outbox.messages where tenant_id = %s", [tenant_id]
    ).fetchall()

    assert sent == [{"to_address": "someone.else@example.com"}]


def test_their_own_sign_in_code_and_the_answer_to_stop_still_go(
    admin: Connection, make: Factory
) -> None:
    tenant_id, customer = restricted(admin, make)

    code = send(
        admin, tenant_id, channel="email", kind="portal_sign_in", urgent=True, to_address=EMAIL
    )
    stop = send(
        admin,
        tenant_id,
        channel="sms",
        kind="opt_out",
        purpose="compliance",
        urgent=True,
        customer_id=customer,
        to_address=PHONE,
    )

    assert code is not None and code["status"] == "queued"
    assert stop is not None and stop["status"] == "queued"


def test_lifting_the_restriction_lets_messages_go_again(admin: Connection, make: Factory) -> None:
    tenant_id, customer = restricted(admin, make)
    admin.execute(
        "update public.customers set restrict_processing = false where id = %s", [customer]
    )

    row = send(
        admin, tenant_id, channel="email", kind="invoice", customer_id=customer, to_address=EMAIL
    )

    assert row == {"status": "queued", "blocked_reason": ""}


def test_a_restricted_customer_is_left_out_of_the_office_exports(
    app: Flask, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    kept = make.customer(tenant.id, "Kate", "Kept")
    rita = make.customer(tenant.id, "Rita", "Restricted")
    for customer in (kept, rita):
        make.property(tenant.id, customer)
        make.contact(tenant.id, customer, "Kept Contact" if customer == kept else "Restricted Ron")
    admin.execute("update public.customers set restrict_processing = true where id = %s", [rita])
    office = signed_in(app, tenant.owner.email)

    for url in ("/customers/export.csv", "/properties/export.csv", "/contacts/export.csv"):
        exported = office.get(url).get_data(as_text=True)
        assert "Kate Kept" in exported or "Kept" in exported
        assert "Restricted" not in exported.replace("Restrict processing", "")
