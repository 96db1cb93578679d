"""A customer's other phones and emails, and their contact people's: read with the customer
page, added and removed one at a time by the office."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from app import db, sql

queries = sql.load(__file__, "numbers.sql")
Row = dict[str, Any]


def reads(tenant_id: UUID, customer_id: UUID) -> list[tuple[str, dict[str, Any]]]:
    """The customer page's reads of every other number and address (theirs and their contacts')."""
    scope = {"tenant_id": tenant_id, "customer_id": customer_id}
    return [(queries.list_phones, scope), (queries.list_emails, scope)]


def of_contact(rows: list[Row], contact_id: UUID | None) -> list[Row]:
    """The rows that are the customer's own (None) or one contact person's."""
    return [r for r in rows if r["contact_id"] == contact_id]


def listed(tenant_id: UUID, customer_id: UUID) -> tuple[list[Row], list[Row]]:
    phones, emails = db.query_together(*reads(tenant_id, customer_id))
    return phones, emails


def add_phone(
    tenant_id: UUID, customer_id: UUID, contact_id: UUID | None, values: dict[str, Any]
) -> bool:
    """File another number; False when the customer (or the contact of theirs) is not found."""
    params = {"tenant_id": tenant_id, "customer_id": customer_id, "contact_id": contact_id}
    return bool(db.write(queries.add_phone, {**params, **values}))


def add_email(
    tenant_id: UUID, customer_id: UUID, contact_id: UUID | None, values: dict[str, Any]
) -> bool:
    params = {"tenant_id": tenant_id, "customer_id": customer_id, "contact_id": contact_id}
    return bool(db.write(queries.add_email, {**params, **values}))


def phone(tenant_id: UUID, phone_id: UUID) -> Row | None:
    return db.one(queries.phone, {"tenant_id": tenant_id, "id": phone_id})


def email(tenant_id: UUID, email_id: UUID) -> Row | None:
    return db.one(queries.email, {"tenant_id": tenant_id, "id": email_id})


def remove_phone(tenant_id: UUID, phone_id: UUID) -> None:
    db.write(queries.remove_phone, {"tenant_id": tenant_id, "id": phone_id})


def remove_email(tenant_id: UUID, email_id: UUID) -> None:
    db.write(queries.remove_email, {"tenant_id": tenant_id, "id": email_id})
