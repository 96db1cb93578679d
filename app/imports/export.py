"""CSV exports of the company's customers, properties and equipment (each one a recorded read,
made by app/csv_export.py)."""

from __future__ import annotations

from uuid import UUID

from app import sql
from app.csv_export import Export, build_rows

queries = sql.load(__file__)


EXPORTS = {
    "customers": Export(
        "public.customers",
        queries.export_customers,
        (
            "First name",
            "Last name",
            "Company",
            "Type",
            "Email",
            "Phone",
            "Tags",
            "Lead source",
            "Notes",
            "Preferred contact",
            "Transactional messages",
            "Marketing consent",
            "Marketing consent at",
            "Do not contact",
            "Restrict processing",
            "Created at",
            "ID",
        ),
    ),
    "properties": Export(
        "public.properties",
        queries.export_properties,
        (
            "Customer",
            "Label",
            "Street",
            "Unit",
            "City",
            "State",
            "Postal code",
            "Country",
            "Property type",
            "Square feet",
            "Year built",
            "Notes",
            "Latitude",
            "Longitude",
            "Geocoding",
            "Created at",
            "ID",
            "Customer ID",
        ),
    ),
    "equipment": Export(
        "public.equipment",
        queries.export_equipment,
        (
            "Customer",
            "Street",
            "City",
            "Type",
            "Brand",
            "Model",
            "Serial",
            "Installed on",
            "Warranty ends on",
            "SEER2",
            "AFUE",
            "HSPF2",
            "Refrigerant",
            "Filter size",
            "Notes",
            "Created at",
            "ID",
            "Property ID",
        ),
    ),
}


def build(kind: str, tenant_id: UUID) -> list[str]:
    """The whole file as chunks (a BOM first, so Excel reads UTF-8), after recording the read."""
    export = EXPORTS[kind]
    return build_rows(export, {"tenant_id": tenant_id}, f"export_{kind}")
