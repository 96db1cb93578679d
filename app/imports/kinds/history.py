"""Past jobs and visits of the old system as service history: the day, the kind of work (from
its words), the technician's name (old technicians are not members), what was done, and for
how much, on the customer (and property) the row names. Importing the same file again changes
nothing: a row is the one already imported with its job or visit number, else with the same
customer, day and summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any
from uuid import UUID

from app import customers, sql
from app.audit import labels
from app.db import Connection
from app.imports import cells
from app.imports.csvfile import Record
from app.imports.kinds import named_customer, register
from app.imports.plan import Flag, Item, Kind, LeftOut, Plan, Target
from app.imports.references import CustomerIndex, name_key

queries = sql.load(__file__, "history.sql")
TABLE = "public.service_history"

TARGETS: dict[str, Target] = {
    **named_customer.TARGETS,
    **named_customer.PLACE_TARGETS,
    "occurred_on": Target("Date"),
    "kind": Target("Kind of work (repair, maintenance, install, estimate)"),
    "technician": Target("Technician"),
    "summary": Target("Summary", many=True),
    "amount": Target("Amount"),
    "source_id": Target("Job or visit number in the old system"),
}
SYNONYMS = {
    **named_customer.SYNONYMS,
    "occurred_on": ("date", "job date", "visit date", "service date", "completed", "completed on"),
    "kind": ("type", "job type", "kind", "category", "service type", "work type"),
    "technician": ("technician", "tech", "employee", "assigned to", "technicians", "performed by"),
    "summary": ("summary", "description", "notes", "work performed", "job description"),
    "amount": ("amount", "total", "invoice total", "job total", "price", "revenue"),
    "source_id": ("job", "job number", "job id", "job no", "visit id", "work order", "job #"),
}
# The words of a kind of work (whole words), tried in this order: "repair estimate" is an
# estimate.
KIND_WORDS = (
    ("estimate", ("estimate", "quote", "bid", "proposal", "consultation", "sales call")),
    (
        "install",
        ("install", "installs", "installation", "installed", "replacement", "new system"),
    ),
    (
        "maintenance",
        ("maintenance", "tune", "tuneup", "inspection", "cleaning", "clean", "preventive"),
    ),
    ("repair", ("repair", "repairs", "fix", "service call", "diagnostic", "no heat", "no cool")),
)
KIND_LABELS = {
    "repair": "Repair",
    "maintenance": "Maintenance",
    "install": "Install",
    "estimate": "Estimate",
    "other": "Other work",
}
LIMITS = {"technician": 200, "summary": 5000, "source_id": 200}


def kind_of(words: str) -> str | None:
    """`Service Call - No Heat` → repair, `Spring Tune-Up` → maintenance; None if unknown."""
    key = f" {name_key(words)} "
    for kind, cues in KIND_WORDS:
        if any(f" {cue} " in key for cue in cues):
            return kind
    return None


@dataclass
class Known:
    """The service history already in the company, by number and by customer, day, summary."""

    by_source: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_day: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, conn: Connection, tenant_id: UUID) -> Known:
        known = cls()
        for row in conn.execute(queries.service_history_for_matching, {"tenant_id": tenant_id}):
            saved = as_data(row)
            if row["source_id"]:
                known.by_source[row["source_id"]] = {**saved, "id": row["id"]}
            key = (saved["customer_id"], saved["occurred_on"], name_key(row["summary"]))
            known.by_day[key] = {**saved, "id": row["id"]}
        return known


def as_data(row: dict[str, Any]) -> dict[str, Any]:
    """A row as an item's `data` says it (JSON: ids and amounts as text)."""
    amount = row["amount"]
    return {
        "customer_id": str(row["customer_id"]),
        "property_id": str(row["property_id"]) if row["property_id"] else None,
        "occurred_on": row["occurred_on"].isoformat(),
        "kind": row["kind"],
        "technician": row["technician"],
        "summary": row["summary"],
        "amount": None if amount is None else str(Decimal(amount).quantize(Decimal("0.01"))),
        "source_id": row["source_id"],
    }


