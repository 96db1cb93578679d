"""P-01, P-03: nothing of one company crosses to anyone outside it, for every tenant table.

The tables come from the catalog (`app.catalog.tenant_tables`), so a table added by a migration is
in the matrix the moment it exists; it only needs a row builder below, and until it has one every
test here fails saying so. Identity is set exactly as the app sets it: the login role, then
`app.db.begin` with the claims, in one transaction.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb
from psycopg.types.range import Range

from app import catalog, db
from app.db import ANON, Connection
from tests.conftest import TestDatabase as Database
from tests.factories import Factory, Member, Tenant
from tests.policies.identity import (
    ROLES,
    acting_as,
    claims_of,
    rows_changed,
    rows_counted,
    table_name,
)
from tests.portal.support import homeowner_claims

Row = dict[str, Any]
RowBuilder = Callable[[Factory, UUID], Row]


# --- row builders: a new, valid, unsaved row of each tenant table for a given company --------


def _unique_email() -> str:
    return f"matrix-{uuid4().hex[:12]}@example.com"


def new_company(make: Factory, tenant_id: UUID) -> Row:
    # A company is its own tenant, so no "row of company A" can be added: a new company stands in
    # (nobody may create one by hand; sign-up goes through iam.sign_up).
    return {"id": uuid4(), "name": f"Forged company {uuid4().hex[:8]}"}


def new_membership(make: Factory, tenant_id: UUID) -> Row:
    email = _unique_email()
    account_id = make.account(email=email, full_name="Matrix Person")
    return {
        "tenant_id": tenant_id,
        "account_id": account_id,
        "full_name": "Matrix Person",
        "email": email,
        "role": "technician",
    }


def new_invitation(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "email": _unique_email(),
        "role": "technician",
        "token_hash": secrets.token_bytes(32),
        "expires_at": datetime.now(UTC) + timedelta(days=7),
    }


def new_outbox_message(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "kind": "matrix",
        "to_address": "someone@example.com",
        "subject": "Subject",
        "body_text": "Body",
    }


# The audit log's tables: only attempts to forge rows of A's log. A's real rows are already there,
# written by the audited inserts that seed the other tables; nobody inserts them by hand.
def new_audit_change(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "txid": "1",
        "table_name": "public.invitations",
        "row_key": str(uuid4()),
        "operation": "delete",
        "old_values": Jsonb({"email": "forged@example.com"}),
    }


def new_audit_link(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "txid": "1",
        "seq": 1_000_000,
        "digest": secrets.token_bytes(32),
        "chain_hash": secrets.token_bytes(32),
        "sealed_at": datetime.now(UTC),
    }


def new_audit_chain_head(make: Factory, tenant_id: UUID) -> Row:
    return {"tenant_id": tenant_id, "seq": 1, "chain_hash": secrets.token_bytes(32)}


def new_audit_checkpoint(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "seq": 1_000_000 + secrets.randbelow(10**9),
        "chain_hash": secrets.token_bytes(32),
        "signed_at": datetime.now(UTC),
        "key_id": secrets.token_hex(8),
        "signature": secrets.token_bytes(64),
    }


def new_audit_receipt(make: Factory, tenant_id: UUID) -> Row:
    checkpoint = new_audit_checkpoint(make, tenant_id)
    make.conn.execute(insert("audit.checkpoints", checkpoint), checkpoint)
    day = date(2000, 1, 1) + timedelta(days=secrets.randbelow(36_500))
    return {"tenant_id": tenant_id, "day": day, "seq": checkpoint["seq"]}


def new_subject_key(make: Factory, tenant_id: UUID) -> Row:
    return {"tenant_id": tenant_id, "subject_id": uuid4(), "key": secrets.token_bytes(32)}


def new_customer(make: Factory, tenant_id: UUID) -> Row:
    return {"tenant_id": tenant_id, "first_name": "Matrix", "last_name": uuid4().hex[:8]}


def new_customer_contact(make: Factory, tenant_id: UUID) -> Row:
    return {"tenant_id": tenant_id, "customer_id": make.customer(tenant_id), "full_name": "Site"}


def new_customer_note(make: Factory, tenant_id: UUID) -> Row:
    return {"tenant_id": tenant_id, "customer_id": make.customer(tenant_id), "body": "A note"}


def new_property(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "customer_id": make.customer(tenant_id),
        "street": "1 Matrix Way",
        "city": "Springfield",
    }


def new_equipment(make: Factory, tenant_id: UUID) -> Row:
    customer = make.customer(tenant_id)
    return {
        "tenant_id": tenant_id,
        "property_id": make.property(tenant_id, customer),
        "kind": "furnace",
    }


def new_customer_import(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "file_name": "customers.csv",
        "source_text": "Name\nMatrix Person\n",
        "encoding": "utf-8",
        "delimiter": ",",
        "headers": Jsonb(["Name"]),
    }


def new_working_hours(make: Factory, tenant_id: UUID) -> Row:
    technician = make.member(tenant_id, "technician").account_id
    return {
        "tenant_id": tenant_id,
        "technician_id": technician,
        "weekday": 6,
        "starts_at": "08:00",
        "ends_at": "12:00",
    }


def new_time_off(make: Factory, tenant_id: UUID) -> Row:
    starts = datetime(2027, 3, 1, 13, tzinfo=UTC)
    return {
        "tenant_id": tenant_id,
        "technician_id": make.member(tenant_id, "technician").account_id,
        "during": Range(starts, starts + timedelta(days=2)),
        "reason": "Training",
    }


def new_price_category(make: Factory, tenant_id: UUID) -> Row:
    return {"tenant_id": tenant_id, "name": f"Matrix {secrets.token_hex(4)}"}


def new_price_item(make: Factory, tenant_id: UUID) -> Row:
    return {"tenant_id": tenant_id, "kind": "material", "name": "Capacitor", "price": "18.00"}


def new_price_package_part(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "package_id": make.price_item(tenant_id, "package", "3-ton system", "9800.00"),
        "item_id": make.price_item(tenant_id, "labour", "Install labour", "95.00"),
        "item_kind": "labour",
        "quantity": "12",
    }


def new_price_package(make: Factory, tenant_id: UUID) -> Row:
    return {"tenant_id": tenant_id, "kind": "package", "name": "5-ton system", "price": "14000"}


def new_document_number(make: Factory, tenant_id: UUID) -> Row:
    return {"tenant_id": tenant_id, "kind": "invoice", "last_number": 1001}


def new_estimate(make: Factory, tenant_id: UUID) -> Row:
    customer = make.customer(tenant_id)
    return {
        "tenant_id": tenant_id,
        "customer_id": customer,
        "property_id": make.property(tenant_id, customer),
        "title": "Matrix estimate",
        "valid_until": date(2027, 6, 1),
        "currency": "USD",
        "number": 1,  # the numbering trigger gives the real one
    }


def new_estimate_option(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "estimate_id": make.estimate(tenant_id),
        "position": 1,
        "name": "Better",
    }


def new_estimate_line(make: Factory, tenant_id: UUID) -> Row:
    estimate = make.estimate(tenant_id)
    return {
        "tenant_id": tenant_id,
        "estimate_id": estimate,
        "option_id": make.estimate_option(tenant_id, estimate),
        "description": "Run capacitor",
        "quantity": "1",
        "unit_price": "18.00",
    }


def new_estimate_tax_rate(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "estimate_id": make.estimate(tenant_id),
        "name": "State",
        "percent": "6.25",
    }


def new_estimate_link(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "estimate_id": make.estimate(tenant_id),
        "token_hash": secrets.token_bytes(32),
    }


def new_invoice(make: Factory, tenant_id: UUID) -> Row:
    # Its references are left empty: each key is its own (tenant_id, x_id), and the
    # cross-tenant check below sets one at a time (app.invoice_references_agree checks only
    # the references given).
    return {
        "tenant_id": tenant_id,
        "issued_on": date(2027, 1, 4),
        "currency": "USD",
        "bill_to_name": "Matrix Customer",
        "number": 1,  # the numbering trigger gives the real one
    }


def new_invoice_link(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "invoice_id": make.invoice(tenant_id),
        "token_hash": secrets.token_bytes(32),
    }


def new_invoice_line(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "invoice_id": make.invoice(tenant_id),
        "description": "Run capacitor",
        "quantity": "1",
        "unit_price": "18.00",
    }


def new_invoice_tax_rate(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "invoice_id": make.invoice(tenant_id),
        "name": "State",
        "percent": "6.25",
    }


def new_payment(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "invoice_id": make.invoice(tenant_id, lines=("100.00",), status="sent"),
        "amount": "40.00",
        "method": "cash",
        "received_on": date(2027, 1, 5),
    }


def new_stripe_account(make: Factory, tenant_id: UUID) -> Row:
    return {"tenant_id": tenant_id, "deposit_percent": "10"}


def new_payment_attempt(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "kind": "invoice",
        "invoice_id": make.invoice(tenant_id, lines=("100.00",), status="sent"),
        "amount": "100.00",
        "currency": "USD",
    }


def new_stripe_event(make: Factory, tenant_id: UUID) -> Row:
    return {"tenant_id": tenant_id, "event_id": f"evt_{secrets.token_hex(8)}", "type": "x"}


def new_messaging_account(make: Factory, tenant_id: UUID) -> Row:
    return {"tenant_id": tenant_id, "sendgrid_from_name": "Dispatch"}


def new_conversation(make: Factory, tenant_id: UUID) -> Row:
    return {"tenant_id": tenant_id, "phone": f"+1508555{secrets.randbelow(10_000):04d}"}


def new_message(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "channel": "sms",
        "kind": "reply",
        "purpose": "conversation",
        "customer_id": make.customer(tenant_id, phone="+15085550100"),
        "to_address": "+15085550100",
        "body": "We can come on Tuesday.",
        "time_zone": "UTC",
    }


def new_campaign(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "name": "Furnace tune-up reminder",
        "audience": "tune_up_due",
        "channel": "sms",
        "sms_body": "Hi {first_name}, your tune-up is due.",
    }


def new_sms_opt_out(make: Factory, tenant_id: UUID) -> Row:
    return {"tenant_id": tenant_id, "phone": f"+1508555{secrets.randbelow(10_000):04d}"}


def paid_attempt(make: Factory, tenant_id: UUID, attempt: Row) -> None:
    """A refund's attempt, once saved: paid."""
    make.conn.execute(
        "update public.payment_attempts set paid_amount = amount, status = 'paid',"
        " payment_intent_id = 'pi_' || md5(id::text) where id = %s",
        [attempt["id"]],
    )


