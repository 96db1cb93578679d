"""The equipment import: the units on each property, from an old system's equipment list
(property, kind, brand, model, serial, install date, warranty, efficiency ratings).

A row names its customer and property (app.imports.kinds.named_customer); a row whose customer or
property cannot be found is left out, never made up. A unit already on the property (the same
serial, ignoring case and spaces; else the same kind, brand and model where one of the two has
no serial) is updated with what the file says, or left unchanged; two rows of the file for the
same unit make one item."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from app import sql
from app.db import Connection
from app.imports import cells
from app.imports.csvfile import Record
from app.imports.kinds import named_customer, register
from app.imports.plan import Flag, Item, Kind, Plan, Target
from app.imports.references import CustomerIndex
from app.vocabulary import EQUIPMENT_KINDS

queries = sql.load(__file__, "equipment.sql")

TEXTS = ("brand", "model", "serial", "refrigerant", "filter_size")
DATES = {"installed_on": "Install date", "warranty_ends_on": "Warranty end"}
# The table's checks: seer2 1-50, afue 1-100, hspf2 1-30.
NUMBERS = {"seer2": ("SEER2", 1, 50), "afue": ("AFUE", 1, 100), "hspf2": ("HSPF2", 1, 30)}
FIELDS = ("kind", *TEXTS, *DATES, *NUMBERS, "notes")

TARGETS: dict[str, Target] = {
    **named_customer.TARGETS,
    **named_customer.PLACE_TARGETS,
    "kind": Target("Equipment type (furnace, AC, heat pump…)"),
    "brand": Target("Brand / make"),
    "model": Target("Model number"),
    "serial": Target("Serial number"),
    "installed_on": Target("Install date"),
    "warranty_ends_on": Target("Warranty end date"),
    "refrigerant": Target("Refrigerant (R-410A…)"),
    "filter_size": Target("Filter size"),
    "seer2": Target("SEER2 rating"),
    "afue": Target("AFUE (%)"),
    "hspf2": Target("HSPF2 rating"),
    "notes": Target("Notes", many=True),
}
SYNONYMS: dict[str, tuple[str, ...]] = {
    **named_customer.SYNONYMS,
    "kind": ("type", "equipment type", "kind", "equipment", "unit type", "system type"),
    "brand": ("brand", "make", "manufacturer", "mfr"),
    "model": ("model", "model number", "model no", "model #"),
    "serial": ("serial", "serial number", "serial no", "serial #", "sn", "s n"),
    "installed_on": ("install date", "installed", "installed on", "installation date"),
    "warranty_ends_on": ("warranty", "warranty end", "warranty expires", "warranty expiration"),
    "refrigerant": ("refrigerant", "refrigerant type", "freon"),
    "filter_size": ("filter", "filter size", "filters"),
    "seer2": ("seer2", "seer", "seer 2"),
    "afue": ("afue", "afue %", "efficiency"),
    "hspf2": ("hspf2", "hspf", "hspf 2"),
    "notes": ("notes", "note", "comments", "location in home"),
}


def _serial_key(serial: str) -> str:
    return re.sub(r"\s+", "", serial).lower()


def _read_unit(row: dict[str, str], flags: list[Flag]) -> dict[str, Any] | str:
    """The values the row gives (blank ones absent), flags for those left out; or why the row
    names no unit."""
    unit: dict[str, Any] = {}
    if not cells.is_blank(row.get("kind", "")):
        kind = cells.equipment_kind(row["kind"])
        if kind is None:
            note = f"{row['kind']!r} is not a kind of equipment we know: left out."
            flags.append(Flag("kind", row["kind"], note, "left_out"))
        else:
            unit["kind"] = kind
    for target in TEXTS:
        if not cells.is_blank(row.get(target, "")):
            unit[target] = row[target].strip()
    for target, label in DATES.items():
        if (day := cells.date_cell(row, target, label, flags)) is not None:
            unit[target] = day
    for target, (label, low, high) in NUMBERS.items():
        if (number := cells.number_cell(row, target, label, low, high, flags)) is not None:
            unit[target] = number
    if row.get("notes", "").strip():
        unit["notes"] = row["notes"].strip()
    if not any(unit.get(name) for name in ("kind", "brand", "model", "serial")):
        return "No equipment on this line: no type, brand, model or serial."
    return unit


def _file_key(property_id: UUID, unit: dict[str, Any]) -> tuple[str, ...]:
    if unit.get("serial"):
        return (str(property_id), "serial", _serial_key(unit["serial"]))
    return (
        str(property_id),
        "model",
        unit.get("kind", ""),
        unit.get("brand", "").lower(),
        unit.get("model", "").lower(),
    )


def _same_serial(unit: dict[str, Any], existing: dict[str, Any]) -> bool:
    return bool(unit.get("serial")) and _serial_key(unit["serial"]) == _serial_key(
        existing["serial"]
    )


def _same_unit(unit: dict[str, Any], existing: dict[str, Any]) -> bool:
    if unit.get("serial") and existing["serial"]:
        return _same_serial(unit, existing)
    return (
        unit.get("kind", existing["kind"]) == existing["kind"]
        and unit.get("brand", "").lower() == existing["brand"].lower()
        and unit.get("model", "").lower() == existing["model"].lower()
    )


def _keep_warranty_after_install(
    unit: dict[str, Any], existing: dict[str, Any] | None, flags: list[Flag]
) -> None:
    """The table refuses a warranty ending before the install: the file's warranty goes."""
    installed = unit.get("installed_on") or (existing or {}).get("installed_on")
    ends = unit.get("warranty_ends_on") or (existing or {}).get("warranty_ends_on")
    if installed and ends and ends < installed:
        field = "warranty_ends_on" if "warranty_ends_on" in unit else "installed_on"
        note = f"Left out: the warranty would end ({ends}) before the install ({installed})."
        flags.append(Flag(field, str(unit.pop(field)), note, "left_out"))


