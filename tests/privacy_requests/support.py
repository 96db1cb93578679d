"""A populated company (a row in every company table) whose one customer's name, email, phone,
address and note text carry distinctive markers, everywhere a company keeps them: the customer
record and every row hanging from it, and the rows that carry their address or words without
their key (a sign-in code to their email, a text from their number, the outbox, an opt-out)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from uuid import UUID

from flask import Flask

from app.db import Connection
from tests.conftest import Client
from tests.factories import Factory, Tenant
from tests.lifecycle.support import populate

EMAIL = "zephyrine@quorrelby.example"
PHONE = "+13125550177"
CONTACT_PHONE = "+13125550178"
# Another number and email of hers (customer_phones, customer_emails).
OTHER_PHONE = "+13125550179"
OTHER_EMAIL = "office@glimmerwick.example"
# What must be nowhere once the customer is erased (lower case, as tables_mentioning compares).
MARKERS = (
    "zephyrine",
    "quorrelby",
    "5550177",
    "5550178",
    "5550179",
    "glimmerwick",
    "xylofant",
    "marmalade",
)

MARKING = (
    "update public.customers set first_name = 'Zephyrine', last_name = 'Quorrelby',"
    " email = %(email)s, phone = %(phone)s, notes = 'Marmalade thunder at the gate',"
    " tags = '{quorrelby-vip}' where id = %(c)s",
    "update public.customer_contacts set full_name = 'Zephyrine Quorrelby Jr',"
    " email = 'jr@quorrelby.example', phone = %(contact_phone)s where customer_id = %(c)s",
    "update public.customer_notes set body = 'Marmalade thunder: the dog'"
    " where customer_id = %(c)s",
    "update public.properties set street = '12 Xylofant Street', notes = 'Marmalade shed'"
    " where customer_id = %(c)s",
    "update public.jobs set summary = 'Quorrelby furnace', description = 'Marmalade smell'"
    " where customer_id = %(c)s",
    "update public.visit_notes n set body = 'Zephyrine showed the basement' from public.visits v,"
    " public.jobs j where n.visit_id = v.id and v.job_id = j.id and j.customer_id = %(c)s",
    "update public.messages set to_address = case channel when 'sms' then %(phone)s"
    " else %(email)s end, body = 'Hello Zephyrine, marmalade at ten'"
    " where customer_id = %(c)s and direction = 'out'",
    "update public.messages set from_address = %(phone)s, body = 'Zephyrine here'"
    " where customer_id = %(c)s and direction = 'in'",
    "update public.service_requests set subject = 'Quorrelby thermostat' where customer_id = %(c)s",
    "update public.service_request_messages set body = 'Marmalade noise' where customer_id = %(c)s",
    "update public.privacy_requests set details = 'Zephyrine Quorrelby wants it all gone'"
    " where customer_id = %(c)s",
    "update public.payments p set reference = 'Check from Quorrelby' from public.invoices i"
    " where i.id = p.invoice_id and i.customer_id = %(c)s",
    "update public.refunds r set reason = 'Quorrelby was double charged' from public.invoices i"
    " where i.id = r.invoice_id and i.customer_id = %(c)s",
    "update public.customer_imports set source_text = 'First,Last,Email\nZephyrine,Quorrelby,'"
    " || %(email)s where tenant_id = %(t)s",
    # Without the customer's key: a sign-in code to her email, a text from her number on a
    # thread not yet linked to her, the outbox's copy of a mail, her STOP.
    "insert into public.messages (tenant_id, channel, kind, purpose, urgent, to_address, subject,"
    " body) values (%(t)s, 'email', 'portal_sign_in', 'transactional', true, %(email)s,"
    " 'Your code', 'Zephyrine, your code is 123456')",
    "insert into public.sms_opt_outs (tenant_id, phone) values (%(t)s, %(phone)s)",
    "insert into outbox.messages (tenant_id, channel, kind, to_address, subject, body_text)"
    " values (%(t)s, 'email', 'estimate_approved', %(email)s, 'Thanks Zephyrine',"
    " 'Marmalade approved')",
    "insert into iam.portal_challenges (handle_hash, link_hash, code_hash, address, expires_at)"
    " values (%(h1)s, %(h2)s, %(h3)s, %(email)s, now() + interval '15 minutes')",
    # Her other number and email, and what was sent to them without naming her.
    "update public.customer_phones set number = %(other_phone)s where customer_id = %(c)s",
    "update public.customer_emails set email = %(other_email)s where customer_id = %(c)s",
    "insert into public.messages (tenant_id, channel, kind, to_address, body, time_zone)"
    " values (%(t)s, 'sms', 'reply', %(other_phone)s, 'See you at ten', 'UTC')",
    "insert into outbox.messages (tenant_id, channel, kind, to_address, subject, body_text)"
    " values (%(t)s, 'email', 'estimate_approved', %(other_email)s, 'Approved', 'Thanks')",
)


def marked(admin: Connection, make: Factory) -> tuple[Tenant, UUID]:
    """A populated company whose one customer carries the markers everywhere."""
    tenant, customer = populate(admin, make, "Marked Company")
    params = {
        "t": tenant.id,
        "c": customer,
        "email": EMAIL,
        "phone": PHONE,
        "contact_phone": CONTACT_PHONE,
        "other_phone": OTHER_PHONE,
        "other_email": OTHER_EMAIL,
        "h1": secrets.token_bytes(32),
        "h2": secrets.token_bytes(32),
        "h3": secrets.token_bytes(32),
    }
    for statement in MARKING:
        admin.execute(statement, params)
    thread = admin.execute(
        "insert into public.conversations (tenant_id, phone) values (%s, %s) returning id",
        [tenant.id, PHONE],
    ).fetchone()
    admin.execute(
        "insert into public.messages (tenant_id, direction, status, channel, kind, purpose,"
        " conversation_id, to_address, from_address, body, time_zone, created_at) values"
        " (%s, 'in', 'received', 'sms', 'reply', 'conversation', %s, '+15085550100', %s,"
        " 'Marmalade question from Zephyrine', 'UTC', %s)",
        [tenant.id, thread["id"], PHONE, datetime(2026, 12, 1, tzinfo=UTC)],  # type: ignore[index]
    )
    return tenant, customer


def signed_in(app: Flask, email: str) -> Client:
    client: Client = app.test_client()  # type: ignore[assignment]
    client.sign_in(email)
    return client