def new_refund(make: Factory, tenant_id: UUID) -> Row:
    row = make.conn.execute(
        "insert into public.payment_attempts (tenant_id, kind, invoice_id, amount, currency,"
        " status, paid_amount) values (%s, 'invoice', %s, 100, 'USD', 'paid', 100)"
        " returning id",
        [tenant_id, make.invoice(tenant_id, lines=("100.00",), status="sent")],
    ).fetchone()
    assert row is not None
    return {"tenant_id": tenant_id, "attempt_id": row["id"], "amount": "10.00"}


def payable(make: Factory, tenant_id: UUID, invoice: Row) -> None:
    """A payment's target invoice, once saved: sent, with a line to pay."""
    make.invoice_line(tenant_id, invoice["id"], "100.00")
    make.conn.execute(
        "update public.invoices set status = 'sent', sent_at = now() where id = %s",
        [invoice["id"]],
    )


def new_tax_rate(make: Factory, tenant_id: UUID) -> Row:
    return {"tenant_id": tenant_id, "name": f"Tax {secrets.token_hex(4)}", "percent": "6.25"}


def new_service_agreement(make: Factory, tenant_id: UUID) -> Row:
    customer = make.customer(tenant_id)
    return {
        "tenant_id": tenant_id,
        "customer_id": customer,
        "property_id": make.property(tenant_id, customer),
        "name": "Comfort plan",
        "months": [4, 10],
        "starts_on": date(2027, 1, 1),
    }


def new_job(make: Factory, tenant_id: UUID) -> Row:
    customer = make.customer(tenant_id)
    return {
        "tenant_id": tenant_id,
        "customer_id": customer,
        "property_id": make.property(tenant_id, customer),
        "kind": "repair",
        "summary": "No heat",
    }


def _property_and_job(make: Factory, tenant_id: UUID) -> tuple[UUID, UUID]:
    property_id = make.property(tenant_id, make.customer(tenant_id))
    return property_id, make.job(tenant_id, property_id)


def new_job_equipment(make: Factory, tenant_id: UUID) -> Row:
    property_id, job = _property_and_job(make, tenant_id)
    return {
        "tenant_id": tenant_id,
        "job_id": job,
        "equipment_id": make.equipment(tenant_id, property_id),
    }


def new_visit(make: Factory, tenant_id: UUID) -> Row:
    return {"tenant_id": tenant_id, "job_id": _property_and_job(make, tenant_id)[1]}


def _visit(make: Factory, tenant_id: UUID) -> UUID:
    return make.visit(tenant_id, _property_and_job(make, tenant_id)[1])


def new_estimate_photo(make: Factory, tenant_id: UUID) -> Row:
    property_id, job = _property_and_job(make, tenant_id)
    return {
        "tenant_id": tenant_id,
        "estimate_id": make.estimate(tenant_id, property_id, job),
        "file_id": make.visit_photo(tenant_id, make.visit(tenant_id, job)),
        "position": 0,
        "caption": "The cracked heat exchanger",
    }


def job_at(make: Factory, tenant_id: UUID) -> Row:
    """An estimate's place and job: a new property and a job there."""
    property_id, job = _property_and_job(make, tenant_id)
    customer = make.conn.execute(
        "select customer_id from public.properties where id = %s", [property_id]
    ).fetchone()
    assert customer is not None
    return {"customer_id": customer["customer_id"], "property_id": property_id, "job_id": job}


def estimate_of_the_photos_job(make: Factory, tenant_id: UUID, photo: Row) -> UUID:
    """A draft estimate of the job on whose visit the photo was taken."""
    job = make.conn.execute(
        "select j.id, j.property_id from public.visits v join public.jobs j"
        " on j.tenant_id = v.tenant_id and j.id = v.job_id where v.id = %s",
        [photo["visit_id"]],
    ).fetchone()
    assert job is not None
    return make.estimate(tenant_id, job["property_id"], job["id"])


def new_visit_assignment(make: Factory, tenant_id: UUID) -> Row:
    # An unscheduled visit: the assignment books no time, so no working hours come into it.
    return {
        "tenant_id": tenant_id,
        "visit_id": _visit(make, tenant_id),
        "technician_id": make.member(tenant_id, "technician").account_id,
    }


def new_visit_note(make: Factory, tenant_id: UUID) -> Row:
    return {"tenant_id": tenant_id, "visit_id": _visit(make, tenant_id), "body": "Replaced igniter"}


def new_visit_file(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "visit_id": _visit(make, tenant_id),
        "kind": "photo",
        "storage_key": f"{tenant_id}/visits/{uuid4()}.jpg",
        "content_type": "image/jpeg",
        "byte_size": 2048,
    }


def new_visit_checklist_item(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "visit_id": _visit(make, tenant_id),
        "position": 1,
        "label": "Replace the air filter",
    }


def new_equipment_service_record(make: Factory, tenant_id: UUID) -> Row:
    property_id, job = _property_and_job(make, tenant_id)
    return {
        "tenant_id": tenant_id,
        "equipment_id": make.equipment(tenant_id, property_id),
        "visit_id": make.visit(tenant_id, job),
        "serviced_at": datetime.now(UTC),
        "job_kind": "repair",
        "job_summary": "No heat",
    }


