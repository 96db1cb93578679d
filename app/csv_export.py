"""CSV files the office downloads: cells a spreadsheet shows as written (never run as a
formula), read a batch at a time in the request's transaction through a server-side cursor, so
the access record and the file describe the same snapshot, then sent in chunks."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import sql as psql
from werkzeug.wrappers import Response

from app import db
from app.audit.access import record_access

CHUNK_ROWS = 2000
# A cell Excel would run as a formula (CSV injection); phone numbers and numbers stay as they are.
_FORMULA = re.compile(r"^[=@\t\r]|^[+-](?![0-9 ().-]*$)")


@dataclass(frozen=True)
class Export:
    table: str
    query: str | psql.Composed
    header: tuple[str, ...]


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


def from_cell(text: str) -> str:
    """A cell of a file `cell` wrote, as it was before: the apostrophe put before a value a
    spreadsheet would run as a formula is taken off (as the spreadsheet does when showing it),
    so an exported file imported again reads the same values."""
    return text[1:] if text.startswith("'") and _FORMULA.match(text[1:]) else text


def csv_text(rows: list[tuple[str, ...]] | list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


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
