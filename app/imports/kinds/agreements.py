"""The service agreements import: maintenance plans and memberships from the old system (plan,
start, next due, frequency, end, status).

The tune-up months are the next due date's month and the months spaced evenly from it
("Semi-annual", next due April → April and October). Tune-up jobs are made by the hourly
sweep (app.generate_maintenance_jobs), never for a past month, and for an imported plan not
before its next due month (`first_due_on`): the visits before it were made in the old system.
A plan already on the property with the same name (and start date, when there are several) is
updated with what the file says, or left unchanged."""

from __future__ import annotations

import re
from datetime import date
from functools import partial
from typing import Any
from uuid import UUID

from app import sql
from app.db import Connection
from app.imports import cells
from app.imports.csvfile import Record
from app.imports.kinds import named_customer, register
from app.imports.plan import Flag, Item, Kind, LeftOut, Plan, Target
from app.imports.references import CustomerIndex, name_key

queries = sql.load(__file__, "agreements.sql")

FIELDS = ("name", "months", "starts_on", "ends_on", "status", "notes", "first_due_on")
DEFAULT_NAME = "Maintenance plan"
# While planning: the next due month of a row giving no frequency.
DUE_MONTH = "due_month"

TARGETS: dict[str, Target] = {
    **named_customer.TARGETS,
    **named_customer.PLACE_TARGETS,
    "name": Target("Plan / membership name"),
    "starts_on": Target("Start date"),
    "next_due_on": Target("Next visit due"),
    "frequency": Target("Frequency (annual, semi-annual, quarterly, visits a year)"),
    "ends_on": Target("End / expiration date"),
    "status": Target("Status (active, on hold, expired)"),
    "notes": Target("Notes", many=True),
}
SYNONYMS: dict[str, tuple[str, ...]] = {
    **named_customer.SYNONYMS,
    "name": ("plan", "plan name", "membership", "membership name", "agreement", "program"),
    "starts_on": ("start", "start date", "started", "member since", "signup date", "joined"),
    "next_due_on": ("next due", "next due date", "next visit", "next service", "due date"),
    "frequency": ("frequency", "visits", "visits per year", "interval", "billing frequency"),
    "ends_on": ("end", "end date", "expires", "expiration", "expiration date", "renewal date"),
    "status": ("status", "membership status", "plan status", "state"),
    "notes": ("notes", "note", "comments"),
}

_PER_YEAR = {
    "annual": 1,
    "annually": 1,
    "yearly": 1,
    "once a year": 1,
    "semi annual": 2,
    "semiannual": 2,
    "semi annually": 2,
    "bi annual": 2,
    "biannual": 2,
    "twice a year": 2,
    "spring fall": 2,
    "spring and fall": 2,
    "fall spring": 2,
    "fall and spring": 2,
    "quarterly": 4,
    "monthly": 12,
    "bimonthly": 6,
    "bi monthly": 6,
}
_STATUSES = {
    "active": ("active", "current", "enrolled", "renewed", "auto renew", "in good standing"),
    "paused": ("on hold", "hold", "paused", "suspended", "frozen"),
    "canceled": (
        "expired",
        "canceled",
        "cancelled",
        "inactive",
        "ended",
        "terminated",
        "lapsed",
        "closed",
    ),
}
_STATUS_WORDS = {word: status for status, words in _STATUSES.items() for word in words}


def visits_per_year(text: str) -> int | None:
    """`Semi-annual`, `2 visits`, `Spring & Fall`, `every 6 months`, `4` → visits a year."""
    key = name_key(text)
    if key in _PER_YEAR:
        return _PER_YEAR[key]
    if m := re.fullmatch(r"every (\d+) months?", key):
        months = int(m[1])
        return 12 // months if months and 12 % months == 0 else None
    if m := re.fullmatch(
        r"(\d+)(?: ?x)?(?: (?:visits?|times|tune ups?))?(?: (?:a|per) year)?", key
    ):
        return int(m[1]) if 1 <= int(m[1]) <= 12 else None
    return None


def months_from(first: int, per_year: int) -> list[int]:
    """The first month and the months spaced evenly from it: (4, 2) → [4, 10]."""
    return sorted({(first - 1 + round(i * 12 / per_year)) % 12 + 1 for i in range(per_year)})


def _read_plan(row: dict[str, str], flags: list[Flag], today: date) -> dict[str, Any]:
    """The values the row gives (blank ones absent), flags for those left out."""
    found: dict[str, Any] = {"name": row.get("name", "").strip()[:200]}
    if not found["name"]:
        found["name"] = DEFAULT_NAME
        flags.append(Flag("name", "", f"No plan name: saved as {DEFAULT_NAME!r}.", "note"))
    for target, label in (("starts_on", "Start"), ("ends_on", "End"), ("next_due_on", "Next due")):
        if (day := cells.date_cell(row, target, f"{label} date", flags)) is not None:
            found[target] = day
    if found.get("ends_on") and found.get("starts_on") and found["ends_on"] < found["starts_on"]:
        note = f"End date left out: it is before the start ({found['starts_on']})."
        flags.append(Flag("ends_on", row["ends_on"], note, "left_out"))
        del found["ends_on"]
    _read_months(row, found, today, flags)
    _read_status(row, found, today, flags)
    if row.get("notes", "").strip():
        found["notes"] = row["notes"].strip()[:5000]
    return found


