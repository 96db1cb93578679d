"""Words for the database's refusals of properties and their equipment:
constraint name → (form field, message), registered with app.db by the package's __init__."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str | None, str]] = {
    "properties_street_length": ("street", "Enter the street address (at most 200 characters)."),
    "properties_city_length": ("city", "Enter the city (at most 100 characters)."),
    "properties_country_check": ("country", "Enter the 2-letter country code, like US or CA."),
    "properties_type_check": ("property_type", "Choose one of the listed property types."),
    "properties_square_feet_range": (
        "square_feet",
        "Enter the floor area in square feet (1 to 10,000,000).",
    ),
    "properties_year_built_range": ("year_built", "Enter a year between 1700 and 2100."),
    "equipment_kind_check": ("equipment_kind", "Choose the type of equipment."),
    "equipment_seer2_range": ("seer2", "Enter a SEER2 from 1 to 50."),
    "equipment_afue_range": ("afue", "Enter an AFUE from 1 to 100."),
    "equipment_hspf2_range": ("hspf2", "Enter an HSPF2 from 1 to 30."),
    "equipment_warranty_after_install": (
        "warranty_ends_on",
        "The warranty can't end before the equipment was installed. Check both dates.",
    ),
}
