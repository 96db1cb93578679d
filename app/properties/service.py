"""Properties and equipment: gate codes sealed at rest, geocoding state, and readable labels."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus
from uuid import UUID, uuid4

from flask import current_app

from app import company, crypto, db, roles, sql, vocabulary
from app.audit.access import record_access

queries = sql.load(__file__)

PROPERTY_TYPES = {
    "single_family": "Single-family home",
    "multi_family": "Multi-family building",
    "condo": "Condo",
    "townhouse": "Townhouse",
    "mobile_home": "Mobile home",
    "commercial": "Commercial",
    "industrial": "Industrial",
    "other": "Other",
}
EQUIPMENT_KINDS = vocabulary.EQUIPMENT_KINDS
REFRIGERANTS = ("R-410A", "R-454B", "R-32", "R-22", "R-407C", "R-134a", "R-290")
GEOCODE_STATES = {
    "pending": "waiting for geocoding",
    "failed": "the address could not be found on the map",
    "done": "found on the map",
}
# Who may read gate and alarm codes on the property page. Technicians read them only on the
# pages of their own visits (app/technician, through reveal_access_notes), never here.
ACCESS_NOTE_ROLES = roles.OFFICE_STAFF
MAPS_SEARCH = "https://www.google.com/maps/search/?api=1&query="
HISTORY_PER_UNIT = 20  # the latest visits; older ones stay in the records


def get_property(tenant_id: UUID, property_id: UUID) -> dict[str, Any] | None:
    return db.one(queries.property, {"tenant_id": tenant_id, "id": property_id})


def has_access_notes(prop: dict[str, Any]) -> bool:
    return bool(prop["access_notes_encrypted"])


def _access_notes_place(tenant_id: UUID, property_id: UUID) -> crypto.Place:
    return crypto.PROPERTY_ACCESS_NOTES.at(tenant_id, property_id)


def reveal_access_notes(prop: dict[str, Any], shown_in: str) -> str | None:
    """The property's gate and alarm codes in plain text ('' when there are none, None when
    they cannot be decrypted here); every showing is a recorded read (P-07)."""
    if not has_access_notes(prop):
        return ""
    record_access("public.properties", prop["id"], view="access notes", shown_in=shown_in)
    place = _access_notes_place(prop["tenant_id"], prop["id"])
    try:
        return crypto.decrypt(prop["access_notes_encrypted"], place=place)
    except crypto.UnreadableSecret as error:  # copied from another row, or a retired key
        current_app.logger.error("access notes of property %s: %s", prop["id"], error)
        return None


def _sealed(values: dict[str, Any], tenant_id: UUID, property_id: UUID) -> dict[str, Any]:
    """Column values with the access notes sealed for this property; empty stays empty."""
    fields = dict(values)
    notes = fields.pop("access_notes", "")
    place = _access_notes_place(tenant_id, property_id)
    fields["access_notes_encrypted"] = crypto.encrypt(notes, place=place) if notes else ""
    return {**fields, "tenant_id": tenant_id, "id": property_id}


def create_property(tenant_id: UUID, customer_id: UUID, values: dict[str, Any]) -> UUID:
    """Add a property; it waits for the geocoding job ('pending') until it has coordinates.
    Its id is chosen here, so that the access notes are sealed for the row they go into."""
    property_id = uuid4()
    rows = db.write(
        queries.create_property,
        {**_sealed(values, tenant_id, property_id), "customer_id": customer_id},
    )
    return UUID(str(rows[0]["id"]))


def update_property(tenant_id: UUID, property_id: UUID, values: dict[str, Any]) -> bool:
    """Save changes; a changed address clears the coordinates and queues geocoding again."""
    return bool(db.write(queries.update_property, _sealed(values, tenant_id, property_id)))


# Who may delete a property that has jobs (and so visit history): as for a customer. The
# database's delete policy holds the same rule (supabase/policies/properties.sql).


def history(tenant_id: UUID, property_id: UUID) -> dict[str, int]:
    """How many jobs, visits, pieces of equipment, maintenance plans and visit files the
    property has: what a deletion takes with it."""
    row = db.one(queries.property_history, {"tenant_id": tenant_id, "id": property_id})
    return {key: int(value) for key, value in (row or {}).items()}


def archive_property(tenant_id: UUID, property_id: UUID, archived: bool = True) -> int | None:
    """Archive a property (its active plans are paused with it) or restore it. Returns how
    many plans were paused, or None when it was already so."""
    scope = {"tenant_id": tenant_id, "id": property_id, "archived": archived}
    with db.atomic():
        if not db.write(queries.archive_property, scope):
            return None
        return len(db.write(queries.pause_plans_at_property, scope)) if archived else 0


def delete_property(tenant_id: UUID, property_id: UUID) -> dict[str, Any] | None:
    """Remove a property with its equipment, jobs and visits; returns the removed row's id and
    customer (None when it is not there or the caller may not delete it)."""
    rows = db.write(queries.delete_property, {"tenant_id": tenant_id, "id": property_id})
    return rows[0] if rows else None


def equipment_at(tenant_id: UUID, property_id: UUID) -> list[dict[str, Any]]:
    """The property's equipment alone, oldest first: what a form offers to choose from."""
    return db.query(
        queries.list_equipment_for_property, {"tenant_id": tenant_id, "property_id": property_id}
    )


