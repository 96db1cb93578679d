"""Properties (a customer's service locations) and the equipment installed at them."""

from __future__ import annotations

from flask import Blueprint

from app import db
from app.properties import constraints

bp = Blueprint("properties", __name__)
db.register_messages(constraints.MESSAGES)

from app.properties import routes  # noqa: E402,F401  (routes attach to bp)
from app.properties.forms import EquipmentForm, PropertyForm  # noqa: E402
from app.properties.geocoding import geocode_pending  # noqa: E402
from app.properties.service import (  # noqa: E402
    create_equipment,
    create_property,
    equipment_at,
    equipment_title,
    get_property,
    has_access_notes,
    maps_link,
    one_line_address,
    property_title,
    reveal_access_notes,
)

# What other features may use (tests/test_architecture.py holds them to it; the New call page
# adds a caller's property and equipment; the geocoding job and the demo seed place properties).
__all__ = [
    "EquipmentForm",
    "PropertyForm",
    "bp",
    "create_equipment",
    "create_property",
    "equipment_at",
    "equipment_title",
    "geocode_pending",
    "get_property",
    "has_access_notes",
    "maps_link",
    "one_line_address",
    "property_title",
    "reveal_access_notes",
]
