"""The demo company's customers: 200 households and businesses across the Chicago area, with
properties and equipment, generated from a fixed seed so every `make dev` shows the same."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from app import sql
from app.db import Connection

queries = sql.load(__file__)

SEED = 2026
CUSTOMERS = 200
FIRST = [
    "James",
    "Maria",
    "Robert",
    "Linda",
    "Michael",
    "Patricia",
    "David",
    "Jennifer",
    "William",
    "Elizabeth",
    "Carlos",
    "Aisha",
    "Wei",
    "Priya",
    "Tomasz",
    "Fatima",
    "Kevin",
    "Grace",
    "Luis",
    "Hannah",
    "Olumide",
    "Sofia",
    "Daniel",
    "Keiko",
]
LAST = [
    "Nowak",
    "Garcia",
    "Johnson",
    "Kowalski",
    "Williams",
    "Brown",
    "Patel",
    "Nguyen",
    "Murphy",
    "O'Brien",
    "Rodriguez",
    "Kim",
    "Schmidt",
    "Okafor",
    "Lopez",
    "Anderson",
    "Chen",
    "Rossi",
    "Hernandez",
    "Walsh",
    "Novak",
    "Sullivan",
    "Martinez",
    "Berg",
]
BUSINESSES = [
    "Lakeview Dental",
    "Oak Street Bakery",
    "Northside Montessori",
    "Harbor Lofts HOA",
    "Kedzie Auto Body",
    "Prairie Yoga Studio",
    "Riverwalk Offices LLC",
    "St. Adalbert Parish",
    "Wicker Park Brewing",
    "Midway Storage",
]
STREETS = [
    "Elm St",
    "Oak Ave",
    "Maple Dr",
    "Lincoln Ave",
    "Western Ave",
    "Belmont Ave",
    "Irving Park Rd",
    "Lake St",
    "Madison St",
    "Greenwood Ave",
    "Ridge Rd",
    "Prairie Ave",
    "Harlem Ave",
    "Cicero Ave",
    "Central St",
    "Grove St",
]
# (city, ZIP) across the metro area; ZIPs are real, street numbers are made up.
PLACES = [
    ("Chicago", "60614"),
    ("Chicago", "60625"),
    ("Chicago", "60640"),
    ("Chicago", "60657"),
    ("Chicago", "60618"),
    ("Evanston", "60201"),
    ("Oak Park", "60302"),
    ("Skokie", "60076"),
    ("Naperville", "60540"),
    ("Schaumburg", "60193"),
    ("Berwyn", "60402"),
    ("Des Plaines", "60016"),
    ("Park Ridge", "60068"),
    ("Wilmette", "60091"),
    ("Cicero", "60804"),
]
AREA_CODES = ["312", "773", "847", "630", "708"]
EQUIPMENT = [
    ("furnace", ["Carrier", "Trane", "Lennox", "Goodman", "Rheem"], "afue", (80, 98)),
    (
        "air_conditioner",
        ["Carrier", "Trane", "Lennox", "Goodman", "American Standard"],
        "seer2",
        (13.4, 20),
    ),
    ("heat_pump", ["Mitsubishi", "Daikin", "Carrier", "Bosch"], "hspf2", (7.5, 10)),
    ("boiler", ["Weil-McLain", "Navien", "Burnham"], "afue", (82, 95)),
    ("mini_split", ["Mitsubishi", "Daikin", "Fujitsu"], "seer2", (16, 30)),
    ("water_heater", ["A. O. Smith", "Bradford White", "Rheem"], None, None),
    ("thermostat", ["ecobee", "Honeywell", "Nest"], None, None),
]
FILTERS = ["16x25x1", "20x25x1", "16x20x1", "20x20x4", "16x25x4"]


@dataclass(frozen=True)
class Counts:
    customers: int
    properties: int
    equipment: int


def _insert(conn: Connection, statement: str, params: dict[str, object]) -> UUID:
    row = conn.execute(statement, params).fetchone()
    assert row is not None
    return UUID(str(row["id"]))


def add(conn: Connection, tenant_id: UUID) -> Counts:
    """Create the demo customers in the open transaction (the caller's claims name the actor)."""
    rng = random.Random(SEED)
    properties = equipment = 0
    phones: set[str] = set()
    for n in range(CUSTOMERS):
        commercial = n % 20 == 0
        first, last = rng.choice(FIRST), rng.choice(LAST)
        while True:
            phone = f"+1{rng.choice(AREA_CODES)}5550{rng.randint(100, 199)}"
            if phone not in phones:
                phones.add(phone)
                break
        customer = _insert(
            conn,
            queries.insert_customer,
            {
                "t": tenant_id,
                "kind": "commercial" if commercial else "residential",
                "first": first,
                "last": last,
                "company": BUSINESSES[(n // 20) % len(BUSINESSES)] if commercial else "",
                "email": f"{first}.{last}.{n}@example.com".lower().replace("'", ""),
                "phone": phone,
                "source": rng.choice(["Google", "Referral", "Yelp", "Yard sign", ""]),
                "tags": rng.sample(
                    ["maintenance plan", "VIP", "pets", "senior discount"], rng.randint(0, 2)
                ),
                "consent": rng.random() < 0.4,
            },
        )
        if commercial:
            conn.execute(
                queries.insert_contact,
                {
                    "t": tenant_id,
                    "c": customer,
                    "name": f"{rng.choice(FIRST)} {last}",
                    "phone": phone,
                },
            )
        for _ in range(2 if rng.random() < 0.15 else 1):
            properties += 1
            equipment += _add_property(conn, rng, tenant_id, customer, commercial)
    return Counts(CUSTOMERS, properties, equipment)


def _add_property(
    conn: Connection, rng: random.Random, tenant_id: UUID, customer: UUID, commercial: bool
) -> int:
    city, zip_code = rng.choice(PLACES)
    built = rng.randint(1905, 2022)
    prop = _insert(
        conn,
        queries.insert_property,
        {
            "t": tenant_id,
            "c": customer,
            "street": f"{rng.randint(100, 9999)} {rng.choice(STREETS)}",
            "city": city,
            "zip": zip_code,
            "type": "commercial"
            if commercial
            else rng.choice(
                ["single_family", "single_family", "condo", "townhouse", "multi_family"]
            ),
            "sqft": rng.randint(700, 4200) if not commercial else rng.randint(2000, 40000),
            "built": built,
        },
    )
    kinds = rng.sample(EQUIPMENT, rng.randint(1, 3))
    for kind, brands, rating, span in kinds:
        installed = date(2026, 6, 1) - timedelta(days=rng.randint(200, 7000))
        conn.execute(
            queries.insert_equipment,
            {
                "t": tenant_id,
                "p": prop,
                "kind": kind,
                "brand": rng.choice(brands),
                "model": f"{kind[:2].upper()}{rng.randint(100, 999)}-{rng.randint(10, 99)}",
                "serial": f"{rng.randint(10**9, 10**10 - 1)}",
                "installed": installed,
                "warranty": installed + timedelta(days=365 * rng.choice([5, 10])),
                "seer2": round(rng.uniform(*span), 1) if rating == "seer2" and span else None,
                "afue": round(rng.uniform(*span), 1) if rating == "afue" and span else None,
                "hspf2": round(rng.uniform(*span), 1) if rating == "hspf2" and span else None,
                "refrigerant": "R-410A"
                if kind in ("air_conditioner", "heat_pump", "mini_split")
                else "",
                "filter": rng.choice(FILTERS) if kind == "furnace" else "",
            },
        )
    return len(kinds)