def new_calendar_feed(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "technician_id": make.member(tenant_id, "technician").account_id,
        "token_hash": secrets.token_bytes(32),
    }


def new_technician_visit(make: Factory, tenant_id: UUID) -> Row:
    # What the technician helpers read, kept by triggers; written here as its owner would.
    customer = make.customer(tenant_id)
    property_id = make.property(tenant_id, customer)
    job = make.job(tenant_id, property_id)
    return {
        "tenant_id": tenant_id,
        "visit_id": make.visit(tenant_id, job),
        "technician_id": make.member(tenant_id, "technician").account_id,
        "status": "unscheduled",
        "job_id": job,
        "customer_id": customer,
        "property_id": property_id,
    }


def _service_request(make: Factory, tenant_id: UUID) -> Row:
    """A homeowner's service request: the key of a row of its thread."""
    customer = make.customer(tenant_id)
    request = make.conn.execute(
        "insert into public.service_requests (tenant_id, customer_id, subject)"
        " values (%s, %s, 'No heat') returning id",
        [tenant_id, customer],
    ).fetchone()
    assert request is not None
    return {"tenant_id": tenant_id, "request_id": request["id"], "customer_id": customer}


def new_service_request_message(make: Factory, tenant_id: UUID) -> Row:
    return {**_service_request(make, tenant_id), "author_kind": "homeowner", "body": "Still cold."}


def new_service_request_photo(make: Factory, tenant_id: UUID) -> Row:
    request = _service_request(make, tenant_id)
    return {
        **request,
        "storage_key": f"{tenant_id}/requests/{request['request_id']}/{uuid4()}.jpg",
        "content_type": "image/jpeg",
        "byte_size": 2048,
    }


# Every company has its online booking settings from the start (a trigger makes the row): the
# first build for a company takes that row out, so that seeding puts one back.
_BOOKING_SETTINGS_TAKEN: set[UUID] = set()


def new_online_booking_settings(make: Factory, tenant_id: UUID) -> Row:
    if tenant_id not in _BOOKING_SETTINGS_TAKEN:
        _BOOKING_SETTINGS_TAKEN.add(tenant_id)
        make.conn.execute(
            "delete from public.online_booking_settings where tenant_id = %s", [tenant_id]
        )
    return {"tenant_id": tenant_id, "slug": f"company-{uuid4().hex[:12]}"}


def new_online_booking(make: Factory, tenant_id: UUID) -> Row:
    place = job_at(make, tenant_id)
    starts = datetime(2027, 1, 4, 14, tzinfo=UTC)
    return {
        "tenant_id": tenant_id,
        "visit_id": make.visit(tenant_id, place["job_id"]),
        "job_id": place["job_id"],
        "customer_id": place["customer_id"],
        "source": "public",
        "requested_starts_at": starts,
        "requested_ends_at": starts + timedelta(hours=2),
        "status": "awaiting",
    }


def _saved_import(make: Factory, tenant_id: UUID) -> UUID:
    row = new_customer_import(make, tenant_id)
    found = make.conn.execute(
        "insert into public.customer_imports (tenant_id, file_name, source_text, encoding,"
        " delimiter, headers) values (%(tenant_id)s, %(file_name)s, %(source_text)s,"
        " %(encoding)s, %(delimiter)s, %(headers)s) returning id",
        row,
    ).fetchone()
    assert found is not None
    return UUID(str(found["id"]))


def new_customer_phone(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "customer_id": make.customer(tenant_id),
        "kind": "work",
        "number": "+12175550143",
        "extension": "12",
    }


def new_customer_email(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "customer_id": make.customer(tenant_id),
        "kind": "work",
        "email": _unique_email(),
    }


def new_import_item(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "import_id": _saved_import(make, tenant_id),
        "position": 0,
        "kind": "customer",
        "action": "new",
        "lines": [2],
        "label": "Matrix Person",
        "data": Jsonb({"first_name": "Matrix"}),
    }


def new_import_record(make: Factory, tenant_id: UUID) -> Row:
    return {
        "tenant_id": tenant_id,
        "import_id": _saved_import(make, tenant_id),
        "table_name": "public.customers",
        "row_id": make.customer(tenant_id),
        "action": "created",
    }