def list_equipment(tenant_id: UUID, property_id: UUID) -> list[dict[str, Any]]:
    """The property's equipment, each with its latest service history (`history`, newest
    first, `serviced_at` in the company's time zone): the property page."""
    zone = company.zone(tenant_id)
    history: dict[UUID, list[dict[str, Any]]] = {}
    for record in db.query(
        queries.list_service_history_for_property,
        {"tenant_id": tenant_id, "property_id": property_id, "per_unit": HISTORY_PER_UNIT},
    ):
        record["serviced_at"] = record["serviced_at"].astimezone(zone)
        history.setdefault(record["equipment_id"], []).append(record)
    return [
        {**item, "history": history.get(item["id"], [])}
        for item in equipment_at(tenant_id, property_id)
    ]


def get_equipment(tenant_id: UUID, equipment_id: UUID) -> dict[str, Any] | None:
    return db.one(queries.equipment, {"tenant_id": tenant_id, "id": equipment_id})


def create_equipment(tenant_id: UUID, property_id: UUID, values: dict[str, Any]) -> UUID:
    rows = db.write(
        queries.create_equipment, {**values, "tenant_id": tenant_id, "property_id": property_id}
    )
    return UUID(str(rows[0]["id"]))


def update_equipment(tenant_id: UUID, equipment_id: UUID, values: dict[str, Any]) -> bool:
    return bool(
        db.write(queries.update_equipment, {**values, "tenant_id": tenant_id, "id": equipment_id})
    )


def delete_equipment(tenant_id: UUID, equipment_id: UUID) -> dict[str, Any] | None:
    """Remove one piece of equipment; returns the removed row's id and property."""
    rows = db.write(queries.delete_equipment, {"tenant_id": tenant_id, "id": equipment_id})
    return rows[0] if rows else None


def equipment_title(item: dict[str, Any]) -> str:
    """How a piece of equipment is named on buttons and messages: 'Carrier Furnace'."""
    return " ".join(part for part in (item["brand"], EQUIPMENT_KINDS[item["kind"]]) if part)


def property_title(prop: dict[str, Any]) -> str:
    """How a property is named: its label, else its street address."""
    return prop["label"] or " ".join(p for p in (prop["street"], prop["unit"]) if p)


def one_line_address(prop: dict[str, Any]) -> str:
    """The address on one line, for a maps search."""
    region_code = " ".join(p for p in (prop["region"], prop["postal_code"]) if p)
    street = " ".join(p for p in (prop["street"], prop["unit"]) if p)
    return ", ".join(p for p in (street, prop["city"], region_code, prop["country"]) if p)


def maps_link(prop: dict[str, Any]) -> str:
    """A link that opens the address in Google Maps (nothing is loaded from Google here)."""
    return MAPS_SEARCH + quote_plus(one_line_address(prop))
