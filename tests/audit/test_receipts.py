"""P-08: each day, a company's owners are emailed a receipt of its newest signed checkpoint: a copy
outside the database that the database cannot rewrite, which they can check with the public key
it carries."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import Flask
from psycopg_pool import ConnectionPool

from app.audit import checkpoints
from app.db import Connection
from jobs.audit_checkpoints import ACTOR, send_due_receipts, sign_due_heads, sweep
from tests.clock import set_clock
from tests.factories import Factory, Tenant

pytestmark = pytest.mark.promise("P-08")
DAY = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=1)


def receipts_of(admin: Connection, tenant_id: UUID) -> list[dict[str, Any]]:
    return admin.execute(
        "select to_address, subject, body_text from outbox.messages"
        " where tenant_id = %(t)s and kind = 'audit_receipt' order by created_at, to_address",
        {"t": tenant_id},
    ).fetchall()


@pytest.fixture
def seed(app: Flask) -> bytes:
    key: bytes = app.config["PLENUM"].audit_signing_key
    return key


@pytest.fixture
def company(make: Factory) -> Tenant:
    """A company with two owners (and a removed one, who gets nothing)."""
    tenant = make.tenant("Acme Heating")
    make.member(tenant.id, "owner")
    make.member(tenant.id, "owner", status="removed")
    make.member(tenant.id, "dispatcher")
    return tenant


def owners_of(admin: Connection, tenant_id: UUID) -> list[str]:
    rows = admin.execute(
        "select email from public.memberships where tenant_id = %(t)s and role = 'owner'"
        " and status = 'active' order by email",
        {"t": tenant_id},
    ).fetchall()
    return [row["email"] for row in rows]


def test_the_receipt_is_queued_once_a_day_to_each_owner(
    admin: Connection, pool: ConnectionPool, make: Factory, company: Tenant, seed: bytes
) -> None:
    neighbour = make.tenant()
    set_clock(admin, DAY)
    assert sweep(pool, seed) == 2 + 3  # a checkpoint each, then a receipt to each owner
    assert sorted(r["to_address"] for r in receipts_of(admin, company.id)) == owners_of(
        admin, company.id
    )
    assert len(receipts_of(admin, neighbour.id)) == 1

    make.invitation(company.id)
    set_clock(admin, DAY + timedelta(hours=13))
    assert sign_due_heads(pool, seed) == 2  # the receipts themselves moved both heads
    assert send_due_receipts(pool, seed) == 0  # a newer checkpoint, but the same day
    set_clock(admin, DAY + timedelta(days=1))
    assert send_due_receipts(pool, seed) == 3  # the next day
    assert send_due_receipts(pool, seed) == 0
    assert len(receipts_of(admin, company.id)) == 4
    days = admin.execute(
        "select day from audit.receipts where tenant_id = %(t)s order by day", {"t": company.id}
    ).fetchall()
    assert [row["day"] for row in days] == [DAY.date(), DAY.date() + timedelta(days=1)]


def test_no_receipt_when_nothing_was_signed_since_the_last_one(
    admin: Connection, pool: ConnectionPool, company: Tenant, seed: bytes
) -> None:
    set_clock(admin, DAY)
    sweep(pool, seed)
    set_clock(admin, DAY + timedelta(days=1))
    assert send_due_receipts(pool, seed) == 0  # no new checkpoint yet today
    assert sign_due_heads(pool, seed) == 1  # yesterday's receipts moved the head
    assert send_due_receipts(pool, seed) == 2


def test_the_receipt_carries_a_signature_the_owner_can_check(
    admin: Connection, pool: ConnectionPool, company: Tenant, seed: bytes
) -> None:
    set_clock(admin, DAY)
    sweep(pool, seed)
    (signed,) = admin.execute(
        "select * from audit.checkpoints where tenant_id = %(t)s", {"t": company.id}
    ).fetchall()
    receipt = receipts_of(admin, company.id)[0]
    text = receipt["body_text"]

    assert receipt["subject"] == f"Audit log receipt for Acme Heating, {DAY.date().isoformat()}"
    assert f"Chain hash:     {bytes(signed['chain_hash']).hex()}" in text
    assert f"Signature:      {base64.b64encode(signed['signature']).decode()}" in text
    # Checked with nothing but the email: its public key, its signature, its statement.
    public_key = base64.b64decode(field(text, "Public key"))
    assert public_key == checkpoints.public_key_bytes(seed)
    statement = text.split("each ending with a newline):\n\n")[1].split("\nIf the audit")[0]
    assert statement.startswith(checkpoints.DOMAIN + "\n")
    Ed25519PublicKey.from_public_bytes(public_key).verify(
        base64.b64decode(field(text, "Signature")), statement.encode()
    )


def field(text: str, name: str) -> str:
    match = re.search(rf"^{name}:\s+(\S+)$", text, re.MULTILINE)
    assert match, name
    return match.group(1)


def test_the_receipt_is_queued_in_the_companys_name_and_audited(
    admin: Connection, pool: ConnectionPool, company: Tenant, seed: bytes
) -> None:
    set_clock(admin, DAY)
    sweep(pool, seed)
    rows = admin.execute(
        "select actor_id, actor_label, new_values from audit.changes"
        " where tenant_id = %(t)s and table_name = 'outbox.messages' order by id",
        {"t": company.id},
    ).fetchall()
    assert len(rows) == 2
    assert {row["actor_label"] for row in rows} == {ACTOR}
    assert {row["actor_id"] for row in rows} == {None}  # the job, not a member
    # The body is recorded as its digest, like every outgoing message's.
    assert all(row["new_values"]["body_text"].startswith("sha256:") for row in rows)
