"""CSV exports of the company's customers, their contact people, properties and equipment
(each one a recorded read, made by app/csv_export.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from app import phones, sql
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
            "Phone type",
            "Phone extension",
            "Other phones",
            "Other emails",
            "Billing address",
            "Do not service",
            "Source system",
            "Source ID",
        ),
    ),
    "contacts": Export(
        "public.customer_contacts",
        queries.export_contacts,
        (
            "Customer",
            "Customer ID",
            "Name",
            "Title",
            "Email",
            "Phone",
            "Phone type",
            "Phone extension",
            "Other phones",
            "Other emails",
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


def other_phones(numbers: list[list[str]] | None) -> str:
    """`[["home", "+12175550142", ""], ["work", "+12175550143", "12"]]` →
    `home: (217) 555-0142; work: (217) 555-0143 x12` (what the customer import reads back)."""
    return "; ".join(
        f"{kind}: {phones.readable(number)}" + (f" x{extension}" if extension else "")
        for kind, number, extension in numbers or []
    )


def _worded(row: dict[str, Any]) -> Iterable[Any]:
    if "other_phones" in row:
        row["other_phones"] = other_phones(row["other_phones"])
    return row.values()


def build(kind: str, tenant_id: UUID) -> list[str]:
    """The whole file as chunks (a BOM first, so Excel reads UTF-8), after recording the read."""
    export = EXPORTS[kind]
    return build_rows(export, {"tenant_id": tenant_id}, f"export_{kind}", _worded)
