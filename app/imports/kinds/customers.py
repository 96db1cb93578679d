"""The customers import: rows of a customer file → customers with their phones, emails,
properties and contact people, matched against the company's customers.

Several rows are one customer when they share the old system's id, when a QuickBooks job row
(`Parent:Job`) names its parent, or when they have the same name and (billing) address; a row
without an id gets a key made of its name and street (or email) as its source id, so that the
same file imported again finds it. A customer found by that id is updated from the file (the
file is authoritative); one found only by email or phone was made by hand, and the file only
fills what is empty and adds what is new. Nothing is written while planning."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from app import sql
from app.db import Connection
from app.imports import customer_fields, values
from app.imports.csvfile import Record
from app.imports.kinds import customer_writes, register
from app.imports.kinds.customer_rows import Draft, add_phone, draft_of, place_key, primary
from app.imports.kinds.customer_writes import BOOLEANS
from app.imports.plan import Flag, Item, Kind, LeftOut, Plan
from app.imports.references import name_key, street_key

queries = sql.load(__file__, "customers.sql")


def source_key(draft: Draft) -> str:
    """The old system's id, else `file:<name>|<street or email or phone>`."""
    if draft.data["source_id"]:
        return str(draft.data["source_id"])
    street = draft.billing.street or (draft.properties[0]["street"] if draft.properties else "")
    other = street_key(street) or (draft.emails[0][0] if draft.emails else "")
    other = other or (draft.phones[0].number if draft.phones else "")
    return f"file:{name_key(draft.label)}|{other}"[:200]


def merge(into: Draft, row: Draft) -> bool:
    """Fold a row into the customer it belongs to; True when it brought a new property."""
    into.lines += row.lines
    for column, value in row.data.items():
        if column in BOOLEANS:
            into.data[column] = into.data[column] or value
        elif column == "tags":
            into.data["tags"] += [t for t in value if t not in into.data["tags"]]
        elif column == "notes" and value and value not in into.data["notes"]:
            into.data["notes"] = "\n".join(n for n in (into.data["notes"], value) if n)[:5000]
        elif not into.data[column]:
            into.data[column] = value
    for phone in row.phones:
        add_phone(into.phones, phone)
    into.emails += [e for e in row.emails if e[0] not in (m for m, _ in into.emails)]
    known = {place_key(p) for p in into.properties}
    added = [p for p in row.properties if place_key(p) not in known]
    into.properties += added
    names = {name_key(c["full_name"]) for c in into.contacts}
    into.contacts += [c for c in row.contacts if name_key(c["full_name"]) not in names]
    for value, flags in row.value_flags.items():
        into.value_flags.setdefault(value, []).extend(flags)
    into.flags += row.flags
    return bool(added)


def _next_free(key: str, taken: dict[str, Draft]) -> str:
    number = 2
    while f"{key}#{number}" in taken:
        number += 1
    return f"{key}#{number}"


def _merged_flag(into: Draft, row: Draft, why: str) -> Flag:
    lines = " and ".join(str(n) for n in (into.lines[0], row.lines[0]))
    return Flag("", lines, f"Lines {lines} are one customer ({why}).", "merged")


@dataclass
class Grouping:
    """The file's customers so far, by source key and by name (for QuickBooks parents)."""

    plan: Plan
    known: frozenset[str] = frozenset()
    customers: list[Draft] = field(default_factory=list)
    by_key: dict[str, Draft] = field(default_factory=dict)
    by_name: dict[str, Draft] = field(default_factory=dict)

    def add(self, draft: Draft, key: str, names: list[str]) -> None:
        draft.data["source_id"] = key
        self.by_key[key] = draft
        for name in names:
            self.by_name.setdefault(name, draft)
        self.customers.append(draft)

    def fold(self, into: Draft, row: Draft, why: str) -> None:
        merge(into, row)
        into.flags.append(_merged_flag(into, row, why))
        self.plan.merged_rows += 1