def _label(unit: dict[str, Any], customer: str) -> str:
    what = " ".join(
        part
        for part in (EQUIPMENT_KINDS[unit.get("kind", "other")] + ":", unit.get("brand", ""))
        if part
    )
    model = unit.get("model", "")
    serial = f"(serial {unit['serial']})" if unit.get("serial") else ""
    return " ".join(p for p in (what, model, serial, "—", customer) if p)[:300]


def plan(
    conn: Connection,
    tenant_id: UUID,
    records: list[Record],
    mapping: list[str],
    options: dict[str, Any],
) -> Plan:
    index = CustomerIndex.load(conn, tenant_id)
    result = Plan()
    items = named_customer.units(
        index, records, mapping, result, _read_unit, _file_key, ("equipment", "unit")
    )
    _match_existing(conn, tenant_id, items)
    for item in items:
        item.label = _label(item.data["values"], item.label)
        result.items.append(cells.finished(item))
    return result


def _match_existing(conn: Connection, tenant_id: UUID, items: list[Item]) -> None:
    on_property = named_customer.saved_by(
        conn, tenant_id, queries.existing_equipment, lambda row: row["property_id"]
    )
    taken: set[UUID] = set()
    for item in items:
        unit = item.data["values"]
        candidates = [
            e
            for e in on_property.get(item.data["property_id"], [])
            if e["id"] not in taken and _same_unit(unit, e)
        ]
        if candidates:
            candidates.sort(key=lambda e: not _same_serial(unit, e))
            taken.add(candidates[0]["id"])
            for name in ("brand", "model", "serial"):  # "carrier" is the unit's "Carrier"
                if name in unit and _serial_key(unit[name]) == _serial_key(candidates[0][name]):
                    unit[name] = candidates[0][name]
            _keep_warranty_after_install(unit, candidates[0], item.flags)
            cells.compare(item, candidates[0], FIELDS)
            continue
        if "kind" not in unit:
            unit["kind"] = "other"
            item.flags.append(Flag("kind", "", "No equipment type: saved as Other.", "note"))
        _keep_warranty_after_install(unit, None, item.flags)


apply = named_customer.writer(
    "public.equipment", queries.insert_equipment, queries.update_equipment
)


KIND = register(
    Kind(
        key="equipment",
        label="Equipment",
        item_kind="equipment",
        targets=TARGETS,
        naming=("kind", "brand", "model", "serial"),
        plan=plan,
        apply=apply,
        synonyms=SYNONYMS,
        hint=(
            "One row per unit: the customer (old-system id, email, phone or name) and the"
            " service address or location id, then type, brand, model, serial, install date."
            " Import the customers first."
        ),
    )
)