ROW_BUILDERS: dict[str, RowBuilder] = {
    "public.online_booking_settings": new_online_booking_settings,
    "public.online_bookings": new_online_booking,
    "public.customer_imports": new_customer_import,
    "public.customers": new_customer,
    "public.customer_contacts": new_customer_contact,
    "public.customer_notes": new_customer_note,
    "public.properties": new_property,
    "public.equipment": new_equipment,
    "public.tenants": new_company,
    "public.memberships": new_membership,
    "public.invitations": new_invitation,
    "outbox.messages": new_outbox_message,
    "audit.changes": new_audit_change,
    "audit.transactions": new_audit_link,
    "audit.chain_heads": new_audit_chain_head,
    "audit.checkpoints": new_audit_checkpoint,
    "audit.receipts": new_audit_receipt,
    "audit.subject_keys": new_subject_key,
    "public.working_hours": new_working_hours,
    "public.time_off": new_time_off,
    "public.service_agreements": new_service_agreement,
    "public.jobs": new_job,
    "public.job_equipment": new_job_equipment,
    "public.visits": new_visit,
    "public.visit_assignments": new_visit_assignment,
    "public.visit_notes": new_visit_note,
    "public.visit_files": new_visit_file,
    "public.visit_checklist_items": new_visit_checklist_item,
    "public.equipment_service_records": new_equipment_service_record,
    "public.calendar_feeds": new_calendar_feed,
    "app.technician_visits": new_technician_visit,
    "public.price_categories": new_price_category,
    "public.price_items": new_price_item,
    "public.price_package_parts": new_price_package_part,
    "public.tax_rates": new_tax_rate,
    "app.document_numbers": new_document_number,
    "public.estimates": new_estimate,
    "public.estimate_options": new_estimate_option,
    "public.estimate_lines": new_estimate_line,
    "public.estimate_tax_rates": new_estimate_tax_rate,
    "public.estimate_links": new_estimate_link,
    "public.estimate_photos": new_estimate_photo,
    "public.invoices": new_invoice,
    "public.invoice_lines": new_invoice_line,
    "public.invoice_tax_rates": new_invoice_tax_rate,
    "public.invoice_links": new_invoice_link,
    "public.payments": new_payment,
    "public.stripe_accounts": new_stripe_account,
    "public.payment_attempts": new_payment_attempt,
    "public.stripe_events": new_stripe_event,
    "public.refunds": new_refund,
    "public.messaging_accounts": new_messaging_account,
    "public.conversations": new_conversation,
    "public.messages": new_message,
    "public.sms_opt_outs": new_sms_opt_out,
    "public.campaigns": new_campaign,
    "public.visit_links": lambda make, tenant_id: {
        "tenant_id": tenant_id,
        "visit_id": make.visit(
            tenant_id, make.job(tenant_id, make.property(tenant_id, make.customer(tenant_id)))
        ),
        "token_hash": secrets.token_bytes(32),
        "closes_at": datetime(2027, 1, 1, tzinfo=UTC),
    },
    "public.message_templates": lambda make, tenant_id: {
        "tenant_id": tenant_id,
        "kind": "on_my_way",
        "sms_body": "{technician} is on the way.",
        "email_subject": "On the way",
        "email_body": "{technician} is on the way.",
    },
    "public.service_requests": lambda make, tenant_id: {
        "tenant_id": tenant_id,
        "customer_id": make.customer(tenant_id),
        "subject": "Thermostat keeps resetting",
    },
    "public.service_request_messages": new_service_request_message,
    "public.service_request_photos": new_service_request_photo,
    "public.privacy_requests": lambda make, tenant_id: {
        "tenant_id": tenant_id,
        "customer_id": make.customer(tenant_id),
        "kind": "deletion",
        "source": "phone",
    },
    "iam.portal_sessions": lambda make, tenant_id: {
        "tenant_id": tenant_id,
        "customer_id": make.customer(tenant_id),
        "token_hash": secrets.token_bytes(32),
        "address": "pat@example.com",
        "expires_at": datetime(2027, 1, 1, tzinfo=UTC),
    },
    "app.message_senders": lambda make, tenant_id: {"tenant_id": tenant_id, "channel": "sms"},
    "app.message_claims": lambda make, tenant_id: {
        "tenant_id": tenant_id,
        "message_id": make.conn.execute(
            "insert into public.messages (tenant_id, channel, kind, to_address, body, time_zone)"
            " values (%s, 'email', 'reply', 'pat@example.com', 'Hello', 'UTC') returning id",
            [tenant_id],
        ).fetchone()["id"],  # type: ignore[index]
        "claimed_at": datetime(2026, 12, 7, 16, 0, tzinfo=UTC),
    },
    # A finished one: a company has at most one waiting or running export at a time.
    "public.company_exports": lambda make, tenant_id: {
        "tenant_id": tenant_id,
        "status": "failed",
        "error": "The matrix's export.",
        "finished_at": datetime(2026, 12, 7, 16, 0, tzinfo=UTC),
    },
    "public.service_history": lambda make, tenant_id: {
        "tenant_id": tenant_id,
        "customer_id": make.customer(tenant_id),
        "occurred_on": date(2024, 3, 1),
        "summary": "Replaced the capacitor",
    },
    "public.invoice_history": lambda make, tenant_id: {
        "tenant_id": tenant_id,
        "customer_id": make.customer(tenant_id),
        "issued_on": date(2024, 3, 1),
        "total": "120.00",
    },
    "public.customer_phones": new_customer_phone,
    "public.customer_emails": new_customer_email,
    "public.import_items": new_import_item,
    "public.import_records": new_import_record,
}
# A reference whose target must be a particular kind of row (the key includes the kind), by
# the reference's name; other references' targets come from ROW_BUILDERS.
REFERENCE_TARGETS: dict[str, RowBuilder] = {
    "price_package_parts_package_fkey": new_price_package,
    # An estimate of a job, whose visits' photos it may show.
    "estimate_photos_tenant_id_estimate_id_fkey": lambda make, tenant_id: (
        new_estimate(make, tenant_id) | job_at(make, tenant_id)
    ),
}
# What a reference's target needs once saved before a row may point at it, by the reference's
# name (a payment needs a sent invoice with something to pay).
TARGET_COMPLETIONS: dict[str, Callable[[Factory, UUID, Row], None]] = {
    "payments_tenant_id_invoice_id_fkey": payable,
    "refunds_tenant_id_attempt_id_fkey": paid_attempt,
}
# A reference whose source row must agree with its target beyond the key, by the reference's
# name: B's row is built for B's target (an estimate shows only photos of its own job), so
# that only the company can make the row pointing at A's target wrong.
SOURCE_ROWS: dict[str, Callable[[Factory, UUID, Row], Row]] = {
    # Only a deposit names an estimate.
    "payment_attempts_tenant_id_estimate_id_fkey": lambda make, tenant_id, estimate: {
        "tenant_id": tenant_id,
        "kind": "deposit",
        "amount": "25.00",
        "currency": "USD",
    },
    "estimate_photos_tenant_id_estimate_id_fkey": lambda make, tenant_id, estimate: {
        "tenant_id": tenant_id,
        "file_id": make.visit_photo(tenant_id, make.visit(tenant_id, estimate["job_id"])),
        "position": 0,
    },
    # A photo comes with a message of its own request.
    "service_request_photos_message_fkey": lambda make, tenant_id, message: {
        "tenant_id": tenant_id,
        "customer_id": message["customer_id"],
        "storage_key": f"{tenant_id}/requests/{uuid4()}.jpg",
        "content_type": "image/jpeg",
        "byte_size": 2048,
    },
    "estimate_photos_tenant_id_file_id_fkey": lambda make, tenant_id, photo: {
        "tenant_id": tenant_id,
        "estimate_id": estimate_of_the_photos_job(make, tenant_id, photo),
        "position": 0,
    },
}
# The log, and the keys that seal its personal values (written only by the audit trigger).
AUDIT_LOG = ("audit.changes", "audit.transactions", "audit.chain_heads", "audit.subject_keys")


def builders_for(tables: list[str]) -> dict[str, RowBuilder]:
    missing = [table for table in tables if table not in ROW_BUILDERS]
    if missing:
        pytest.fail(
            "".join(
                f"add a row builder for {table} to ROW_BUILDERS in {__file__}\n"
                for table in missing
            ),
            pytrace=False,
        )
    return {table: ROW_BUILDERS[table] for table in tables}


def tenant_column(table: str) -> str:
    return "id" if table == "public.tenants" else "tenant_id"


def insert(table: str, row: Row) -> sql.Composed:
    return sql.SQL("insert into {} ({}) values ({})").format(
        table_name(table),
        sql.SQL(", ").join(map(sql.Identifier, row)),
        sql.SQL(", ").join(map(sql.Placeholder, row)),
    )


# --- the world: company A, company B, and the people outside A ----------------------------


@dataclass(frozen=True)
class World:
    a: Tenant
    b: Tenant
    staff_of_a: dict[str, Member]
    staff_of_b: dict[str, Member]
    removed_from_a: Member
    tables: list[str]
    unsaved_rows_of_a: dict[str, Row]  # for insert attempts
    row_versions_of_a: dict[str, set[str]]  # ctid of each row of A: an update or delete moves it
    homeowner_of_a: UUID  # the customer of A whose rows are every seeded customer's row of A
    other_customer_of_a: UUID  # another customer of A, with nothing but their own record
    homeowners: dict[str, dict[str, Any]]  # claims of homeowners (and forgeries), by actor


class OneCustomer(Factory):
    """A factory whose every customer of one company is that company's one homeowner, so that
    the rows the builders hang from a customer all belong to them."""

    def __init__(self, conn: Connection, tenant_id: UUID, customer_id: UUID) -> None:
        super().__init__(conn)
        self.tenant_id, self.customer_id = tenant_id, customer_id

    def customer(self, tenant_id: UUID, *args: Any, **kwargs: Any) -> UUID:
        if tenant_id == self.tenant_id:
            return self.customer_id
        return super().customer(tenant_id, *args, **kwargs)


def seed_every_table(
    admin: Connection, make: Factory, tenant_id: UUID, builders: dict[str, RowBuilder]
) -> None:
    """A row in every table the builders make, for one company (the audit log's rows come
    from the audited inserts themselves)."""
    for table, build in builders.items():
        if table not in AUDIT_LOG:
            row = build(make, tenant_id)
            admin.execute(insert(table, row), row)


def hand_to_the_homeowner(admin: Connection, a: Tenant, homeowner: UUID) -> None:
    """What the office does before a homeowner sees anything: A's estimates and invoices go out,
    its messages are sent, and the homeowner writes back."""
    for statement in (
        "update public.estimates set status = 'sent', sent_at = now()"
        " where tenant_id = %(a)s and status = 'draft'",
        "update public.invoices set status = 'sent', sent_at = now()"
        " where tenant_id = %(a)s and status = 'draft'",
        "update public.messages set status = 'sent', sent_at = now()"
        " where tenant_id = %(a)s and status = 'queued'",
        "insert into public.messages (tenant_id, direction, status, channel, kind, purpose,"
        " customer_id, to_address, from_address, body, time_zone) values (%(a)s, 'in',"
        " 'received', 'sms', 'reply', 'conversation', %(c)s, '+15085550199', '+15085550100',"
        " 'Tuesday works.', 'UTC')",
    ):
        admin.execute(statement, {"a": a.id, "c": homeowner})


