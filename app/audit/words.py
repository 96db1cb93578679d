"""A log entry in words: the record's name ("Customer Jane Doe", "Job No heat at 12 Elm St",
"Visit on Tue, Dec 8, 2026 · 9:00 AM"), field labels, and values formatted as people read them.

Names come from the records as they are now (read under the member's own policies), else from
the entry's own values; an erased homeowner's values stay unreadable, so their name is never
shown ("Customer (erased)")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from app import db, sql
from app.audit import labels
from app.formatting import FULL_MONTHS, format_date, format_datetime, format_day

queries = sql.load(__file__, "words.sql")
Row = dict[str, Any]
NAME_QUERIES = {
    f"public.{name.removeprefix('name_')}": getattr(queries, name)
    for name in queries.names()
    if name.startswith("name_")
}
# The columns that name a record, read from an entry's own values when the record is gone.
OWN_NAME = {
    "public.customers": ("display_name",),
    "public.jobs": ("summary",),
    "public.memberships": ("full_name",),
    "public.invitations": ("email",),
    "public.service_agreements": ("name",),
    "public.customer_contacts": ("full_name",),
    "public.customer_imports": ("file_name",),
    "public.properties": ("street", "city"),
    "public.equipment": ("brand", "kind"),
    "public.tenants": ("name",),
    "outbox.messages": ("subject",),
}
# Columns that point at another record, shown by that record's name.
REFERENCES = {
    "customer_id": "public.customers",
    "property_id": "public.properties",
    "job_id": "public.jobs",
    "visit_id": "public.visits",
    "equipment_id": "public.equipment",
    "agreement_id": "public.service_agreements",
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RANGE = re.compile(r'^[\[(]"?([^",]*)"?,"?([^",]*)"?[\])]$')
_MONEY = re.compile(r"(^|_)(amount|price|total|balance|cost)$")
_audited: list[str] = []


@dataclass(frozen=True)
class Value:
    """A value as shown: its text, or the mark that it was erased, or nothing."""

    text: str = ""
    erased: bool = False

    @property
    def missing(self) -> bool:
        return not self.erased and self.text == ""


def words(name: str) -> str:
    """`visit_checklist_items` → `Visit checklist items`."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def table_label(table: str) -> str:
    """A record kind in words; a table without a label gets its own name, singular."""
    if table in labels.TABLES:
        return labels.TABLES[table]
    bare = table.rpartition(".")[2]
    return words(bare[:-1] if bare.endswith("s") and not bare.endswith("ss") else bare)


def audited_tables() -> list[tuple[str, str]]:
    """(table, label) of every audited table, by label; read from the catalog once."""
    if not _audited:
        _audited.extend(row["name"] for row in db.query(queries.audited_tables))
    return sorted(((t, table_label(t)) for t in _audited), key=lambda pair: pair[1])


def company_members(tenant_id: UUID) -> dict[str, str]:
    """Account id → name, for the people a log names."""
    rows = db.query(queries.company_members, {"tenant_id": tenant_id})
    return {str(row["account_id"]): row["full_name"] for row in rows}


def field_label(table: str, column: str) -> str:
    return labels.FIELDS.get(f"{table}.{column}") or labels.FIELDS.get(column) or words(column)


def _moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _text(table: str, column: str, value: Any, known: dict[str, str]) -> str:
    coded = labels.VALUES.get(f"{table}.{column}") or labels.VALUES.get(column)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        if column == "months":
            return ", ".join(
                FULL_MONTHS[m - 1] for m in value if isinstance(m, int) and 1 <= m <= 12
            )
        return ", ".join(_text(table, column, v, known) for v in value)
    if column == "weekday" and isinstance(value, int) and 1 <= value <= 7:
        return WEEKDAYS[value - 1]
    if isinstance(value, int | float) and (column.endswith("_cents")):
        return f"${Decimal(value) / 100:,.2f}"
    if isinstance(value, int | float | str) and _MONEY.search(column):
        try:
            return f"${Decimal(str(value)):,.2f}"
        except InvalidOperation:
            return str(value)
    if not isinstance(value, str):
        return str(value)
    if coded:
        return coded.get(value, words(value))
    if column in ("status", "kind", "preferred_contact", "geocode_status", "property_type"):
        return words(value)
    if value in known and column.endswith(("_by", "_id")):
        return known[value]
    return _formatted_text(value)


