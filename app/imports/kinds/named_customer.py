"""What the imports beyond customers (equipment, agreements, service history, open balances,
invoice history) share: the one set of columns naming a row's customer and property, the row's
values by target, finding the customer (and property) among the company's
(app.imports.references) — never inventing one —, the loop over the file's rows, and the batch
writer."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from psycopg.types.json import Jsonb

from app import phones
from app.db import Connection
from app.imports import addresses, cells
from app.imports.csvfile import Record
from app.imports.plan import Applier, Flag, Item, LeftOut, Plan, Target, Written
from app.imports.references import CustomerIndex, Found

K = TypeVar("K", bound=Hashable)
IGNORE = ""
# The columns naming the customer (the first that settles it: old-system id, email, phone,
# name) and the property (old-system location id, else street, else the customer's only one).
TARGETS: dict[str, Target] = {
    IGNORE: Target("Ignore this column"),
    "customer_source_id": Target("Customer ID in the old system"),
    "customer_name": Target("Customer name"),
    "customer_email": Target("Customer email"),
    "customer_phone": Target("Customer phone"),
}
PLACE_TARGETS: dict[str, Target] = {
    "location_id": Target("Service location ID in the old system"),
    "address": Target("Service address (one cell)"),
    "street": Target("Service street"),
    "city": Target("Service city"),
    "postal_code": Target("Service ZIP / postal code"),
}
NAMING = ("customer_source_id", "customer_name", "customer_email", "customer_phone")
SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_source_id": (
        "customer id",
        "client id",
        "customer number",
        "customer no",
        "cust id",
        "account number",
    ),
    "customer_name": (
        "customer",
        "customer name",
        "client",
        "client name",
        "name",
        "bill to",
        "account",
    ),
    "customer_email": ("email", "customer email", "client email", "e mail", "email address"),
    "customer_phone": (
        "phone",
        "customer phone",
        "client phone",
        "phone number",
        "mobile",
        "telephone",
    ),
    "location_id": (
        "location id",
        "service location id",
        "location number",
        "site id",
        "property id",
    ),
    "address": (
        "service address",
        "address",
        "location",
        "site address",
        "location address",
        "property",
    ),
    "street": ("street", "address 1", "address line 1", "street address"),
    "city": ("city", "town"),
    "postal_code": ("zip", "zip code", "postal code", "postcode", "service zip"),
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


def rows(
    records: list[Record], mapping: list[str], plan: Plan
) -> Iterator[tuple[Record, dict[str, str]]]:
    """Each row with its values by target; blank rows left out of the plan."""
    for record in records:
        row = values(record, mapping)
        if any(row.values()):
            yield record, row
        else:
            plan.left_out.append(left_out(record, "Blank row."))


def first_of_each(
    records: list[Record],
    mapping: list[str],
    plan: Plan,
    read: Callable[[Record, dict[str, str]], Item | LeftOut],
    key: Callable[[dict[str, Any]], Hashable],
    what: str,
) -> Iterator[Item]:
    """The item `read` makes of each row, in the file's order; the rows it leaves out, and a
    later row whose data has an earlier item's `key` ("The same `what` as line 2."), left out
    of the plan."""
    seen: dict[Hashable, int] = {}
    for record, row in rows(records, mapping, plan):
        found = read(record, row)
        if isinstance(found, LeftOut):
            plan.left_out.append(found)
            continue
        same = key(found.data)
        if same in seen:
            plan.left_out.append(left_out(record, f"The same {what} as line {seen[same]}."))
            continue
        seen[same] = record.line
        yield found


# --- the customer and property -------------------------------------------------------------


def _customer(index: CustomerIndex, row: dict[str, str]) -> Found:
    """The customer the row names; a location id of the old system names it when the row
    names no customer."""
    location = row.get("location_id", "")
    if location in index.place_by_source and not any(row.get(k) for k in NAMING):
        return Found(index.place_by_source[location][0])
    try:
        phone = phones.normalize(row["customer_phone"]) if row.get("customer_phone") else ""
    except phones.InvalidPhone:
        phone = ""
    found = index.customer(
        source_id=row.get("customer_source_id", ""),
        email=row.get("customer_email", "").lower(),
        phone=phone,
        name=row.get("customer_name", ""),
    )
    if found.id is None and found.reason.startswith("No customer"):
        return Found(None, f"{found.reason.rstrip('.')}: import the customers first.")
    return found


def _property(index: CustomerIndex, customer_id: UUID, row: dict[str, str]) -> Found:
    """The customer's property at the row's location id, street or one-cell address."""
    street, postal = row.get("street", ""), row.get("postal_code", "")
    if not street and row.get("address"):
        found, _ = addresses.address_in(row["address"])
        street, postal = found.street, found.postal_code
    source_id = row.get("location_id", "")
    return index.property(customer_id, source_id=source_id, street=street, postal=postal)


@dataclass(frozen=True)
class Whose:
    """The customer (and property, when found) a row names, with the flags of the search."""

    customer_id: UUID
    name: str
    property_id: UUID | None
    flags: list[Flag]


def find(index: CustomerIndex, row: dict[str, str], *, with_place: bool) -> Whose | str:
    """The customer the row names, or why none is (the reason a row is left out); with
    `with_place`, its property when found, else the row is kept on the customer, flagged."""
    found = _customer(index, row)
    if found.id is None:
        return found.reason
    flags: list[Flag] = []
    place: UUID | None = None
    if with_place:
        where = _property(index, found.id, row)
        place = where.id
        shown = row.get("street") or row.get("address") or row.get("location_id", "")
        if place is None and shown:
            note = f"{where.reason} Kept on the customer, with no property."
            flags.append(Flag("property", shown, note, "note"))
    return Whose(found.id, index.names.get(found.id, ""), place, flags)


@dataclass(frozen=True)
class PlacedRow:
    record: Record
    values: dict[str, str]
    customer_id: UUID
    property_id: UUID


def placed_rows(
    index: CustomerIndex, records: list[Record], mapping: list[str], plan: Plan
) -> Iterator[PlacedRow]:
    """The rows (each with its values by target) whose customer and property are found; the
    others left out of the plan with the reason."""
    for record, row in rows(records, mapping, plan):
        customer = _customer(index, row)
        place = _property(index, customer.id, row) if customer.id else customer
        if customer.id is None or place.id is None:
            plan.left_out.append(left_out(record, place.reason))
        else:
            yield PlacedRow(record, row, customer.id, place.id)


def units(
    index: CustomerIndex,
    records: list[Record],
    mapping: list[str],
    plan: Plan,
    read: Callable[[dict[str, str], list[Flag]], dict[str, Any] | str],
    key: Callable[[UUID, dict[str, Any]], Hashable],
    kind: tuple[str, str],
) -> list[Item]:
    """One item per record of a property (a unit, a plan) with the values `read` finds in the
    rows (blank ones absent; or why the row makes none), labelled with the customer's name:
    rows of the same `key` merged into the first (app.imports.cells.merge_row); rows whose
    customer or property is not found left out. `kind`: the items' kind and how the preview
    names one ("equipment", "unit")."""
    item_kind, what = kind
    items: dict[Hashable, Item] = {}
    for placed in placed_rows(index, records, mapping, plan):
        flags: list[Flag] = []
        found = read(placed.values, flags)
        if isinstance(found, str):
            plan.left_out.append(left_out(placed.record, found))
            continue
        same = key(placed.property_id, found)
        if same in items:
            cells.merge_row(items[same], found, placed.record.line, flags, what)
            plan.merged_rows += 1
            continue
        data = {"customer_id": placed.customer_id, "property_id": placed.property_id}
        name = index.names[placed.customer_id]
        items[same] = Item(
            item_kind, [placed.record.line], data | {"values": found}, name, flags=flags
        )
    return list(items.values())


def saved_by(
    conn: Connection, tenant_id: UUID, query: str, key: Callable[[dict[str, Any]], K]
) -> dict[K, list[dict[str, Any]]]:
    """The company's records an import's items are compared with (`query`), by `key`."""
    found: dict[K, list[dict[str, Any]]] = {}
    for row in conn.execute(query, {"tenant_id": tenant_id}):
        found.setdefault(key(row), []).append(row)
    return found


def writer(table: str, insert: str, update: str) -> Applier:
    """A kind's applier: a batch's new rows in one statement (`insert`), its updates in another
    (`update`, returning each row's `before`); unchanged items are skipped."""

    def apply(conn: Connection, tenant_id: UUID, items: list[Item]) -> list[Written]:
        written: list[Written] = []
        new = [item.data for item in items if item.action == "new"]
        if new:
            params = {"tenant_id": tenant_id, "rows": Jsonb(new)}
            written += [Written(table, r["id"], "created") for r in conn.execute(insert, params)]
        changed = [
            {**item.data, "target_id": str(item.target_id)}
            for item in items
            if item.action == "update"
        ]
        if changed:
            params = {"tenant_id": tenant_id, "rows": Jsonb(changed)}
            for row in conn.execute(update, params):
                written.append(Written(table, row["id"], "updated", row["before"]))
        return written

    return apply
