"""Properties (a customer's service locations) and the equipment installed at them."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("properties", __name__)

from app.properties import routes  # noqa: E402,F401  (routes attach to bp)

# What other features may use (the New call page adds a caller's property and equipment).
from app.properties.forms import EquipmentForm, PropertyForm  # noqa: E402
from app.properties.service import (  # noqa: E402
    create_equipment,
    create_property,
    equipment_title,
    property_title,
)

__all__ = [
    "EquipmentForm",
    "PropertyForm",
    "bp",
    "create_equipment",
    "create_property",
    "equipment_title",
    "property_title",
]
