"""What the service history, open balance and invoice history imports share: the columns that
name a row's customer (and property), the row's values by target, and finding the customer
among the company's (app.imports.references) — never inventing one."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from psycopg.types.json import Jsonb

from app import phones
from app.db import Connection
from app.imports.csvfile import Record
from app.imports.plan import Flag, Item, LeftOut, Target, Written
from app.imports.references import CustomerIndex

IGNORE = ""
TARGETS: dict[str, Target] = {
    IGNORE: Target("Ignore this column"),
    "customer_source_id": Target("Customer ID in the old system"),
    "customer_name": Target("Customer name"),
    "customer_email": Target("Customer email"),
    "customer_phone": Target("Customer phone"),
}
PLACE_TARGETS: dict[str, Target] = {
    "location_source_id": Target("Location ID in the old system"),
    "street": Target("Service street"),
    "postal_code": Target("Service ZIP"),
}
NAMING = ("customer_source_id", "customer_name", "customer_email", "customer_phone")
SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_source_id": ("customer id", "client id", "customer number", "customer no", "cust id"),
    "customer_name": ("customer", "customer name", "client", "client name", "name", "bill to"),
    "customer_email": ("email", "customer email", "client email", "email address"),
    "customer_phone": ("phone", "customer phone", "client phone", "mobile", "phone number"),
    "location_source_id": ("location id", "location number", "site id"),
    "street": ("address", "street", "service address", "location address", "address 1"),
    "postal_code": ("zip", "zip code", "postal code", "service zip"),
}


def values(record: Record, mapping: list[str]) -> dict[str, str]:
    """The row's cells by target (cells of one target joined by a space)."""
    found: dict[str, list[str]] = {}
    for index, target in enumerate(mapping):
        if target and index < len(record.cells) and record.cells[index].strip():
            found.setdefault(target, []).append(record.cells[index].strip())
    return {target: " ".join(cells) for target, cells in found.items()}


def left_out(record: Record, reason: str) -> LeftOut:
    return LeftOut(record.line, list(record.cells), reason)


@dataclass(frozen=True)
class Whose:
    """The customer (and property, when found) a row names, with the flags of the search."""

    customer_id: UUID
    name: str
    property_id: UUID | None
    flags: list[Flag]


def find(index: CustomerIndex, row: dict[str, str], *, with_place: bool) -> Whose | str:
    """The customer the row names, or why none is (the reason a row is left out)."""
    try:
        phone = phones.normalize(row.get("customer_phone", ""))
    except phones.InvalidPhone:
        phone = ""
    found = index.customer(
        source_id=row.get("customer_source_id", ""),
        email=row.get("customer_email", "").lower(),
        phone=phone,
        name=row.get("customer_name", ""),
    )
    if found.id is None:
        return found.reason + " Import the customers first."
    flags: list[Flag] = []
    place: UUID | None = None
    if with_place:
        where = index.property(
            found.id,
            source_id=row.get("location_source_id", ""),
            street=row.get("street", ""),
            postal=row.get("postal_code", ""),
        )
        place = where.id
        if place is None and (row.get("street") or row.get("location_source_id")):
            shown = row.get("street") or row.get("location_source_id", "")
            note = f"{where.reason} Kept on the customer, with no property."
            flags.append(Flag("property", shown, note, "note"))
    return Whose(found.id, index.names.get(found.id, ""), place, flags)


def write(
    conn: Connection, tenant_id: UUID, items: list[Item], table: str, statements: tuple[str, str]
) -> list[Written]:
    """A batch's new rows in one statement (the insert), its updates in another (the update,
    returning each row's `before`); unchanged items are skipped."""
    insert, update = statements
    written: list[Written] = []
    new = [item.data for item in items if item.action == "new"]
    if new:
        params = {"tenant_id": tenant_id, "rows": Jsonb(new)}
        written += [Written(table, r["id"], "created") for r in conn.execute(insert, params)]
    changed = [
        {**item.data, "target_id": str(item.target_id)} for item in items if item.action == "update"
    ]
    if changed:
        params = {"tenant_id": tenant_id, "rows": Jsonb(changed)}
        for row in conn.execute(update, params):
            written.append(Written(table, row["id"], "updated", row["before"]))
    return written