def homeowner_forgeries(
    admin: Connection, make: Factory, a: Tenant, b: Tenant, homeowner: UUID
) -> dict[str, dict[str, Any]]:
    """Claims that name A's homeowner, or look like a homeowner's, and must open nothing."""
    ended = homeowner_claims(admin, a.id, homeowner)
    admin.execute("update iam.portal_sessions set ended_at = now() where id = %s", [ended["sub"]])
    expired = homeowner_claims(admin, a.id, homeowner)
    admin.execute(
        "update iam.portal_sessions set expires_at = now() - interval '1 second' where id = %s",
        [expired["sub"]],
    )
    removed_customer = make.customer(a.id, "Removed")
    removed = homeowner_claims(admin, a.id, removed_customer)
    admin.execute("delete from public.customers where id = %s", [removed_customer])
    open_claims = homeowner_claims(admin, a.id, homeowner)
    return {
        "homeowner of A whose session ended": ended,
        "homeowner of A whose session expired": expired,
        "removed customer of A": removed,
        # The portal's flag with a staff account as the session: no session has that id.
        "portal claims with the owner of B as the session": {
            **open_claims,
            "sub": str(b.owner.account_id),
        },
        # A's open session, with claims naming B (and A's homeowner as the customer).
        "homeowner of A's session with claims naming B": {**open_claims, "tenant_id": str(b.id)},
        # Staff of B naming A's homeowner as their customer: still B's staff, nothing more.
        "owner of B with a customer claim naming A's homeowner": {
            **claims_of(b.owner),
            "customer_id": str(homeowner),
        },
    }


@pytest.fixture(scope="module")
def world(shared_admin: Connection, shared_make: Factory) -> World:
    """Two companies with a seeded row in every tenant table, staff of each role in each, and an
    owner removed from A (another owner remains). Every row of A that belongs to a customer
    belongs to one, the homeowner of A, whose estimates and invoices have been sent; another
    customer of A and a customer of B have portal sessions. Shared: every attempt below is
    rolled back."""
    admin, make = shared_admin, shared_make
    tables = catalog.tenant_tables(admin)
    builders = builders_for(tables)
    a, b = make.tenant("Company A"), make.tenant("Company B")
    staff_of_a, staff_of_b = (
        {"owner": company.owner}
        | {role: make.member(company.id, role) for role in ROLES if role != "owner"}
        for company in (a, b)
    )
    removed = make.member(a.id, "owner", status="removed")
    homeowner = make.customer(a.id, "Homer", "Owner", email="homer@example.com")
    makers = {a.id: OneCustomer(admin, a.id, homeowner), b.id: make}
    for tenant in (a, b):
        seed_every_table(admin, makers[tenant.id], tenant.id, builders)
    hand_to_the_homeowner(admin, a, homeowner)
    other_customer = make.customer(a.id, "Olive", "Other")
    homeowners = {
        "homeowner of A": homeowner_claims(admin, a.id, homeowner),
        "another customer of company A": homeowner_claims(admin, a.id, other_customer),
        "customer of company B": homeowner_claims(admin, b.id, make.customer(b.id, "Bea")),
    } | homeowner_forgeries(admin, make, a, b, homeowner)
    versions = {
        table: {
            row["ctid"]
            for row in admin.execute(
                sql.SQL("select ctid::text from {} where {} = %(a)s").format(
                    table_name(table), sql.Identifier(tenant_column(table))
                ),
                {"a": a.id},
            )
        }
        for table in tables
    }
    unseeded = [table for table in tables if not versions[table]]
    assert not unseeded, f"seeding left no row of company A in {unseeded}"
    unsaved = {table: build(makers[a.id], a.id) for table, build in builders.items()}
    return World(
        a,
        b,
        staff_of_a,
        staff_of_b,
        removed,
        tables,
        unsaved,
        versions,
        homeowner,
        other_customer,
        homeowners,
    )


Claims = Callable[[World], dict[str, Any]]


def staff_of_b(role: str) -> Claims:
    return lambda world: claims_of(world.staff_of_b[role])


def homeowner(actor: str) -> Claims:
    return lambda world: world.homeowners[actor]


ACTORS: dict[str, Claims] = {
    "anonymous visitor": lambda world: dict(ANON),
    **{f"{role} of company B": staff_of_b(role) for role in ROLES},
    # Still-valid claims of someone whose membership was removed (P-03).
    "removed owner of company A": lambda world: claims_of(world.removed_from_a),
    # Claims naming a company the account does not belong to.
    "owner of B with claims naming A": lambda world: claims_of(world.b.owner, world.a.id),
    # Homeowners signed in to the portal (P-02): a customer of another company, and another
    # customer of the same company, who sees their own record and company (SEEN_BY_A_CUSTOMER)
    # and nothing of A's homeowner; and forged or stale homeowner claims.
    **{
        actor: homeowner(actor)
        for actor in (
            "customer of company B",
            "another customer of company A",
            "homeowner of A whose session ended",
            "homeowner of A whose session expired",
            "removed customer of A",
            "portal claims with the owner of B as the session",
            "homeowner of A's session with claims naming B",
            "owner of B with a customer claim naming A's homeowner",
        )
    },
}
# What any customer of A signed in to the portal sees of A that is not A's homeowner's: their
# company (its name, logo, colour and phone), its online-booking rules, and their own record,
# one row each (test_another_customer_of_a_sees_only_their_own_record_and_company shows which).
SEEN_BY_A_CUSTOMER = {
    "public.tenants": 1,
    "public.customers": 1,
    "public.online_booking_settings": 1,
}


# --- operations: each returns what crossed, or None -----------------------------------------


def select_rows_of_a(conn: Connection, table: str, world: World) -> str | None:
    seen = rows_counted(
        conn,
        sql.SQL("select count(*) as n from {} where {} = %(a)s").format(
            table_name(table), sql.Identifier(tenant_column(table))
        ),
        {"a": world.a.id},
    )
    return f"saw {seen} row(s) of A" if seen else None


def insert_row_of_a(conn: Connection, table: str, world: World) -> str | None:
    row = world.unsaved_rows_of_a[table]
    # Any refusal other than a privilege one would mean a broken row builder: let it raise.
    added = rows_changed(conn, insert(table, row), row)
    return None if added is None else f"inserted {added} row(s) for A"


def updatable_column(conn: Connection, table: str) -> sql.Identifier:
    """A column the actor's role may update (one that may be set to its default first), so that
    row-level security, not a missing column grant, is what has to refuse."""
    schema, name = table.split(".")
    granted = conn.execute(
        "select a.attname from pg_attribute a join pg_class c on c.oid = a.attrelid"
        " join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = %(schema)s and c.relname = %(name)s and a.attnum > 0"
        " and not a.attisdropped and has_column_privilege(c.oid, a.attnum, 'UPDATE')"
        " order by a.attnotnull and not a.atthasdef, a.attnum limit 1",
        {"schema": schema, "name": name},
    ).fetchone()
    return sql.Identifier(granted["attname"] if granted else tenant_column(table))


def rows_of_a_touched(conn: Connection, table: str, world: World, write: sql.Composed) -> int:
    """Rows of A that a write changed or deleted, seen from behind row-level security in the
    same (then rolled back) transaction. For writes that read no column: only the write's own
    policy applies to them, not the select policies that a WHERE clause would bring in."""
    with conn.transaction(force_rollback=True):
        try:
            with conn.transaction():
                written = conn.execute(write).rowcount
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.IntegrityError):
            return 0  # refused, or failed on a key: the statement changed nothing at all
        if table in AUDIT_LOG:
            # Not even service_role reads the log, so nothing can look behind; and nobody may
            # write it at all, so every row the write reached counts.
            return written
        db.begin(conn, {"role": "service_role"})  # undone with the savepoint
        after = conn.execute(
            sql.SQL("select ctid::text from {} where {} = %(a)s").format(
                table_name(table), sql.Identifier(tenant_column(table))
            ),
            {"a": world.a.id},
        )
        return len(world.row_versions_of_a[table] - {row["ctid"] for row in after})


