"""What a planned customer changes in an existing one, and writing the plan: set-based
statements per batch (customers, then their properties, contacts, phones and emails)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from app import sql
from app.db import Connection
from app.imports.kinds.customer_rows import place_key
from app.imports.plan import Item, Written
from app.imports.references import name_key

queries = sql.load(__file__, "customers.sql")
COLUMNS = (
    "kind", "first_name", "last_name", "company_name", "email", "phone", "phone_kind",
    "phone_extension", "tags", "lead_source", "notes", "do_not_service", "do_not_contact",
    "billing_address",
)  # fmt: skip
PHONE_PARTS = ("phone_kind", "phone_extension")
BOOLEANS = ("do_not_service", "do_not_contact")
PLACE_COLUMNS = ("street", "unit", "city", "region", "postal_code", "country", "label")


@dataclass(frozen=True)
class Had:
    """What an existing customer has: contacts, phones, emails (as tuples) and properties."""

    children: dict[str, set[tuple[str, ...]]]
    places: list[dict[str, Any]]


def _changes(
    data: dict[str, Any], found: dict[str, Any], authoritative: bool, mapped: set[str]
) -> dict[str, Any]:
    """The columns to set: from a customer found by the old system's id, every value the file
    has that differs; from one found by email or phone (made by hand), only empty ones."""
    changes: dict[str, Any] = {}
    for column in COLUMNS:
        new, old = data[column], found[column]
        if column in PHONE_PARTS or new == old:
            continue
        if column in BOOLEANS:
            if column in mapped and (authoritative or new):
                changes[column] = new
        elif column == "tags":
            missing = [t for t in new if t not in old]
            if missing:
                changes["tags"] = [*old, *missing]
        elif column == "kind":
            # a row naming its customer only by id (a properties or contacts file) says nothing
            # of the kind
            named = data["first_name"] or data["last_name"] or data["company_name"]
            if authoritative and (named or "customer_type" in mapped):
                changes["kind"] = new
        elif new and (authoritative or not old):
            changes[column] = new
    phone_same = data["phone"] == found["phone"]
    if "phone" in changes or (phone_same and data["phone"] and authoritative):
        for part in PHONE_PARTS:
            if data[part] != found[part]:
                changes[part] = data[part]
    return changes


def compare_one(
    item: Item,
    found: dict[str, Any],
    had: Had,
    authoritative: bool,
    mapped: set[str],
) -> None:
    """Turn a new item into an update of `found` (only the changes, only the new children)
    or, when there is nothing to change, into "unchanged"."""
    data = item.data
    changes = _changes(data, found, authoritative, mapped)
    children = had.children
    data["property_changes"] = _place_changes(data, had.places) if authoritative else []
    places = {place_key(p) for p in had.places} | {
        p["source_id"] for p in had.places if p["source_id"]
    }
    people = {name_key(a) for a, _, _ in children["contact"]}
    phone = changes.get("phone", found["phone"])
    numbers = {(a, b) for a, b, _ in children["phone"]} | {
        (phone, changes.get("phone_extension", found["phone_extension"]))
    }
    email = changes.get("email", found["email"])
    emails = {a for a, _, _ in children["email"]} | {email}
    file_phones = [
        {"number": data["phone"], "kind": data["phone_kind"], "extension": data["phone_extension"]}
    ]
    file_emails = [{"email": data["email"], "kind": "personal"}]
    data["properties"] = [
        p for p in data["properties"] if place_key(p) not in places and p["source_id"] not in places
    ]
    data["contacts"] = [c for c in data["contacts"] if name_key(c["full_name"]) not in people]
    data["phones"] = [
        p for p in file_phones + data["phones"]
        if p["number"] and (p["number"], p["extension"]) not in numbers
    ]  # fmt: skip
    data["emails"] = [
        e for e in file_emails + data["emails"] if e["email"] and e["email"] not in emails
    ]
    data["changes"] = changes
    added = any(data[k] for k in ("properties", "contacts", "phones", "emails", "property_changes"))
    item.action = "update" if changes or added else "unchanged"
    item.target_id = found["id"]


def _place_changes(data: dict[str, Any], places: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The file's properties that are an existing one (the same location id, else the same
    street, unit and city) with something now written otherwise."""
    by_source = {p["source_id"]: p for p in places if p["source_id"]}
    by_key = {place_key(p): p for p in places}
    changed = []
    for place in data["properties"]:
        old = by_source.get(place["source_id"]) or by_key.get(place_key(place))
        if old is None:
            continue
        changes = {k: place[k] for k in PLACE_COLUMNS if place[k] and place[k] != old[k]}
        if changes:
            changed.append({"id": old["id"], "changes": changes})
    return changed


