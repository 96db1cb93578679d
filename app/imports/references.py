"""Finding the customer and property a row of an equipment, history, agreement, balance or
invoice file names: by the old system's id, else by email, phone or name, and the property by
the old system's location id or its street. Read once per import from the company's records."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from uuid import UUID

from app import sql
from app.db import Connection

queries = sql.load(__file__, "references.sql")


def name_key(text: str) -> str:
    """`Riverside Dental Group, P.C.` and `riverside dental group pc` are the same key."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def street_key(text: str) -> str:
    """`12 Elm St.` and `12 elm street` are the same key (common suffixes abbreviated)."""
    words = name_key(text).split()
    return " ".join(_STREET_WORDS.get(w, w) for w in words)


_STREET_WORDS = {
    "street": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "drive": "dr",
    "lane": "ln",
    "court": "ct",
    "boulevard": "blvd",
    "place": "pl",
    "circle": "cir",
    "terrace": "ter",
    "parkway": "pkwy",
    "highway": "hwy",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "suite": "ste",
    "apartment": "apt",
}


@dataclass
class Found:
    """The record found, or why none was (`reason`, for the preview)."""

    id: UUID | None
    reason: str = ""


@dataclass
class CustomerIndex:
    by_source: dict[str, UUID] = field(default_factory=dict)
    by_email: dict[str, set[UUID]] = field(default_factory=lambda: defaultdict(set))
    by_phone: dict[str, set[UUID]] = field(default_factory=lambda: defaultdict(set))
    by_name: dict[str, set[UUID]] = field(default_factory=lambda: defaultdict(set))
    names: dict[UUID, str] = field(default_factory=dict)
    # customer → [(property id, street key, postal code, source id)]
    places: dict[UUID, list[tuple[UUID, str, str, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    place_by_source: dict[str, tuple[UUID, UUID]] = field(default_factory=dict)

    @classmethod
    def load(cls, conn: Connection, tenant_id: UUID) -> CustomerIndex:
        index = cls()
        params = {"tenant_id": tenant_id}
        for row in conn.execute(queries.customers_for_matching, params):
            index.names[row["id"]] = row["display_name"]
            if row["source_id"]:
                index.by_source[row["source_id"]] = row["id"]
            if row["email"]:
                index.by_email[row["email"]].add(row["id"])
            if row["phone"]:
                index.by_phone[row["phone"]].add(row["id"])
            for name in {
                row["display_name"],
                row["company_name"],
                f"{row['first_name']} {row['last_name']}",
                f"{row['last_name']} {row['first_name']}",
            }:
                if name_key(name):
                    index.by_name[name_key(name)].add(row["id"])
        for row in conn.execute(queries.properties_for_matching, params):
            key = street_key(f"{row['street']} {row['unit']}")
            index.places[row["customer_id"]].append(
                (row["id"], key, row["postal_code"][:5], row["source_id"])
            )
            if row["source_id"]:
                index.place_by_source[row["source_id"]] = (row["customer_id"], row["id"])
        return index

    def customer(
        self, *, source_id: str = "", email: str = "", phone: str = "", name: str = ""
    ) -> Found:
        """The one customer these name (the first of source id, email, phone, name that
        settles it); `phone` is E.164, `email` lower case."""
        if source_id:
            if source_id in self.by_source:
                return Found(self.by_source[source_id])
            if not (email or phone or name):
                return Found(None, f"No customer has the id {source_id!r} from the old system.")
        for what, pool, key in (
            ("email", self.by_email, email),
            ("phone", self.by_phone, phone),
            ("name", self.by_name, name_key(name)),
        ):
            if not key:
                continue
            ids = pool.get(key, set())
            if len(ids) == 1:
                return Found(next(iter(ids)))
            if len(ids) > 1:
                return Found(None, f"{len(ids)} customers have this {what}; add their id.")
        shown = name or email or phone or source_id
        return Found(None, f"No customer matches {shown!r}." if shown else "No customer named.")

    def property(
        self, customer_id: UUID | None, *, source_id: str = "", street: str = "", postal: str = ""
    ) -> Found:
        """The customer's property at this street (or with this location id); when the row
        names no street and the customer has one property, that one."""
        if source_id and source_id in self.place_by_source:
            owner, place = self.place_by_source[source_id]
            if customer_id is None or owner == customer_id:
                return Found(place)
        if customer_id is None:
            return Found(None, "No customer, so no property.")
        places = self.places.get(customer_id, [])
        if not street:
            if len(places) == 1:
                return Found(places[0][0])
            if not places:
                whose = self.names.get(customer_id, "The customer")
                return Found(None, f"{whose} has no property.")
            return Found(None, "The customer has several properties: add the street.")
        key = street_key(street)
        found = [p for p in places if p[1] == key or p[1].startswith(key + " ")]
        if postal and len(found) > 1:
            found = [p for p in found if p[2] == postal[:5]] or found
        if len(found) == 1:
            return Found(found[0][0])
        if not found:
            return Found(None, f"The customer has no property at {street!r}.")
        return Found(None, f"The customer has several properties at {street!r}.")

    def add_place(self, customer_id: UUID, place_id: UUID, street: str, postal: str = "") -> None:
        """A property this import creates, so later rows find it."""
        self.places[customer_id].append((place_id, street_key(street), postal[:5], ""))