def _read_months(
    row: dict[str, str], found: dict[str, Any], today: date, flags: list[Flag]
) -> None:
    per_year = None
    if not cells.is_blank(row.get("frequency", "")):
        per_year = visits_per_year(row["frequency"])
        if per_year is None:
            note = f"{row['frequency']!r} is not a frequency we know: left out."
            flags.append(Flag("frequency", row["frequency"], note, "left_out"))
    next_due = found.pop("next_due_on", None)
    if next_due is not None:
        found["first_due_on"] = next_due
        if next_due < today.replace(day=1):
            note = f"The next visit was due {next_due}: tune-up jobs start from this month."
            flags.append(Flag("next_due_on", row["next_due_on"], note, "note"))
    if per_year is not None:
        first = next_due or found.get("starts_on") or today
        found["months"] = months_from(first.month, per_year)
    elif next_due is not None:  # as many visits as the plan has (a new one: one)
        found[DUE_MONTH] = next_due.month


def _read_status(
    row: dict[str, str], found: dict[str, Any], today: date, flags: list[Flag]
) -> None:
    text = row.get("status", "")
    if text.strip():
        status = _STATUS_WORDS.get(name_key(text))
        if status is None:
            note = f"{text!r} is not a status we know: left out."
            flags.append(Flag("status", text, note, "left_out"))
        else:
            found["status"] = status
    if found.get("status", "active") == "active" and found.get("ends_on", today) < today:
        found["status"] = "canceled"
        note = f"The plan ended on {found['ends_on']}: saved as ended."
        flags.append(Flag("status", text, note, "repaired"))


def _file_key(property_id: UUID, found: dict[str, Any]) -> tuple[Any, ...]:
    return (property_id, name_key(found["name"]), found.get("starts_on"))


def _complete(found: dict[str, Any], today: date, flags: list[Flag]) -> None:
    """A new plan needs a start, months and a status: from what the row gives, flagged."""
    if "starts_on" not in found:
        found["starts_on"] = min(today, found.get("ends_on", today))
        note = f"No start date: saved as starting {found['starts_on']}."
        flags.append(Flag("starts_on", "", note, "note"))
    if "months" not in found:
        found["months"] = [found.pop(DUE_MONTH, found["starts_on"].month)]
        note = "No frequency: one visit a year."
        flags.append(Flag("frequency", "", note, "note"))
    found.setdefault("status", "active")


def plan(
    conn: Connection,
    tenant_id: UUID,
    records: list[Record],
    mapping: list[str],
    options: dict[str, Any],
) -> Plan:
    index = CustomerIndex.load(conn, tenant_id)
    row = conn.execute(queries.today, {"tenant_id": tenant_id}).fetchone()
    today: date = row["today"] if row else date.today()
    existing = named_customer.saved_by(
        conn,
        tenant_id,
        queries.existing_agreements,
        lambda a: (a["property_id"], name_key(a["name"])),
    )
    result = Plan()
    read = partial(_read_plan, today=today)
    items = named_customer.units(
        index, records, mapping, result, read, _file_key, ("agreement", "plan")
    )
    lines = {record.line: record.cells for record in records}
    for item in items:
        item.label = f"{item.data['values']['name']} — {item.label}"[:300]
        if reason := _against_existing(item, existing, today):
            result.left_out.append(LeftOut(item.lines[0], lines[item.lines[0]], reason))
        else:
            result.items.append(cells.finished(item))
    return result


def _against_existing(
    item: Item, existing: dict[tuple[UUID, str], list[dict[str, Any]]], today: date
) -> str:
    """The item made a new plan or an update of the plan it matches; or why it cannot be."""
    found = item.data["values"]
    same = existing.get((item.data["property_id"], name_key(found["name"])), [])
    target = _matching(same, found.get("starts_on"))
    if isinstance(target, str):
        return target
    if target is None:
        _complete(found, today, item.flags)
        return ""
    if DUE_MONTH in found:
        found["months"] = months_from(found.pop(DUE_MONTH), len(target["months"]))
    _keep_end_after_start(found, target, item.flags)
    cells.compare(item, target, FIELDS)
    return ""


def _matching(same: list[dict[str, Any]], starts_on: date | None) -> dict[str, Any] | str | None:
    """The plan of this name on the property (the one with this start date, when several)."""
    dated = [a for a in same if a["starts_on"] == starts_on]
    if len(dated) == 1 or len(same) == 1:
        return dated[0] if dated else same[0]
    if not same:
        return None
    return f"{len(same)} plans of this name on this property: add the start date."


def _keep_end_after_start(found: dict[str, Any], target: dict[str, Any], flags: list[Flag]) -> None:
    starts = found.get("starts_on", target["starts_on"])
    ends = found.get("ends_on", target["ends_on"])
    if ends is not None and ends < starts:
        field = "ends_on" if "ends_on" in found else "starts_on"
        note = f"Left out: the plan would end ({ends}) before it starts ({starts})."
        flags.append(Flag(field, str(found.pop(field)), note, "left_out"))


apply = named_customer.writer(
    "public.service_agreements", queries.insert_agreements, queries.update_agreements
)


KIND = register(
    Kind(
        key="agreements",
        label="Service agreements",
        item_kind="agreement",
        targets=TARGETS,
        naming=("name",),
        plan=plan,
        apply=apply,
        synonyms=SYNONYMS,
        hint=(
            "One row per plan or membership: the customer (old-system id, email, phone or name)"
            " and the service address or location id, then plan name, start date, next due"
            " date, frequency, end date, status. Import the customers first."
        ),
    )
)