def group(drafts: list[Draft], plan: Plan, known: frozenset[str] = frozenset()) -> list[Draft]:
    """The file's customers: rows of one customer folded together, nameless rows left out
    unless they name by id a customer of the company (`known`: a properties or contacts file)."""
    found = Grouping(plan, known)
    later: list[Draft] = []
    for draft in drafts:
        if draft.parent or not draft.named:
            later.append(draft)
            continue
        key = source_key(draft)
        if key.endswith("|") and key in found.by_key and found.by_key[key].cells != draft.cells:
            key = _next_free(key, found.by_key)  # same name, nothing else: two customers
        if key in found.by_key:
            why = "same customer ID" if draft.data["source_id"] else "same name and address"
            found.fold(found.by_key[key], draft, why)
        else:
            found.add(draft, key, [name_key(draft.label)])
    for draft in later:
        _fold_later(found, draft)
    return found.customers


def _fold_later(found: Grouping, draft: Draft) -> None:
    """A row naming its customer only by id, or a QuickBooks job row naming its parent."""
    source_id = draft.data["source_id"]
    owner = found.by_key.get(source_id) if source_id else None
    parents = _parent_keys(draft.parent) if draft.parent else []
    owner = owner or next((found.by_name[k] for k in parents if k in found.by_name), None)
    if owner is None and draft.parent and draft.named:
        found.add(draft, source_key(draft), parents)  # the parent's own row is not in the file
    elif owner is None and source_id in found.known:
        found.add(draft, source_id, [])  # a customer of the company: compare() finds them
    elif owner is None:
        found.plan.left_out.append(LeftOut(draft.lines[0], draft.cells, "No name or company"))
    elif draft.parent:
        _job(owner, draft, found.plan)
    else:
        found.fold(owner, draft, "same customer ID")


def _parent_keys(parent: str) -> list[str]:
    """QuickBooks names the parent as it is written: `Smith, John` is John Smith."""
    name, _ = values.person_name(parent)
    return [name_key(parent), name_key(f"{name.first} {name.last}")]


def _job(into: Draft, job: Draft, plan: Plan) -> None:
    """A QuickBooks job row: its address becomes a property of the parent, if it is new."""
    for place in job.properties:
        place["label"] = place["label"] or job.job
    job.data = {k: type(v)() for k, v in job.data.items()}  # only its address is new
    job.phones, job.emails, job.contacts = [], [], []
    if merge(into, job):
        into.flags.append(_merged_flag(into, job, f"QuickBooks job of {into.label}"))
        plan.merged_rows += 1
    else:
        reason = f"QuickBooks job of {into.label}: nothing new"
        plan.left_out.append(LeftOut(job.lines[0], job.cells, reason))


def _same_contact_flags(customers: list[Draft]) -> None:
    """The same email or phone on customers with different names: both kept, both flagged."""
    seen: dict[str, Draft] = {}
    for draft in customers:
        for value in [e for e, _ in draft.emails] + [p.number for p in draft.phones]:
            other = seen.setdefault(value, draft)
            if other is not draft and name_key(other.label) != name_key(draft.label):
                note = f"Same as line {other.lines[0]} ({other.label}): kept as two customers."
                draft.flags.append(Flag("email" if "@" in value else "phone", value, note, "note"))


def item_of(draft: Draft) -> Item:
    """The customer as it will be saved: the primary phone and email on the customer, the
    others in `phones` and `emails`; every flag at the path of its value."""
    data = dict(draft.data)
    flags = list(draft.flags)
    first, others = primary(draft.phones)
    data["phone"] = first.number if first else ""
    data["phone_kind"] = first.kind if first else "mobile"
    data["phone_extension"] = first.extension if first else ""
    data["phones"] = [vars(p) for p in others]
    for path, phone in [("phone", first)] + [(f"phones[{i}]", p) for i, p in enumerate(others)]:
        if phone is not None:
            flags += [
                Flag(path, f.value, f.note, f.kind) for f in draft.value_flags.get(phone.number, [])
            ]
    data["email"] = draft.emails[0][0] if draft.emails else ""
    data["emails"] = [{"email": e, "kind": k} for e, k in draft.emails[1:]]
    for i, (email, _) in enumerate(draft.emails):
        path = "email" if i == 0 else f"emails[{i - 1}]"
        flags += [Flag(path, f.value, f.note, f.kind) for f in draft.value_flags.get(email, [])]
    data["properties"] = []
    for i, place in enumerate(draft.properties):
        place = dict(place)
        for f in place.pop("_flags", []):
            path = f"properties[{i}].{f.field}" if f.field else f"properties[{i}]"
            flags.append(Flag(path, f.value, f.note, f.kind))
        data["properties"].append(place)
    data["contacts"] = draft.contacts
    return Item("customer", sorted(draft.lines), data, draft.label[:300], flags=flags)


