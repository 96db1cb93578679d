"""CSV exports of the company's customers, properties and equipment (each one a recorded read).

The rows are read in the request's transaction (through a server-side cursor, a batch at a
time), so the access record and the file describe the same snapshot and a refused read saves
nothing; the response then sends the file in chunks."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import sql as psql
from werkzeug.wrappers import Response

from app import db, sql
from app.audit.access import record_access

queries = sql.load(__file__)
CHUNK_ROWS = 2000
# A cell Excel would run as a formula (CSV injection); phone numbers and numbers stay as they are.
_FORMULA = re.compile(r"^[=@\t\r]|^[+-](?![0-9 ().-]*$)")


@dataclass(frozen=True)
class Export:
    table: str
    query: str | psql.Composed
    header: tuple[str, ...]


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


def cell(value: Any) -> str:
    """A value as text a spreadsheet shows as written."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    text = str(value)
    return "'" + text if _FORMULA.match(text) else text


def csv_text(rows: list[tuple[str, ...]] | list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def build(kind: str, tenant_id: UUID) -> list[str]:
    """The whole file as chunks (a BOM first, so Excel reads UTF-8), after recording the read."""
    export = EXPORTS[kind]
    return build_rows(export, {"tenant_id": tenant_id}, f"export_{kind}")


def build_rows(
    export: Export,
    params: dict[str, Any],
    cursor_name: str,
    convert: Callable[[dict[str, Any]], Iterable[Any]] = dict.values,
) -> list[str]:
    """Any export's file as chunks: its query's rows (each made cells by `convert`) under its
    header, read a batch at a time; the read is recorded with the number of rows."""
    chunks = ["\ufeff" + csv_text([export.header])]
    count = 0
    with db.connection().cursor(name=cursor_name) as cursor:
        cursor.itersize = CHUNK_ROWS
        cursor.execute(export.query, params)
        while batch := cursor.fetchmany(CHUNK_ROWS):
            chunks.append(csv_text([[cell(v) for v in convert(row)] for row in batch]))
            count += len(batch)
    record_access(export.table, "export", rows=count, format="csv")
    return chunks


def stream(chunks: list[str]) -> Iterator[str]:
    yield from chunks


def csv_response(chunks: list[str], filename: str) -> Response:
    """A CSV download, sent in chunks and never cached."""
    return Response(
        stream(chunks),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