def update_rows_of_a(conn: Connection, table: str, world: World) -> str | None:
    column, tenant = updatable_column(conn, table), sql.Identifier(tenant_column(table))
    targeted = rows_changed(
        conn,
        sql.SQL("update {} set {} = {} where {} = %(a)s").format(
            table_name(table), column, column, tenant
        ),
        {"a": world.a.id},
    )
    blind = rows_of_a_touched(
        conn, table, world, sql.SQL("update {} set {} = default").format(table_name(table), column)
    )
    if targeted or blind:
        return f"updated {targeted} row(s) of A by id, {blind} by updating every row"
    return None


def delete_rows_of_a(conn: Connection, table: str, world: World) -> str | None:
    targeted = rows_changed(
        conn,
        sql.SQL("delete from {} where {} = %(a)s").format(
            table_name(table), sql.Identifier(tenant_column(table))
        ),
        {"a": world.a.id},
    )
    blind = rows_of_a_touched(
        conn, table, world, sql.SQL("delete from {}").format(table_name(table))
    )
    if targeted or blind:
        return f"deleted {targeted} row(s) of A by id, {blind} by deleting every row"
    return None


def move_rows_of_b_into_a(conn: Connection, table: str, world: World) -> str | None:
    column = sql.Identifier(tenant_column(table))
    moved = rows_changed(
        conn,
        sql.SQL("update {} set {} = %(a)s where {} = %(b)s").format(
            table_name(table), column, column
        ),
        {"a": world.a.id, "b": world.b.id},
    )
    return f"moved {moved} row(s) of B into A" if moved else None


OPERATIONS: dict[str, Callable[[Connection, str, World], str | None]] = {
    "select": select_rows_of_a,
    "insert": insert_row_of_a,
    "update": update_rows_of_a,
    "delete": delete_rows_of_a,
    "move": move_rows_of_b_into_a,
}


# --- the matrix -----------------------------------------------------------------------------


def test_every_tenant_table_has_a_row_builder(shared_admin: Connection) -> None:
    tables = set(catalog.tenant_tables(shared_admin))
    assert tables - set(ROW_BUILDERS) == set(), "add a row builder for each of these tables"
    assert set(ROW_BUILDERS) - tables == set(), "these row builders name no tenant table"


@pytest.mark.promise("P-01")
@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(
    "actor",
    [
        pytest.param(actor, marks=[pytest.mark.promise("P-03")] if "removed" in actor else [])
        for actor in ACTORS
    ],
)
def test_nothing_of_company_a_crosses(
    shared_database: Database, world: World, actor: str, operation: str
) -> None:
    crossings = []
    with acting_as(shared_database, ACTORS[actor](world), may_look_behind=True) as conn:
        for table in world.tables:
            crossing = OPERATIONS[operation](conn, table, world)
            if (
                actor == "another customer of company A"
                and operation == "select"
                and crossing == f"saw {SEEN_BY_A_CUSTOMER.get(table)} row(s) of A"
            ):
                continue
            if crossing:
                crossings.append(f"  {table}: {crossing}")
    assert not crossings, f"{actor} ({operation}):\n" + "\n".join(crossings)


@pytest.mark.promise("P-01")
def test_company_a_owner_sees_the_seeded_rows(shared_database: Database, world: World) -> None:
    """The control: the same query finds A's rows for A's owner, so a zero above means refusal."""
    with acting_as(shared_database, claims_of(world.a.owner)) as conn:
        unseen = [t for t in world.tables if select_rows_of_a(conn, t, world) is None]
    # Not even A's owner reads the keys: the viewer opens values through audit.readable_values.
    # Nor what the technician helpers read: only those definers do; nor the document counters,
    # which only the numbering trigger keeps, nor the worker's claims and pace of messages,
    # nor homeowners' portal sessions (only the portal's definers read them).
    assert sorted(unseen) == [
        "app.document_numbers",
        "app.message_claims",
        "app.message_senders",
        "app.technician_visits",
        "audit.subject_keys",
        "iam.portal_sessions",
    ]


# --- the homeowner's own rows (P-02) ----------------------------------------------------------

# The tables a signed-in homeowner reads, each through a homeowner policy. A new homeowner policy
# must be acknowledged here: the list is checked against the catalog's policies.
HOMEOWNER_TABLES = {
    "public.tenants": "their company: name, logo, colour, phone",
    "public.customers": "their own record",
    "public.customer_contacts": "their contact people",
    "public.properties": "their properties",
    "public.equipment": "the equipment at their properties",
    "public.equipment_service_records": "the service history of their visits",
    "public.service_agreements": "their maintenance plans",
    "public.jobs": "their jobs",
    "public.visits": "the visits of their jobs",
    "public.estimates": "their estimates once sent",
    "public.estimate_options": "the options of those estimates",
    "public.estimate_lines": "the lines of those estimates",
    "public.estimate_tax_rates": "the tax rates of those estimates",
    "public.invoices": "their invoices once sent",
    "public.invoice_lines": "the lines of those invoices",
    "public.invoice_tax_rates": "the tax rates of those invoices",
    "public.payments": "the payments of those invoices",
    "public.refunds": "the refunds of those invoices",
    "public.messages": "their messages once sent or received",
    "public.service_requests": "their requests",
    "public.service_request_messages": "their requests' threads",
    "public.service_request_photos": "their requests' photos",
    "public.privacy_requests": "their requests for a copy, a correction or deletion",
    "public.online_booking_settings": "their company's online booking rules",
    "public.online_bookings": "their own online bookings",
}


PORTAL_GATE = re.compile(
    r"\s*CASE\s+WHEN \(+\s*SELECT auth\.jwt\(\) AS jwt\) ->> 'portal'::text\)"
    r" IS DISTINCT FROM 'true'::text\)+ THEN false\s+ELSE "
)


def homeowner_policies(admin: Connection) -> list[dict[str, Any]]:
    """Every policy that keys on the portal's helpers (app.portal_*)."""
    return admin.execute(
        "select format('%I.%I', schemaname, tablename) as table, policyname, cmd,"
        " roles::text[] as roles, qual from pg_policies"
        " where coalesce(qual, '') || coalesce(with_check, '') like '%app.portal\\_%'"
        " order by 1, 2"
    ).fetchall()


@pytest.mark.promise("P-02")
def test_every_homeowner_policy_is_acknowledged_and_only_reads(shared_admin: Connection) -> None:
    policies = homeowner_policies(shared_admin)
    assert {p["table"] for p in policies} == set(HOMEOWNER_TABLES), (
        "a homeowner policy was added or removed: update HOMEOWNER_TABLES (and the portal's"
        " tests of what a homeowner sees)"
    )
    # A homeowner writes only through the portal's definers, never a table directly.
    assert {(p["cmd"], tuple(p["roles"])) for p in policies} == {("SELECT", ("authenticated",))}
    # Each is gated on the portal's claim, so that staff plans never take a homeowner policy as
    # an index path nor run its helpers (bench/portal_policies.py shows the plans).
    ungated = {p["policyname"]: p["qual"] for p in policies if not PORTAL_GATE.match(p["qual"])}
    assert ungated == {}, "start each with: case when (select auth.jwt()) ->> 'portal' ..."