def _formatted_text(value: str) -> str:
    if _DATE.match(value):
        return format_date(date.fromisoformat(value))
    if _TIMESTAMP.match(value) and (moment := _moment(value)):
        return format_datetime(moment)
    if (bounds := _RANGE.match(value)) and (starts := _moment(bounds.group(1))):
        ends = _moment(bounds.group(2))
        return f"{format_datetime(starts)} to {format_datetime(ends) if ends else 'open end'}"
    return value


def value(table: str, column: str, raw: Any, known: dict[str, str]) -> Value:
    if isinstance(raw, dict) and raw.get("erased") is True:
        return Value(erased=True)
    if raw is None or raw == "":
        return Value()
    return Value(_text(table, column, raw, known))


def field_changes(entry: Row, known: dict[str, str]) -> list[tuple[str, Value, Value]]:
    """(field label, old, new) for each field an entry touched, by label."""
    table = entry["table_name"]
    old = entry["old_values"] or {}
    new = entry["new_values"] or {}
    rows = [
        (
            field_label(table, column),
            value(table, column, old.get(column), known),
            value(table, column, new.get(column), known),
        )
        for column in set(old) | set(new)
        if column not in labels.HIDDEN and column != "id"
    ]
    # An added or removed record lists only the fields it had.
    return sorted(
        (row for row in rows if not (row[1].missing and row[2].missing)), key=lambda r: r[0]
    )


def _looked_up(tenant_id: UUID, wanted: dict[str, set[str]]) -> dict[tuple[str, str], str]:
    """(table, id) → the record's name now, for the ids wanted of each table (one statement per
    table, under the member's own policies: what they cannot read stays unnamed)."""
    found: dict[tuple[str, str], str] = {}
    for table, ids in wanted.items():
        if table not in NAME_QUERIES or not ids:
            continue
        for row in db.query(NAME_QUERIES[table], {"tenant_id": tenant_id, "ids": sorted(ids)}):
            found[(table, row["id"])] = _name_of_row(table, row)
    return found


def referenced_names(tenant_id: UUID, entries: list[Row]) -> dict[str, str]:
    """Record id → "Job No heat at 12 Elm St", for the records the page's values point to."""
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        for values in (entry["old_values"] or {}, entry["new_values"] or {}):
            for column, table in REFERENCES.items():
                if isinstance(values.get(column), str) and _is_uuid(values[column]):
                    wanted.setdefault(table, set()).add(values[column])
    return {
        row_id: f"{table_label(table)} {name}"
        for (table, row_id), name in _looked_up(tenant_id, wanted).items()
    }


def _name_of_row(table: str, row: Row) -> str:
    if table == "public.visits":
        return f"on {format_datetime(row['at'])}" if row["at"] else "(not scheduled)"
    if row["at"] is not None:
        return f"{row['name']}, from {format_day(row['at'])}"
    return str(row["name"] or "")


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


def _own_name(entry: Row) -> str:
    """The name in the entry's own values (an insert or delete holds the whole row)."""
    table = entry["table_name"]
    values = entry["new_values"] or entry["old_values"] or {}
    if table == "public.visits" and isinstance(values.get("window_starts_at"), str):
        moment = _moment(values["window_starts_at"])
        return f"on {format_datetime(moment)}" if moment else ""
    parts = [values.get(column) for column in OWN_NAME.get(table, ())]
    if any(isinstance(part, dict) for part in parts):
        return "(erased)"  # a sealed value whose key is gone: the name stays unreadable
    return " ".join(str(part) for part in parts if part)


def entry_name(entry: Row, names: dict[tuple[str, str], str]) -> str:
    """What an entry is about: its record, or for a recorded read of many rows, how many."""
    details = entry["new_values"] or {}
    label = table_label(entry["table_name"])
    if entry["operation"] == "access" and entry["row_key"] == "export":
        return f"{label} export ({details.get('rows', 'all')} rows)"
    if entry["operation"] == "access" and entry["row_key"] == "list":
        return f"{label} list ({len(details.get('ids') or [])} shown)"
    return names.get((entry["table_name"], entry["row_key"]), label)


def record_names(tenant_id: UUID, entries: list[Row]) -> dict[tuple[str, str], str]:
    """(table, row key) → the record in words, for each entry of a page."""
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        if _is_uuid(entry["row_key"]):
            wanted.setdefault(entry["table_name"], set()).add(entry["row_key"])
    bare = _looked_up(tenant_id, wanted)
    for entry in entries:
        key = (entry["table_name"], entry["row_key"])
        if not bare.get(key):
            bare[key] = _own_name(entry)
    return {
        key: f"{table_label(key[0])} {name}" if name else table_label(key[0])
        for key, name in bare.items()
    }