def plan(
    conn: Connection,
    tenant_id: UUID,
    records: list[Record],
    mapping: list[str],
    options: dict[str, Any],
) -> Plan:
    result = Plan()
    system = str(options.get("source_system") or "file")
    drafts = [draft_of(r, mapping, options) for r in records]
    nameless = [d.data["source_id"] for d in drafts if not d.named and d.data["source_id"]]
    known = (
        frozenset(
            row["source_id"]
            for row in conn.execute(
                queries.known_source_ids,
                {"tenant_id": tenant_id, "source_system": system, "source_ids": nameless},
            )
        )
        if nameless
        else frozenset()
    )
    customers = group(drafts, result, known)
    _same_contact_flags(customers)
    items = [item_of(d) for d in customers]
    compare(conn, tenant_id, items, set(mapping), system)
    result.items = items
    return result


def compare(
    conn: Connection, tenant_id: UUID, items: list[Item], mapped: set[str], system: str
) -> None:
    """Each item against the company's customers: new, an update, or unchanged. A customer
    is found by the old system's id (or the key a file without ids gets), else by an email or
    the primary phone; each existing customer is updated by one item at most."""
    params = {
        "tenant_id": tenant_id,
        "source_system": system,
        "source_ids": [i.data["source_id"] for i in items],
        "emails": [e for i in items for e in _emails(i.data)],
        "phones": [i.data["phone"] for i in items if i.data["phone"]],
    }
    existing = conn.execute(queries.find_existing, params).fetchall()
    if not existing:
        return
    by_source = {r["source_id"]: r for r in existing if r["source_system"] == system}
    children: dict[UUID, dict[str, set[tuple[str, ...]]]] = defaultdict(lambda: defaultdict(set))
    ids = {"tenant_id": tenant_id, "ids": [r["id"] for r in existing]}
    for row in conn.execute(queries.existing_children, ids):
        children[row["customer_id"]][row["what"]].add((row["a"], row["b"], row["c"]))
    places: dict[UUID, list[dict[str, Any]]] = defaultdict(list)
    for row in conn.execute(queries.existing_properties, ids):
        places[row["customer_id"]].append(row)
    by_contact: dict[str, dict[str, Any]] = {}
    for row in existing:
        for value in [row["email"], row["phone"], *(a for a, _, _ in children[row["id"]]["email"])]:
            if value:
                by_contact.setdefault(value, row)
    taken: dict[UUID, int] = {}
    for item in items:
        found = by_source.get(item.data["source_id"])
        authoritative = found is not None
        if found is None:
            keys = [*_emails(item.data), item.data["phone"]]
            found = next((by_contact[k] for k in keys if k in by_contact), None)
        if found is not None and found["id"] in taken:
            note = (
                f"Same email or phone as {found['display_name']}, whom line "
                f"{taken[found['id']]} already updates: added as a new customer."
            )
            item.flags.append(Flag("email", "", note, "note"))
            continue
        if found is None:
            continue
        taken[found["id"]] = item.lines[0]
        item.label = item.label or found["display_name"]  # a row naming them by id only
        if not authoritative:
            note = (
                f"Found as {found['display_name']} by email or phone: only what is empty is filled."
            )
            item.flags.append(Flag("", found["display_name"], note, "note"))
        had = customer_writes.Had(children[found["id"]], places[found["id"]])
        customer_writes.compare_one(item, found, had, authoritative, mapped)


def _emails(data: dict[str, Any]) -> list[str]:
    return [e for e in [data["email"], *(m["email"] for m in data["emails"])] if e]


KIND = register(
    Kind(
        key="customers",
        label="Customers",
        item_kind="customer",
        targets=customer_fields.TARGETS,
        naming=customer_fields.NAMING,
        plan=plan,
        apply=customer_writes.apply,
        hint="One row per customer, or several rows of one customer with the same ID.",
        synonyms=customer_fields.SYNONYMS,
    )
)
__all__ = ["KIND", "plan"]