def rows_of_a_seen(conn: Connection, table: str, world: World, column: str = "") -> list[Any]:
    """The rows of A this actor sees (their `column`, or a count's worth of Nones)."""
    picked = sql.Identifier(column) if column else sql.SQL("null")
    return [
        row["v"]
        for row in conn.execute(
            sql.SQL("select {} as v from {} where {} = %(a)s").format(
                picked, table_name(table), sql.Identifier(tenant_column(table))
            ),
            {"a": world.a.id},
        )
    ]


def has_column(conn: Connection, table: str, column: str) -> bool:
    schema, name = table.split(".")
    return (
        conn.execute(
            "select from information_schema.columns where table_schema = %s"
            " and table_name = %s and column_name = %s",
            [schema, name, column],
        ).fetchone()
        is not None
    )


@pytest.mark.promise("P-02")
def test_the_homeowner_of_a_sees_their_own_rows(shared_database: Database, world: World) -> None:
    """The control of the homeowners above: the same queries find A's homeowner's rows for A's
    homeowner, in exactly the tables of HOMEOWNER_TABLES, so a zero there means refusal."""
    seen: dict[str, int] = {}
    others: dict[str, set[Any]] = {}
    with acting_as(shared_database, world.homeowners["homeowner of A"]) as conn:
        for table in world.tables:
            try:
                with conn.transaction():
                    count = len(rows_of_a_seen(conn, table, world))
            except psycopg.errors.InsufficientPrivilege:
                count = 0
            if count:
                seen[table] = count
            if count and has_column(conn, table, "customer_id"):
                owners = set(rows_of_a_seen(conn, table, world, "customer_id"))
                if owners != {world.homeowner_of_a}:
                    others[table] = owners
        customers = rows_of_a_seen(conn, "public.customers", world, "id")
        directions = set(rows_of_a_seen(conn, "public.messages", world, "direction"))
    assert set(seen) == set(HOMEOWNER_TABLES), "tables a homeowner should see: HOMEOWNER_TABLES"
    assert others == {}, "rows of another customer seen"
    assert customers == [world.homeowner_of_a]
    assert directions == {"in", "out"}


@pytest.mark.promise("P-02")
@pytest.mark.parametrize("operation", ["insert", "update", "delete", "move"])
def test_the_homeowner_of_a_writes_nothing_directly(
    shared_database: Database, world: World, operation: str
) -> None:
    """Not even their own rows: a homeowner's writes go through the portal's definers."""
    writes = []
    with acting_as(
        shared_database, world.homeowners["homeowner of A"], may_look_behind=True
    ) as conn:
        for table in world.tables:
            done = OPERATIONS[operation](conn, table, world)
            if done:
                writes.append(f"  {table}: {done}")
    assert not writes, f"A's homeowner ({operation}):\n" + "\n".join(writes)


@pytest.mark.promise("P-02")
def test_another_customer_of_a_sees_only_their_own_record_and_company(
    shared_database: Database, world: World
) -> None:
    """What the matrix lets another customer of A see (SEEN_BY_A_CUSTOMER) is theirs."""
    with acting_as(shared_database, world.homeowners["another customer of company A"]) as conn:
        assert rows_of_a_seen(conn, "public.customers", world, "id") == [world.other_customer_of_a]
        assert rows_of_a_seen(conn, "public.tenants", world, "id") == [world.a.id]
        rules = rows_of_a_seen(conn, "public.online_booking_settings", world, "tenant_id")
        assert rules == [world.a.id]


def portal_rows(conn: Connection) -> dict[str, int]:
    """Rows this actor sees in each table a homeowner may read, of any company."""
    return {
        table: rows_counted(
            conn, sql.SQL("select count(*) as n from {}").format(table_name(table)), {}
        )
        or 0
        for table in HOMEOWNER_TABLES
    }


