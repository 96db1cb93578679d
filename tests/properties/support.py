"""What the property and equipment tests share: valid form values and looks behind the app."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from app.db import Connection

PROPERTY_FORM = {
    "label": "Home",
    "street": "12 Oak Ave",
    "unit": "",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62701",
    "country": "US",
    "property_type": "single_family",
    "square_feet": "1,850",
    "year_built": "1994",
    "access_notes": "",
    "notes": "",
}
EQUIPMENT_FORM = {
    "equipment_kind": "furnace",
    "brand": "Carrier",
    "model": "59SC5A060S17",
    "serial": "2219A12345",
    "installed_on": "2019-10-01",
    "warranty_ends_on": "2029-10-01",
    "seer2": "",
    "afue": "96",
    "hspf2": "",
    "refrigerant": "",
    "filter_size": "16x25x1",
    "notes": "",
}


def html(response: Any) -> str:
    return response.get_data(as_text=True)


def stored_property(admin: Connection, property_id: UUID) -> dict[str, Any]:
    """The property's row as stored (it must exist)."""
    row = admin.execute("select * from public.properties where id = %s", [property_id]).fetchone()
    assert row is not None
    return row


def properties_of(admin: Connection, customer_id: UUID) -> list[dict[str, Any]]:
    return admin.execute(
        "select * from public.properties where customer_id = %s order by created_at",
        [customer_id],
    ).fetchall()


def equipment_at(admin: Connection, property_id: UUID) -> list[dict[str, Any]]:
    return admin.execute(
        "select * from public.equipment where property_id = %s order by created_at",
        [property_id],
    ).fetchall()


def access_reads(admin: Connection, property_id: UUID) -> list[dict[str, Any]]:
    """Recorded reads of a property's row (audit.changes, operation 'access')."""
    return admin.execute(
        "select actor_id, new_values from audit.changes"
        " where operation = 'access' and table_name = 'public.properties' and row_key = %s"
        " order by id",
        [str(property_id)],
    ).fetchall()
