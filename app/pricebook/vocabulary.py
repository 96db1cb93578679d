"""The price book's words: kinds of items, units, and the list's states."""

from __future__ import annotations

KINDS: dict[str, str] = {
    "service": "Service",
    "material": "Material",
    "labour": "Labour",
    "package": "Package",
}
UNITS: dict[str, str] = {
    "each": "each",
    "hour": "hour",
    "job": "job",
    "foot": "foot",
    "pound": "pound",
    "gallon": "gallon",
    "ton": "ton",
}
STATUSES: dict[str, str] = {"active": "Active", "archived": "Archived", "all": "All"}