@pytest.mark.promise("P-02")
def test_a_homeowner_sees_no_draft_and_no_unsent_message(
    database: Database, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    customer = make.customer(tenant.id, "Dana")
    home = make.property(tenant.id, customer)
    draft_estimate, sent_estimate = make.estimate(tenant.id, home), make.estimate(tenant.id, home)
    draft_invoice = make.invoice(tenant.id, home, lines=("10.00",))
    sent_invoice = make.invoice(tenant.id, home, lines=("10.00",), status="sent")
    admin.execute(
        "update public.estimates set status = 'sent', sent_at = now() where id = %s",
        [sent_estimate],
    )
    messages = {
        status: admin.execute(
            "insert into public.messages (tenant_id, channel, kind, customer_id, to_address, body,"
            " time_zone) values (%s, 'sms', 'reply', %s, '+15085550100', 'Hello', 'UTC')"
            " returning id",
            [tenant.id, customer],
        ).fetchone()["id"]  # type: ignore[index]
        for status in ("queued", "blocked", "canceled", "sent", "delivered")
    }
    for status, message in messages.items():  # as the worker and the provider move them on
        admin.execute("update public.messages set status = %s where id = %s", [status, message])
    with acting_as(database, homeowner_claims(admin, tenant.id, customer)) as conn:
        estimates = [r["id"] for r in conn.execute("select id from public.estimates")]
        invoices = [r["id"] for r in conn.execute("select id from public.invoices")]
        lines = [r["invoice_id"] for r in conn.execute("select invoice_id from invoice_lines")]
        seen = {r["id"] for r in conn.execute("select id from public.messages")}
    assert estimates == [sent_estimate]
    assert invoices == [sent_invoice]
    assert lines == [sent_invoice]
    assert draft_estimate not in estimates and draft_invoice not in invoices
    assert seen == {messages["sent"], messages["delivered"]}


@pytest.mark.promise("P-02")
def test_staff_claims_with_a_customer_claim_are_still_staff(
    database: Database, admin: Connection, make: Factory
) -> None:
    """A customer_id (or the portal's flag) in a staff member's claims adds nothing and takes
    nothing away: the staff policies answer as before."""
    tenant = make.tenant()
    dispatcher = make.member(tenant.id, "dispatcher")
    customer, other = make.customer(tenant.id), make.customer(tenant.id)
    make.invoice(tenant.id, make.property(tenant.id, other))
    plain = claims_of(dispatcher)
    with acting_as(database, plain) as conn:
        expected = portal_rows(conn)
    assert expected["public.customers"] == 2 and expected["public.invoices"] == 1
    with acting_as(database, plain | {"customer_id": str(customer)}) as conn:
        assert portal_rows(conn) == expected
        assert conn.execute(
            "select app.tenant_id() as staff, app.portal_customer_id() as me"
        ).fetchone() == {"staff": tenant.id, "me": None}


@pytest.mark.promise("P-02")
def test_portal_claims_with_a_staff_members_account_see_nothing(
    database: Database, admin: Connection, make: Factory
) -> None:
    """The portal's flag with a staff account as the session is no homeowner, and no staff:
    a request is one or the other."""
    tenant = make.tenant()
    customer = make.customer(tenant.id)
    make.job(tenant.id, make.property(tenant.id, customer))
    forged = homeowner_claims(admin, tenant.id, customer) | {"sub": str(tenant.owner.account_id)}
    with acting_as(database, forged) as conn:
        assert set(portal_rows(conn).values()) == {0}
        assert conn.execute(
            "select app.tenant_id() as staff, app.portal_customer_id() as me"
        ).fetchone() == {"staff": None, "me": None}


@pytest.mark.promise("P-03")
def test_removal_takes_effect_on_the_very_next_transaction(
    database: Database, admin: Connection, make: Factory
) -> None:
    company = make.tenant()
    dispatcher = make.member(company.id, "dispatcher")
    team = "select count(*) as n from public.memberships where tenant_id = %(t)s"
    with acting_as(database, claims_of(dispatcher)) as conn:
        assert rows_counted(conn, team, {"t": company.id}) == 2
    admin.execute(
        "update public.memberships set status = 'removed', removed_at = now() where id = %(id)s",
        {"id": dispatcher.membership_id},
    )
    with acting_as(database, claims_of(dispatcher)) as conn:
        assert rows_counted(conn, team, {"t": company.id}) == 0
        assert rows_counted(conn, "select count(*) as n from public.tenants", {}) == 0


@pytest.mark.promise("P-08")
@pytest.mark.parametrize("role", ROLES)
def test_not_even_company_a_staff_write_its_audit_log(
    shared_database: Database, world: World, role: str
) -> None:
    """The audit log is A's, yet nobody of A (owners and admins may read it) can write it."""
    writes = []
    with acting_as(shared_database, claims_of(world.staff_of_a[role])) as conn:
        for table in AUDIT_LOG:
            for operation in ("insert", "update", "delete", "move"):
                done = OPERATIONS[operation](conn, table, world)
                if done:
                    writes.append(f"  {table}: {done}")
    assert not writes, f"{role} of company A:\n" + "\n".join(writes)


# --- the login role on its own ----------------------------------------------------------------


@pytest.mark.promise("P-01")
def test_the_login_role_alone_has_no_privilege_on_any_table(
    shared_database: Database, shared_admin: Connection
) -> None:
    tables = [
        row["name"]
        for row in shared_admin.execute(
            "select format('%I.%I', schemaname, tablename) as name from pg_tables"
            " where schemaname in ('public', 'iam', 'outbox', 'audit') order by 1"
        ).fetchall()
    ]
    assert {"public.memberships", "iam.accounts", "outbox.messages", "audit.changes"} <= set(tables)
    readable = []
    with psycopg.connect(shared_database.app_url) as conn:
        assert conn.execute("select current_user").fetchone() == ("plenum_web",)
        for table in tables:
            try:
                with conn.transaction():
                    conn.execute(sql.SQL("select from {} limit 1").format(table_name(table)))
                readable.append(table)
            except psycopg.errors.InsufficientPrivilege:
                pass
        granted = conn.execute(
            "select c.oid::regclass::text from pg_class c join pg_namespace n"
            " on n.oid = c.relnamespace where n.nspname in ('public', 'iam', 'outbox', 'audit')"
            " and c.relkind in ('r', 'p', 'v', 'm')"
            " and (has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE,"
            " REFERENCES, TRIGGER') or has_any_column_privilege(c.oid, 'SELECT, INSERT, UPDATE,"
            " REFERENCES'))"
        ).fetchall()
    assert readable == []
    assert granted == []


# --- composite tenant foreign keys ------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    name: str
    source: str
    target: str
    columns: dict[str, str]  # referencing column -> referenced column


def references_between_tenant_tables(admin: Connection) -> list[Reference]:
    """Every foreign key from one tenant table to another (the company itself aside)."""
    rows = admin.execute(
        """
        select con.conname as name,
               format('%I.%I', sn.nspname, s.relname) as source,
               format('%I.%I', tn.nspname, t.relname) as target,
               array(select a.attname::text from unnest(con.conkey) with ordinality k(n, i)
                     join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n
                     order by k.i) as columns,
               array(select a.attname::text from unnest(con.confkey) with ordinality k(n, i)
                     join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n
                     order by k.i) as referenced
        from pg_constraint con
        join pg_class s on s.oid = con.conrelid join pg_namespace sn on sn.oid = s.relnamespace
        join pg_class t on t.oid = con.confrelid join pg_namespace tn on tn.oid = t.relnamespace
        where con.contype = 'f' order by 1
        """
    ).fetchall()
    tables = set(catalog.tenant_tables(admin)) - {"public.tenants"}
    # A key that includes the row's own id names a part of the same record (an estimate's
    # approved option is one of its own options: tests/estimates prove it), not another row to
    # point at; its tenant_id column keeps it in the company like every other key.
    return [
        Reference(
            row["name"],
            row["source"],
            row["target"],
            dict(zip(row["columns"], row["referenced"], strict=True)),
        )
        for row in rows
        if row["source"] in tables and row["target"] in tables and "id" not in row["columns"]
    ]


def cross_tenant_references_accepted(
    admin: Connection, make: Factory, builders: dict[str, RowBuilder], references: list[Reference]
) -> list[str]:
    """For each reference, a row of B pointing at A's row must be refused, while the same row
    pointing at B's row is accepted (so the refusal is about the company, nothing else)."""
    a, b = make.tenant(), make.tenant()
    accepted = []
    for ref in references:
        targets: dict[UUID, Row] = {}
        for tenant in (a, b):
            row = REFERENCE_TARGETS.get(ref.name, builders[ref.target])(make, tenant.id)
            saved = admin.execute(insert(ref.target, row) + sql.SQL(" returning *"), row)
            targets[tenant.id] = saved.fetchone() or {}
            if ref.name in TARGET_COMPLETIONS:
                TARGET_COMPLETIONS[ref.name](make, tenant.id, targets[tenant.id])
        agreeing = SOURCE_ROWS.get(ref.name)
        row = agreeing(make, b.id, targets[b.id]) if agreeing else builders[ref.source](make, b.id)
        for owner, outcome in ((a, "refused"), (b, "accepted")):
            pointing = row | {
                column: targets[owner.id][referenced]
                for column, referenced in ref.columns.items()
                if column != "tenant_id"
            }
            try:
                with admin.transaction(force_rollback=True):
                    admin.execute(insert(ref.source, pointing), pointing)
                if outcome == "refused":
                    accepted.append(
                        f"{ref.name}: a row of B in {ref.source} points at A's {ref.target}"
                    )
            except psycopg.errors.ForeignKeyViolation:
                assert outcome == "refused", f"{ref.name}: B's own reference was refused"
    return accepted


@pytest.mark.promise("P-01")
def test_tenant_foreign_keys_reject_cross_tenant_references(
    admin: Connection, make: Factory
) -> None:
    references = references_between_tenant_tables(admin)
    if not references:
        pytest.skip("no reference between tenant tables yet: live as soon as one is added")
    builders = builders_for(catalog.tenant_tables(admin))
    assert cross_tenant_references_accepted(admin, make, builders, references) == []


def test_the_reference_check_catches_a_key_without_tenant_id(
    admin: Connection, make: Factory
) -> None:
    """The check above on made-up tables: quiet for a composite key, loud for a plain one."""
    admin.execute(
        "create table public.sites (tenant_id uuid not null references public.tenants,"
        " id uuid not null default gen_random_uuid(), primary key (tenant_id, id), unique (id));"
        " create table public.site_visits (tenant_id uuid not null references public.tenants,"
        " id uuid not null default gen_random_uuid(), site_id uuid not null,"
        " primary key (tenant_id, id), constraint site_visits_site_fkey"
        " foreign key (tenant_id, site_id) references public.sites (tenant_id, id));"
        " create table public.site_notes (tenant_id uuid not null references public.tenants,"
        " id uuid not null default gen_random_uuid(), site_id uuid not null,"
        " primary key (tenant_id, id), constraint site_notes_site_fkey"
        " foreign key (site_id) references public.sites (id))"
    )

    def new_site_reference(make: Factory, tenant_id: UUID) -> Row:
        site = make.conn.execute(
            "insert into public.sites (tenant_id) values (%(t)s) returning id", {"t": tenant_id}
        ).fetchone()
        assert site is not None
        return {"tenant_id": tenant_id, "site_id": site["id"]}

    builders: dict[str, RowBuilder] = {
        "public.sites": lambda make, tenant_id: {"tenant_id": tenant_id},
        "public.site_visits": new_site_reference,
        "public.site_notes": new_site_reference,
    }
    references = [
        r
        for r in references_between_tenant_tables(admin)
        if r.name in {"site_visits_site_fkey", "site_notes_site_fkey"}
    ]
    assert len(references) == 2
    assert cross_tenant_references_accepted(admin, make, builders, references) == [
        "site_notes_site_fkey: a row of B in public.site_notes points at A's public.sites"
    ]