def _cut(row: dict[str, str], flags: list[Flag]) -> None:
    for name, most in LIMITS.items():
        if len(row.get(name, "")) > most:
            flags.append(Flag(name, row[name][:80], f"Cut to {most} characters."))
            row[name] = row[name][:most]


def _amount(row: dict[str, str], flags: list[Flag]) -> str | None:
    try:
        amount = cells.money(row.get("amount", ""))
    except cells.BadValue as bad:
        flags.append(Flag("amount", row["amount"], f"{bad} Left out.", "left_out"))
        return None
    return None if amount is None else str(amount)


def _kind(row: dict[str, str], flags: list[Flag]) -> str:
    said = row.get("kind", "")
    kind = kind_of(said) or (None if said else kind_of(row.get("summary", "")))
    if kind is None and said:
        flags.append(Flag("kind", said, "Not a kind Plenum knows: kept as other work.", "note"))
    return kind or "other"


def read_row(record: Record, row: dict[str, str], index: CustomerIndex) -> Item | LeftOut:
    """The history item a row makes, before it is compared with what is saved."""
    try:
        day = cells.parse_date(row.get("occurred_on", ""))
    except cells.BadValue as bad:
        return named_customer.left_out(record, str(bad))
    if day is None:
        return named_customer.left_out(record, "No date: a past job or visit needs its day.")
    whose = named_customer.find(index, row, with_place=True)
    if isinstance(whose, str):
        return named_customer.left_out(record, whose)
    flags = list(whose.flags)
    _cut(row, flags)
    data: dict[str, Any] = {
        "customer_id": str(whose.customer_id),
        "property_id": str(whose.property_id) if whose.property_id else None,
        "occurred_on": day.isoformat(),
        "kind": _kind(row, flags),
        "technician": row.get("technician", ""),
        "summary": row.get("summary", ""),
        "amount": _amount(row, flags),
        "source_id": row.get("source_id", ""),
    }
    label = f"{whose.name} · {day:%m/%d/%Y} · {row.get('summary', '')[:80]}".strip(" ·")
    return Item("history", [record.line], data, label[:300], flags=flags)


def _compare(item: Item, known: Known) -> None:
    """Unchanged when already imported as it is; an update when its number says which."""
    data = item.data
    saved = known.by_source.get(data["source_id"]) if data["source_id"] else None
    if saved is None:
        key = (data["customer_id"], data["occurred_on"], name_key(data["summary"]))
        saved = known.by_day.get(key)
    if saved is None:
        return
    item.target_id = saved["id"]
    same = all(saved[name] == value for name, value in data.items())
    item.action = "unchanged" if same or not data["source_id"] else "update"


def plan(
    conn: Connection,
    tenant_id: UUID,
    records: list[Record],
    mapping: list[str],
    options: dict[str, Any],
) -> Plan:
    index = CustomerIndex.load(conn, tenant_id)
    known = Known.load(conn, tenant_id)
    result = Plan()
    rows = named_customer.first_of_each(
        records, mapping, result, partial(read_row, index=index), _key, "job or visit"
    )
    for found in rows:
        _compare(found, known)
        result.items.append(found)
    return result


def _key(data: dict[str, Any]) -> tuple[str, ...]:
    if data["source_id"]:
        return ("number", data["source_id"])
    return (data["customer_id"], data["occurred_on"], name_key(data["summary"]))


apply = named_customer.writer(TABLE, queries.insert_service_history, queries.update_service_history)


KIND = register(
    Kind(
        key="history",
        label="Service history",
        item_kind="history",
        targets=TARGETS,
        naming=named_customer.NAMING,
        plan=plan,
        apply=apply,
        hint=(
            "Past jobs and visits from your old system: the date, the kind of work, the"
            " technician's name, what was done and the amount. Customers must be imported first."
        ),
        synonyms=SYNONYMS,
    )
)

labels.register_values("public.service_history.kind", KIND_LABELS)

# The customer page: a "Service history" section (with the old system's invoices), and each
# past job or visit in the timeline.
customers.add_page_section("history", customers.PageRead(queries.history_for_customer))
customers.add_timeline_entries(
    "service_history", customers.PageRead(queries.service_history_timeline)
)