def _rows(item: Item, customer_id: UUID, out: dict[str, list[dict[str, Any]]]) -> None:
    data = item.data
    kind = "commercial" if data["kind"] == "commercial" else "single_family"
    for place in data["properties"]:
        out["properties"].append(
            {"property_type": kind} | place | {"id": uuid.uuid4(), "customer_id": customer_id}
        )
    for phone in data["phones"]:
        out["phones"].append(
            phone | {"id": uuid.uuid4(), "customer_id": customer_id, "contact_id": None}
        )
    for email in data["emails"]:
        out["emails"].append(
            email | {"id": uuid.uuid4(), "customer_id": customer_id, "contact_id": None}
        )
    for contact in data["contacts"]:
        contact_id = uuid.uuid4()
        out["contacts"].append(contact | {"id": contact_id, "customer_id": customer_id})
        whose = {"customer_id": customer_id, "contact_id": contact_id}
        out["phones"] += [p | whose | {"id": uuid.uuid4()} for p in contact["phones"]]
        out["emails"] += [e | whose | {"id": uuid.uuid4()} for e in contact["emails"]]


TABLES = (
    ("properties", "public.properties", "insert_properties"),
    ("contacts", "public.customer_contacts", "insert_contacts"),
    ("phones", "public.customer_phones", "insert_phones"),
    ("emails", "public.customer_emails", "insert_emails"),
)


def _json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, default=str)


def apply(conn: Connection, tenant_id: UUID, items: list[Item]) -> list[Written]:
    """Write the items in a few statements; every row created or changed, for undo."""
    written: list[Written] = []
    out: dict[str, list[dict[str, Any]]] = {key: [] for key, _, _ in TABLES}
    customers: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for item in items:
        if item.action == "new":
            customer_id = uuid.uuid4()
            columns = (*COLUMNS, "source_system", "source_id")
            customers.append({c: item.data[c] for c in columns} | {"id": customer_id})
            _rows(item, customer_id, out)
        elif item.action == "update" and item.target_id is not None:
            if item.data.get("changes"):
                updates.append({"id": item.target_id, "changes": item.data["changes"]})
            _rows(item, item.target_id, out)
    if customers:
        conn.execute(queries.insert_customers, {"tenant_id": tenant_id, "rows": _json(customers)})
        written += [Written("public.customers", c["id"], "created") for c in customers]
    if updates:
        params = {"tenant_id": tenant_id, "rows": _json(updates)}
        for row in conn.execute(queries.update_customers, params).fetchall():
            written.append(Written("public.customers", row["id"], "updated", row["before"]))
    moved = [c for item in items if item.action == "update" for c in item.data["property_changes"]]
    if moved:
        params = {"tenant_id": tenant_id, "rows": _json(moved)}
        for row in conn.execute(queries.update_properties, params).fetchall():
            written.append(Written("public.properties", row["id"], "updated", row["before"]))
    for key, table, query in TABLES:
        if out[key]:
            conn.execute(getattr(queries, query), {"tenant_id": tenant_id, "rows": _json(out[key])})
            written += [Written(table, r["id"], "created") for r in out[key]]
    return written
