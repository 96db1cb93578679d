"""The demo company's price book: what a Chicago-area HVAC company charges for maintenance,
diagnostics and repairs, the parts it fits (priced from their cost and markup), its labour
rates and two install packages, with member pricing for customers on a maintenance plan, and
its two sales taxes. Written by the database owner like the rest of the demo data."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from app import money, sql
from app.db import Connection

queries = sql.load(__file__)

CATEGORIES = ("Maintenance", "Diagnostics", "Repairs", "Parts", "Labour", "Installs")
TUNE_UP = "Clean, inspect and test the system; check safeties and drain; replace a 1-inch filter."
ARCHIVED = "R22"

# Flat-rate services: (code, name, category, price, member price, taxable, description).
# Tune-ups have a member price; repairs get the member discount below. Repairs and installs
# include their parts, so they are taxed; visits and checks are not.
SERVICES = [
    ("TUNE-F", "Furnace tune-up", "Maintenance", "129.00", "99.00", False, TUNE_UP),
    ("TUNE-AC", "AC tune-up", "Maintenance", "129.00", "99.00", False, TUNE_UP),
    ("TUNE-HP", "Heat pump tune-up", "Maintenance", "149.00", "119.00", False, TUNE_UP),
    ("TUNE-BLR", "Boiler tune-up", "Maintenance", "179.00", "149.00", False,
     "Clean the burner, test the relief valve and low-water cutoff, bleed radiators."),
    ("TUNE-MS", "Ductless head cleaning", "Maintenance", "119.00", "95.00", False,
     "Per indoor head: coil and blower wheel cleaned, drain flushed."),
    ("MAINT-WH", "Water heater flush", "Maintenance", "119.00", "99.00", False, ""),
    ("MAINT-CO", "Carbon monoxide safety check", "Maintenance", "49.00", None, False, ""),
    ("DIAG", "Diagnostic fee", "Diagnostics", "89.00", None, False,
     "Finding the cause of a breakdown; credited when the repair is done the same day."),
    ("DIAG-AH", "After-hours diagnostic fee", "Diagnostics", "149.00", None, False,
     "Evenings after 6 PM, weekends and holidays."),
    ("DIAG-LEAK", "Refrigerant leak search", "Diagnostics", "249.00", None, False,
     "Electronic leak detection and a nitrogen pressure test."),
    ("DIAG-COMB", "Combustion analysis", "Diagnostics", "99.00", None, False, ""),
    ("REP-CAP", "Replace run capacitor", "Repairs", "189.00", None, True, ""),
    ("REP-CONT", "Replace contactor", "Repairs", "219.00", None, True, ""),
    ("REP-FS", "Clean or replace flame sensor", "Repairs", "149.00", None, True, ""),
    ("REP-IGN", "Replace hot surface igniter", "Repairs", "279.00", None, True, ""),
    ("REP-PS", "Replace pressure switch", "Repairs", "249.00", None, True, ""),
    ("REP-IND", "Replace inducer motor", "Repairs", "689.00", None, True, ""),
    ("REP-BLOWER", "Replace blower motor", "Repairs", "749.00", None, True, ""),
    ("REP-CFM", "Replace condenser fan motor", "Repairs", "529.00", None, True, ""),
    ("REP-DRAIN", "Clear condensate drain line", "Repairs", "139.00", None, False, ""),
    ("REP-SURGE", "Install surge protector", "Repairs", "229.00", None, True, ""),
    ("REP-RECHARGE", "Evacuate and recharge system", "Repairs", "495.00", None, True,
     "Refrigerant charged by the pound on top."),
    ("INST-TSTAT", "Install smart thermostat", "Installs", "349.00", None, True,
     "Wi-Fi thermostat fitted, C-wire added when needed, schedule set with you."),
    ("INST-HUM", "Install whole-house humidifier", "Installs", "895.00", None, True, ""),
    ("INST-UV", "Install UV air purifier", "Installs", "795.00", None, True, ""),
    ("PERMIT", "City permit and inspection", "Installs", "175.00", None, False, ""),
]  # fmt: skip
REPAIR_MEMBER_DISCOUNT = "10"

# Parts and equipment: (code, name, category, unit, cost, markup %, description).
MATERIALS = [
    ("CAP-455", "Dual run capacitor 45/5 µF 440 V", "Parts", "each", "14.20", "100", ""),
    ("CAP-355", "Dual run capacitor 35/5 µF 440 V", "Parts", "each", "12.80", "100", ""),
    ("CONT-1P", "Contactor, 1-pole 30 A", "Parts", "each", "11.50", "100", ""),
    ("CONT-2P", "Contactor, 2-pole 40 A", "Parts", "each", "16.90", "100", ""),
    ("FS-UNI", "Flame sensor, universal", "Parts", "each", "9.75", "100", ""),
    ("HSI-SN", "Hot surface igniter, silicon nitride", "Parts", "each", "24.60", "100", ""),
    ("FLT-16251", "Pleated filter 16x25x1 MERV 11", "Parts", "each", "6.40", "75", ""),
    ("FLT-20251", "Pleated filter 20x25x1 MERV 11", "Parts", "each", "7.10", "75", ""),
    ("FLT-16254", "Media filter 16x25x4 MERV 13", "Parts", "each", "24.50", "60", ""),
    ("R410A", "Refrigerant R-410A", "Parts", "pound", "18.50", "300", ""),
    ("R454B", "Refrigerant R-454B", "Parts", "pound", "32.00", "200", ""),
    ("R22", "Refrigerant R-22", "Parts", "pound", "65.00", "100",
     "No longer sold: R-22 production ended in 2020."),
    ("PUMP-COND", "Condensate pump", "Parts", "each", "52.00", "80", ""),
    ("LINESET-38", "Line set 3/8 x 3/4", "Parts", "foot", "3.10", "80", ""),
    ("PAD-2436", "Condenser pad 24x36", "Parts", "each", "28.00", "60", ""),
    ("VENT-PVC2", "PVC venting kit, 2 inch", "Parts", "each", "85.00", "60", ""),
    ("EQ-AC3T", "Air conditioner 3-ton 14.3 SEER2", "Installs", "each", "1850.00", "45", ""),
    ("EQ-COIL3T", "Cased evaporator coil, 3-ton", "Installs", "each", "520.00", "45", ""),
    ("EQ-F80", "Gas furnace 80% AFUE, 80,000 BTU", "Installs", "each", "1120.00", "45", ""),
    ("EQ-F96", "Gas furnace 96% AFUE two-stage, 80,000 BTU", "Installs", "each", "1780.00",
     "45", ""),
]  # fmt: skip

# Labour rates, per hour: (code, name, price).
LABOUR = [
    ("LAB-STD", "Standard labour", "95.00"),
    ("LAB-AH", "After-hours labour", "142.50"),
    ("LAB-HELPER", "Helper labour", "55.00"),
]

# Install packages: (code, name, price, description, parts as (code, quantity)).
PACKAGES = [
    ("SYS-AC3-F80", "3-ton AC + 80% furnace + coil system", "9850.00",
     "A matched air conditioner, furnace and coil, installed with a new line set, pad and"
     " smart thermostat; old equipment hauled away; permit included.",
     [("EQ-AC3T", "1"), ("EQ-F80", "1"), ("EQ-COIL3T", "1"), ("LINESET-38", "25"),
      ("PAD-2436", "1"), ("INST-TSTAT", "1"), ("PERMIT", "1"), ("LAB-STD", "16"),
      ("LAB-HELPER", "8")]),
    ("SYS-F96", "96% furnace replacement", "5450.00",
     "A high-efficiency two-stage furnace with PVC venting and a media filter; old furnace"
     " hauled away; permit included.",
     [("EQ-F96", "1"), ("VENT-PVC2", "1"), ("FLT-16254", "1"), ("PERMIT", "1"),
      ("LAB-STD", "8")]),
]  # fmt: skip

# The sales taxes charged in Chicago (10.25% together): the state's, and the county's, city's
# and transit authority's together.
TAX_RATES = [("Illinois state", "6.25"), ("Chicago local (county, city, RTA)", "4.00")]


@dataclass(frozen=True)
class Counts:
    categories: int
    items: int
    package_parts: int
    tax_rates: int


def _item(**values: Any) -> dict[str, Any]:
    """An item's row with every column the insert names (materials priced from cost and
    markup, as the book's check wants)."""
    row: dict[str, Any] = {
        "code": None, "description": "", "unit": "each", "cost": None, "markup": None,
        "member_price": None, "member_discount": None, "taxable": True, "archived": False,
    }  # fmt: skip
    row.update(values)
    if row["markup"] is not None:
        row["price"] = money.apply_markup(Decimal(row["cost"]), Decimal(row["markup"]))
    return row


