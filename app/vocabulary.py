"""Words several features show for the same stored values (a job's kind, a visit's status, a
unit's type), kept once. The database's check constraints hold the same lists."""

from __future__ import annotations

JOB_KINDS = {
    "repair": "Repair",
    "maintenance": "Maintenance",
    "install": "Install",
    "estimate": "Estimate visit",
}
JOB_PRIORITIES = {"low": "Low", "normal": "Normal", "high": "High", "emergency": "Emergency"}
VISIT_STATUSES = {
    "unscheduled": "Unscheduled",
    "scheduled": "Scheduled",
    "dispatched": "Dispatched",
    "en_route": "En route",
    "on_site": "On site",
    "completed": "Completed",
    "canceled": "Canceled",
}
EQUIPMENT_KINDS = {
    "furnace": "Furnace",
    "air_conditioner": "Air conditioner",
    "heat_pump": "Heat pump",
    "boiler": "Boiler",
    "mini_split": "Mini-split",
    "water_heater": "Water heater",
    "thermostat": "Thermostat",
    "air_handler": "Air handler",
    "humidifier": "Humidifier",
    "air_purifier": "Air purifier",
    "other": "Other",
}
# The kinds of an estimate's or an invoice's line: those of the price book, and lines written by
# hand.
DOCUMENT_LINE_KINDS = {
    "service": "Service",
    "material": "Material",
    "labour": "Labour",
    "package": "Package",
    "other": "Other",
}
