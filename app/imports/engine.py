"""A stored import, from its file to the company's records and back: the plan (the preview, kept
item by item so it can be paged), the run (the plan again, against the records as they are
then, applied in the caller's one transaction), and undo.

Works on an explicit connection, so the web request (previews and runs of small files) and the
import job (large ones) run the same code inside their own transaction, as the member."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg import sql as pgsql
from psycopg.types.json import Jsonb

from app import catalog, csv_export, sql
from app.db import Connection
from app.imports import reading
from app.imports.csvfile import Record
from app.imports.kinds import KINDS
from app.imports.plan import Item, Kind, LeftOut, Plan, Written

queries = sql.load(__file__)
BATCH_SIZE = 1000
# What a row's digest leaves out: columns the app's own jobs and triggers change by themselves
# (geocoding, search text, times), which are no reason to refuse an undo.
UNTRACKED = [
    "updated_at",
    "search_text",
    "latitude",
    "longitude",
    "geocode_status",
    "geocoded_at",
    "geocode_failure",
    "geocode_attempts",
    "geocode_retry_at",
    "time_zone",
]
# Undo deletes what an import created children first.
UNDO_ORDER = (
    "public.invoice_lines",
    "public.invoices",
    "public.service_history",
    "public.invoice_history",
    "public.service_agreements",
    "public.equipment",
    "public.customer_phones",
    "public.customer_emails",
    "public.customer_contacts",
    "public.properties",
    "public.customers",
)
NOUNS = {
    "public.customers": ("customer", "customers"),
    "public.properties": ("property", "properties"),
    "public.customer_contacts": ("contact person", "contact people"),
    "public.customer_phones": ("phone number", "phone numbers"),
    "public.customer_emails": ("email address", "email addresses"),
    "public.equipment": ("unit of equipment", "units of equipment"),
    "public.service_agreements": ("agreement", "agreements"),
    "public.service_history": ("history entry", "history entries"),
    "public.invoices": ("invoice", "invoices"),
    "public.invoice_history": ("old invoice", "old invoices"),
    "public.invoice_lines": ("invoice line", "invoice lines"),
}


# A sent invoice is never deleted (P-12): undone, an import's invoices (balances brought
# forward) are voided instead, keeping their numbers.
VOIDED_ON_UNDO = ("public.invoice_lines", "public.invoices")


# What the office reads when planning or running fails for a reason of ours (logged).
PREVIEW_FAILURE = (
    "Checking the file went wrong. Nothing was saved; check the columns and try again."
)
RUN_FAILURE = "Something went wrong while importing. Nothing was saved; you can try again."


class UndoRefused(Exception):
    """Undo cannot be done; the message says why (nothing was undone)."""


class ImportGone(Exception):
    """The import is not visible (another company's, or its member no longer belongs)."""


class ImportTaken(Exception):
    """Another run finished or took over this import; this run's work is rolled back."""


@dataclass(frozen=True)
class Counts:
    """What the preview and the report count."""

    total: int  # data rows of the file (title, total and footer rows included)
    valid: int  # records to write (new and updated)
    new: int
    updated: int
    unchanged: int
    merged: int  # rows folded into another row's record
    flagged: int  # records saved with something repaired or left out
    skipped: int  # rows that make no record

    def params(self) -> dict[str, int]:
        return {
            "total_rows": self.total,
            "valid_rows": self.valid,
            "new_rows": self.new,
            "updated_rows": self.updated,
            "unchanged_rows": self.unchanged,
            "merged_rows": self.merged,
            "flagged_rows": self.flagged,
            "skipped_rows": self.skipped,
        }


@dataclass
class Checked:
    kind: Kind
    sheet: reading.Sheet
    plan: Plan
    mapping: list[str]
    options: dict[str, Any]

    @property
    def left_out(self) -> list[LeftOut]:
        return sorted([*self.sheet.left_out, *self.plan.left_out], key=lambda row: row.line)

    def counts(self) -> Counts:
        actions = [item.action for item in self.plan.items]
        skipped = len(self.left_out)
        return Counts(
            total=len(self.sheet.records) + len(self.sheet.left_out),
            valid=len(actions) - actions.count("unchanged"),
            new=actions.count("new"),
            updated=actions.count("update"),
            unchanged=actions.count("unchanged"),
            merged=self.plan.merged_rows,
            flagged=sum(1 for item in self.plan.items if item.flags),
            skipped=skipped,
        )

    def problems(self) -> list[dict[str, Any]]:
        return [{"line": r.line, "reason": r.reason, "cells": r.cells} for r in self.left_out]


def kind_of(key: str) -> Kind:
    return KINDS[key]


def check(
    conn: Connection,
    tenant_id: UUID,
    import_id: UUID,
    mapping: list[str] | None = None,
    options: dict[str, Any] | None = None,
) -> Checked:
    """The plan for the stored file with this mapping and these options (the stored ones when
    not given), against the company's records as they are in this transaction."""
    source = conn.execute(
        queries.get_import_source, {"tenant_id": tenant_id, "id": import_id}
    ).fetchone()
    if source is None:
        raise ImportGone(str(import_id))
    kind = kind_of(source["kind"])
    sheet = reading.read_stored(source["source_text"], source["delimiter"], source["encoding"])
    chosen = mapping if mapping is not None else source["mapping"]
    settings = options if options is not None else source["options"]
    records = sheet.records
    if settings.get("source_system") == "plenum":  # our own export: formulas were neutralised
        records = [Record(r.line, [csv_export.from_cell(c) for c in r.cells]) for r in records]
    plan = kind.plan(conn, tenant_id, records, chosen, settings)
    return Checked(kind, sheet, plan, chosen, settings)


def _item_rows(items: list[Item], first: int) -> str:
    return json.dumps(
        [
            {
                "position": first + offset,
                "kind": item.kind,
                "action": item.action,
                "lines": item.lines,
                "label": item.label[:300],
                "data": item.data,
                "flags": [flag.as_json() for flag in item.flags],
                "target_id": str(item.target_id) if item.target_id else None,
            }
            for offset, item in enumerate(items)
        ],
        default=str,
    )


def _store_items(conn: Connection, tenant_id: UUID, import_id: UUID, items: list[Item]) -> None:
    """The plan item by item, replacing the last one: the preview pages through it."""
    params: dict[str, Any] = {"tenant_id": tenant_id, "import_id": import_id}
    conn.execute(queries.delete_items, params)
    for start in range(0, len(items), BATCH_SIZE):
        rows = _item_rows(items[start : start + BATCH_SIZE], start)
        conn.execute(queries.insert_items, params | {"rows": rows})


def save_preview(
    conn: Connection,
    tenant_id: UUID,
    import_id: UUID,
    mapping: list[str] | None = None,
    options: dict[str, Any] | None = None,
) -> bool:
    """Plan the file with this mapping and options (the stored ones when not given) and keep
    the plan; False if the import is no longer waiting for one."""
    checked = check(conn, tenant_id, import_id, mapping, options)
    row = conn.execute(
        queries.save_preview,
        {
            "tenant_id": tenant_id,
            "id": import_id,
            "mapping": Jsonb(checked.mapping),
            "options": Jsonb(checked.options),
            "problems": Jsonb(checked.problems()),
        }
        | checked.counts().params(),
    ).fetchone()
    if row is None:
        return False
    _store_items(conn, tenant_id, import_id, checked.plan.items)
    return True


def _record(conn: Connection, tenant_id: UUID, import_id: UUID, written: list[Written]) -> None:
    rows = json.dumps(
        [
            {
                "table_name": w.table,
                "row_id": str(w.row_id),
                "action": w.action,
                "before": w.before,
            }
            for w in written
        ],
        default=str,
    )
    conn.execute(
        queries.record_written, {"tenant_id": tenant_id, "import_id": import_id, "rows": rows}
    )


def _each_table(statement: str, tables: Iterable[str]) -> Iterable[tuple[str, pgsql.Composed]]:
    for table in tables:
        schema, name = table.split(".")
        yield table, pgsql.SQL(statement).format(table=pgsql.Identifier(schema, name))


def _seal(conn: Connection, tenant_id: UUID, import_id: UUID) -> None:
    """Each written row's digest as the import leaves it, and of an update's `before` only
    what the import changed (so that undo restores that and nothing else)."""
    conn.execute(queries.seal_written, {"import_id": import_id, "untracked": UNTRACKED})


def run(
    conn: Connection,
    tenant_id: UUID,
    import_id: UUID,
    attempt: int,
    progress: Callable[[int], None] = lambda _done: None,
) -> Counts:
    """Plan the file again against the records as they are now, keep that plan as the report,
    and write it, in the caller's one transaction: every record or, if anything fails, none."""
    taken = conn.execute(
        queries.still_running, {"tenant_id": tenant_id, "id": import_id, "attempt": attempt}
    ).fetchone()
    if taken is None:  # not visible: another company's, or the member no longer belongs
        raise ImportGone(str(import_id))
    if not taken["running"]:  # finished or taken over by another run meanwhile
        raise ImportTaken(str(import_id))
    checked = check(conn, tenant_id, import_id)
    _store_items(conn, tenant_id, import_id, checked.plan.items)
    to_write = [item for item in checked.plan.items if item.action != "unchanged"]
    for start in range(0, len(to_write), BATCH_SIZE):
        written = checked.kind.apply(conn, tenant_id, to_write[start : start + BATCH_SIZE])
        _record(conn, tenant_id, import_id, written)
        progress(start + min(BATCH_SIZE, len(to_write) - start))
    _seal(conn, tenant_id, import_id)
    counts = checked.counts()
    finished = conn.execute(
        queries.finish_import,
        {
            "tenant_id": tenant_id,
            "id": import_id,
            "attempt": attempt,
            "rows_done": counts.valid,
            "problems": Jsonb(checked.problems()),
        }
        | counts.params(),
    ).fetchone()
    if finished is None:
        raise ImportTaken(str(import_id))
    return counts


def record_progress(
    conn: Connection, tenant_id: UUID, import_id: UUID, attempt: int, done: int
) -> None:
    """Records written so far, from a short transaction of its own, for the progress bar."""
    conn.execute(
        queries.record_progress,
        {"tenant_id": tenant_id, "id": import_id, "attempt": attempt, "rows_done": done},
    )


def _noun(table: str, count: int) -> str:
    one, many = NOUNS.get(table, ("record", "records"))
    return f"{count} {one if count == 1 else many}"


def _touched(conn: Connection, tenant_id: UUID, import_id: UUID, tables: list[str]) -> list[str]:
    """Why the import's records cannot be undone: changed or deleted since, or referred to by
    records the import did not write (a job for an imported customer)."""
    params = {"tenant_id": tenant_id, "import_id": import_id, "untracked": UNTRACKED}
    reasons = []
    for table, statement in _each_table(queries.changed_since, tables):
        row = conn.execute(statement, params | {"table_name": table}).fetchone()
        if row and row["changed"]:
            reasons.append(f"{_noun(table, row['changed'])} changed or deleted since")
    # The company's own tables: rows of other schemas (a homeowner's portal session) are not
    # the office's to read, and go with the customer through their own cascading keys.
    public = [t for t in catalog.tenant_tables(conn) if t.startswith("public.")]
    for key in catalog.company_foreign_keys(conn, public):
        if key["target"] not in tables or "id" not in key["referenced"]:
            continue
        column = key["columns"][key["referenced"].index("id")]
        schema, name = key["source"].split(".")
        statement = pgsql.SQL(queries.referred_to_by).format(
            source=pgsql.Identifier(schema, name),
            column=pgsql.Identifier(column),
            own=pgsql.SQL("s.id" if key["source"] in NOUNS else "null::uuid"),
        )
        row = conn.execute(
            statement, params | {"table_name": key["target"], "source_name": key["source"]}
        ).fetchone()
        if row and row["referring"]:
            what = NOUNS.get(key["source"], (key["source"].split(".")[1].replace("_", " "),))[0]
            reasons.append(f"{_noun(key['target'], row['targets'])} now with a {what}")
    return reasons


def undo(conn: Connection, tenant_id: UUID, import_id: UUID) -> None:
    """Undo a finished import as a whole: delete what it created and put back what it changed,
    unless anything else has touched its records since, or this member may not delete or
    change them all (UndoRefused says why; the caller rolls back). Audited as any change."""
    found = conn.execute(
        queries.lock_for_undo, {"tenant_id": tenant_id, "id": import_id}
    ).fetchone()
    if found is None:
        raise ImportGone(str(import_id))
    if found["status"] != "done":
        raise UndoRefused("Only a finished import can be undone.")
    if not found["undoable"]:
        raise UndoRefused(
            "This import can no longer be undone: its file was cleared"
            " (imports are kept 30 days, or less when a customer in it was erased)."
        )
    params = {"tenant_id": tenant_id, "import_id": import_id}
    tables = [row["table_name"] for row in conn.execute(queries.written_tables, params)]
    reasons = _touched(conn, tenant_id, import_id, tables)
    if reasons:
        raise UndoRefused("Nothing was undone: " + "; ".join(reasons) + ".")
    ordered = [t for t in UNDO_ORDER if t in tables and t not in VOIDED_ON_UNDO]
    if "public.invoices" in tables:
        conn.execute(queries.void_created_invoices, params)
    for table, statement in _each_table(queries.delete_created, ordered):
        done = conn.execute(statement, params | {"table_name": table}).fetchone()
        if done is None or done["deleted"] != done["created"]:
            raise UndoRefused(_not_allowed(table))
    for row in conn.execute(queries.updated_records, params).fetchall():
        schema, name = row["table_name"].split(".")
        columns = list(row["before"])
        if not columns:
            continue
        statement = pgsql.SQL(queries.restore_updated).format(
            table=pgsql.Identifier(schema, name),
            columns=pgsql.SQL(", ").join(pgsql.Identifier(c) for c in columns),
        )
        restored = conn.execute(
            statement, params | {"row_id": row["row_id"], "before": Jsonb(row["before"])}
        ).fetchone()
        if restored is None:
            raise UndoRefused(_not_allowed(row["table_name"]))
    conn.execute(queries.mark_undone, params)


def _not_allowed(table: str) -> str:
    what = NOUNS.get(table, ("record", "records"))[1]
    return (
        f"Nothing was undone: you may not remove or change all of the {what} this import"
        " wrote (customers are removed by owners and admins): ask one of them to undo it."
    )
