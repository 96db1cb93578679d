"""Customer records. Row-level security decides who may do what; every statement also names
the company, which helps the planner and keeps a Python bug from reaching another company."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import psycopg

from app import db, sql
from app.audit.access import record_access
from app.customers import numbers, timeline

queries = sql.load(__file__)
Row = dict[str, Any]


def customer(tenant_id: UUID, customer_id: UUID) -> Row | None:
    return db.one(queries.customer, {"tenant_id": tenant_id, "id": customer_id})


def create_customer(tenant_id: UUID, values: dict[str, Any]) -> UUID:
    """Add a customer; marketing consent, when given, is stamped with the time."""
    rows = db.write(queries.create_customer, {"tenant_id": tenant_id, **values})
    return UUID(str(rows[0]["id"]))


def update_customer(tenant_id: UUID, customer_id: UUID, values: dict[str, Any]) -> bool:
    """Save a customer; consent keeps its first time, and withdrawing it clears when and how."""
    params = {"tenant_id": tenant_id, "id": customer_id, **values}
    return bool(db.write(queries.update_customer, params))


def delete_customer(tenant_id: UUID, customer_id: UUID) -> bool:
    """Delete a customer with its contacts, properties, equipment and notes."""
    return bool(db.write(queries.delete_customer, {"tenant_id": tenant_id, "id": customer_id}))


def erase_customer(customer_id: UUID) -> bool:
    """Erase a customer (P-10): everything of theirs is deleted, the imports that mention them
    lose their file, and their values in the audit log become unreadable (app.erase_customer).
    False when the company has no such customer (any more)."""
    try:
        db.write(queries.erase_customer, {"id": customer_id})
    except psycopg.errors.NoDataFound:
        return False
    return True


def set_legal_hold(tenant_id: UUID, customer_id: UUID, reason: str) -> bool:
    """Set (or, with an empty reason, lift) a legal hold: while set, erasure is refused."""
    params = {"tenant_id": tenant_id, "id": customer_id, "reason": reason}
    return bool(db.write(queries.set_legal_hold, params))


def set_restriction(tenant_id: UUID, customer_id: UUID, restricted: bool) -> bool:
    """Restrict (or stop restricting) the processing of a customer's data (P-10)."""
    params = {"tenant_id": tenant_id, "id": customer_id, "restricted": restricted}
    return bool(db.write(queries.set_restriction, params))


def customer_page(tenant_id: UUID, customer_id: UUID) -> Row | None:
    """Everything the customer page shows; the read is recorded in the audit log (P-07)."""
    scope = {"tenant_id": tenant_id, "customer_id": customer_id}
    # The page's own reads and those other features add (visits, plans), in one round trip.
    found, contacts, properties, notes, phones, emails, *added = db.query_together(
        (queries.customer, {"tenant_id": tenant_id, "id": customer_id}),
        (queries.list_contacts, scope),
        (queries.list_properties, scope),
        (queries.list_notes, scope),
        *numbers.reads(tenant_id, customer_id),
        *timeline.reads(tenant_id, customer_id),
    )
    if not found:
        return None
    record_access("public.customers", customer_id, view="customer page")
    return {
        "customer": found[0],
        "contacts": contacts,
        "phones": phones,
        "emails": emails,
        "properties": properties,
        "notes": notes,
        **timeline.assemble(notes, added),
    }


def contact(tenant_id: UUID, contact_id: UUID) -> Row | None:
    return db.one(queries.contact, {"tenant_id": tenant_id, "id": contact_id})


def create_contact(tenant_id: UUID, customer_id: UUID, values: dict[str, Any]) -> None:
    db.write(queries.create_contact, {"tenant_id": tenant_id, "customer_id": customer_id, **values})


def update_contact(tenant_id: UUID, contact_id: UUID, values: dict[str, Any]) -> None:
    db.write(queries.update_contact, {"tenant_id": tenant_id, "id": contact_id, **values})


def delete_contact(tenant_id: UUID, contact_id: UUID) -> None:
    db.write(queries.delete_contact, {"tenant_id": tenant_id, "id": contact_id})


def note(tenant_id: UUID, note_id: UUID) -> Row | None:
    return db.one(queries.note, {"tenant_id": tenant_id, "id": note_id})


def add_note(tenant_id: UUID, customer_id: UUID, body: str) -> None:
    """A note on the timeline; its author is the signed-in member (`auth.uid()`)."""
    db.write(
        queries.create_note, {"tenant_id": tenant_id, "customer_id": customer_id, "body": body}
    )


def delete_note(tenant_id: UUID, note_id: UUID) -> None:
    db.write(queries.delete_note, {"tenant_id": tenant_id, "id": note_id})
