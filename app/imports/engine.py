"""Checking a stored import against the company's customers and creating its rows.

Works on an explicit connection, so the web request (the preview, small imports) and the import
job (large ones) run the same code inside their own transaction."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from app import sql
from app.db import Connection
from app.imports import csvfile, rows

queries = sql.load(__file__)
BATCH_SIZE = 1000


class ImportGone(Exception):
    """The import is not visible (another company's, or its member no longer belongs)."""


class ImportTaken(Exception):
    """Another run finished or took over this import; this run's work is rolled back."""


@dataclass(frozen=True)
class Report:
    valid_rows: int
    skipped_rows: int
    problems: list[dict[str, Any]]


def _existing(
    conn: Connection, tenant_id: UUID, checked: rows.Checked
) -> dict[tuple[str, str], str]:
    emails = [c.customer["email"] for c in checked.valid if c.customer["email"]]
    phones = [c.customer["phone"] for c in checked.valid if c.customer["phone"]]
    if not emails and not phones:
        return {}
    found: dict[tuple[str, str], str] = {}
    params = {"tenant_id": tenant_id, "emails": emails, "phones": phones}
    for row in conn.execute(queries.existing_contacts, params):
        for kind in ("email", "phone"):
            if row[kind]:
                found.setdefault((kind, row[kind]), row["display_name"])
    return found


def check(
    conn: Connection, tenant_id: UUID, import_id: UUID, mapping: list[str] | None = None
) -> rows.Checked:
    """Every row of the stored file, checked on its own, within the file and against the
    company's customers (as they are in this transaction)."""
    source = conn.execute(
        queries.get_import_source, {"tenant_id": tenant_id, "id": import_id}
    ).fetchone()
    if source is None:
        raise ImportGone(str(import_id))
    _, records = csvfile.read(source["source_text"], source["delimiter"])
    checked = rows.check(records, mapping if mapping is not None else source["mapping"])
    return rows.without_existing(checked, _existing(conn, tenant_id, checked))


def report(checked: rows.Checked) -> Report:
    problems = [{"line": p.line, "reason": p.reason} for p in checked.problems]
    return Report(len(checked.valid), len(checked.problems), problems)


def save_preview(conn: Connection, tenant_id: UUID, import_id: UUID, mapping: list[str]) -> bool:
    """Check the file with this mapping and keep the report; False if no longer editable."""
    result = report(check(conn, tenant_id, import_id, mapping))
    row = conn.execute(
        queries.save_preview,
        {
            "tenant_id": tenant_id,
            "id": import_id,
            "mapping": Jsonb(mapping),
            "valid_rows": result.valid_rows,
            "skipped_rows": result.skipped_rows,
            "problems": Jsonb(result.problems),
        },
    ).fetchone()
    return row is not None


def run(
    conn: Connection,
    tenant_id: UUID,
    import_id: UUID,
    attempt: int,
    progress: Callable[[int], None] = lambda _done: None,
) -> Report:
    """Create a customer (and property, when the row has an address) for every valid row, in
    the caller's one transaction: every valid row or, if anything fails, none."""
    checked = check(conn, tenant_id, import_id)
    for start in range(0, len(checked.valid), BATCH_SIZE):
        batch = checked.valid[start : start + BATCH_SIZE]
        conn.execute(
            queries.insert_customers,
            {"tenant_id": tenant_id, "rows": json.dumps([c.customer for c in batch])},
        )
        places = [c.property for c in batch if c.property is not None]
        if places:
            conn.execute(
                queries.insert_properties, {"tenant_id": tenant_id, "rows": json.dumps(places)}
            )
        progress(start + len(batch))
    result = report(checked)
    finished = conn.execute(
        queries.finish_import,
        {
            "tenant_id": tenant_id,
            "id": import_id,
            "attempt": attempt,
            "valid_rows": result.valid_rows,
            "skipped_rows": result.skipped_rows,
            "rows_done": result.valid_rows,
            "problems": Jsonb(result.problems),
        },
    ).fetchone()
    if finished is None:
        raise ImportTaken(str(import_id))
    return result


def record_progress(
    conn: Connection, tenant_id: UUID, import_id: UUID, attempt: int, done: int
) -> None:
    """Rows created so far, from a short transaction of its own, for the progress bar."""
    conn.execute(
        queries.record_progress,
        {"tenant_id": tenant_id, "id": import_id, "attempt": attempt, "rows_done": done},
    )