def items() -> list[dict[str, Any]]:
    """Every item of the demo book, packages last (their parts refer to the others)."""
    made = [
        _item(kind="service", code=code, name=name, category=category, price=price,
              member_price=member, taxable=taxable, description=description,
              member_discount=REPAIR_MEMBER_DISCOUNT if category == "Repairs" else None)
        for code, name, category, price, member, taxable, description in SERVICES
    ]  # fmt: skip
    made += [
        _item(kind="material", code=code, name=name, category=category, unit=unit, cost=cost,
              markup=markup, description=description, archived=code == ARCHIVED)
        for code, name, category, unit, cost, markup, description in MATERIALS
    ]  # fmt: skip
    made += [
        _item(kind="labour", code=code, name=name, category="Labour", price=price,
              unit="hour", taxable=False)
        for code, name, price in LABOUR
    ]  # fmt: skip
    made += [
        _item(kind="package", code=code, name=name, category="Installs", price=price,
              description=description, unit="job")
        for code, name, price, description, _ in PACKAGES
    ]  # fmt: skip
    return made


def add(conn: Connection, tenant_id: UUID) -> Counts:
    """Write the demo book in the open transaction (the caller's claims name the actor)."""
    categories = {
        name: _insert(conn, queries.insert_price_category, {"t": tenant_id, "name": name})
        for name in CATEGORIES
    }
    ids: dict[str, UUID] = {}
    for item in items():
        params = {**item, "t": tenant_id, "category": categories[item["category"]]}
        ids[item["code"]] = _insert(conn, queries.insert_price_item, params)
    parts = 0
    for code, *_, contents in PACKAGES:
        for position, (part, quantity) in enumerate(contents):
            conn.execute(
                queries.insert_package_part,
                {"t": tenant_id, "package": ids[code], "item": ids[part],
                 "quantity": quantity, "position": position},
            )  # fmt: skip
            parts += 1
    for name, percent in TAX_RATES:
        conn.execute(queries.insert_tax_rate, {"t": tenant_id, "name": name, "percent": percent})
    return Counts(len(categories), len(ids), parts, len(TAX_RATES))


def _insert(conn: Connection, statement: str, params: dict[str, Any]) -> UUID:
    row = conn.execute(statement, params).fetchone()
    assert row is not None
    return UUID(str(row["id"]))
