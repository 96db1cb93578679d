"""Imports as the office sees them: upload, mapping and preview, confirm, undo, cancel."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from app import csv_export, db, sql
from app.auth.identity import claims_for
from app.imports import engine, fields, reading, sources
from app.imports.kinds import KINDS

queries = sql.load(__file__)
log = logging.getLogger("app.imports")

# Small files are planned and imported inside the request: they take well under a second, and
# they then work in development without a worker running. Larger ones go to the import job.
INLINE_MAX_ROWS = 500
INLINE_PREVIEW_MAX_ROWS = 5_000
ACTOR = "system:import"
SAMPLE_ROWS = 50  # the mapping page shows a column's first values from these rows


def upload(tenant_id: UUID, kind: str, file_name: str, data: bytes) -> UUID:
    """Store a readable file with the mapping of its recognised source (or a guessed one);
    returns its id. Raises reading.UnreadableFile with the reason otherwise."""
    stored = reading.read_upload(data, file_name)
    sheet = reading.read_stored(stored.text, stored.delimiter, stored.encoding)
    target = KINDS[kind]
    preset = sources.detect(sheet.headers)
    if preset is not None and preset.kind == kind:
        mapping = sources.mapping_for(preset, sheet.headers)
        source, system = preset.key, preset.source_system
    else:
        mapping = fields.guess_mapping(sheet.headers, target.targets, target.synonyms)
        source, system = "", "file"
    options = {
        "source_system": system,
        "file_notes": stored.notes,
        "samples": _samples(len(sheet.headers), sheet.records[:SAMPLE_ROWS]),
    }
    row = db.write(
        queries.create_import,
        {
            "tenant_id": tenant_id,
            "kind": kind,
            "file_name": file_name.replace("\x00", "")[:255] or "import.csv",
            "source_text": stored.text,
            "encoding": stored.encoding,
            "delimiter": stored.delimiter,
            "headers": Jsonb(sheet.headers),
            "mapping": Jsonb(mapping),
            "source": source,
            "options": Jsonb(options),
            "total_rows": len(sheet.records) + len(sheet.left_out),
        },
    )[0]
    return UUID(str(row["id"]))


def _samples(columns: int, records: list[Any]) -> list[list[str]]:
    """Up to three values of each column, to show beside it on the mapping page."""
    found: list[list[str]] = [[] for _ in range(columns)]
    for record in records:
        for index, cell in enumerate(record.cells[:columns]):
            if cell and len(found[index]) < 3:
                found[index].append(cell.replace("\n", " / ")[:60])
    return found


def recent(tenant_id: UUID) -> list[dict[str, Any]]:
    return db.query(queries.list_recent_imports, {"tenant_id": tenant_id})


def get(tenant_id: UUID, import_id: UUID) -> dict[str, Any] | None:
    return db.one(queries.get_import, {"tenant_id": tenant_id, "id": import_id})


def preview(
    tenant_id: UUID, found: dict[str, Any], mapping: list[str], options: dict[str, Any]
) -> bool:
    """Plan every row with this mapping (now for a small file, by the import job for a large
    one); False when the import is past its preview."""
    params = {"tenant_id": tenant_id, "id": found["id"]}
    if found["total_rows"] > INLINE_PREVIEW_MAX_ROWS:
        settings = {"mapping": Jsonb(mapping), "options": Jsonb(options)}
        return bool(db.write(queries.queue_preview, params | settings))
    try:
        with db.atomic():
            return engine.save_preview(db.connection(), tenant_id, found["id"], mapping, options)
    except Exception:  # a fault of ours: said on the mapping page, logged, nothing kept
        log.exception("preview of import %s failed", found["id"])
        db.write(queries.preview_failed, params | {"failure": engine.PREVIEW_FAILURE})
        return True


def confirm(account_id: UUID, tenant_id: UUID, import_id: UUID, valid_rows: int) -> bool:
    """Import now when small (as the import actor, in this request), else queue it for the
    job; False when the import is not waiting for confirmation."""
    params = {"tenant_id": tenant_id, "id": import_id}
    if valid_rows > INLINE_MAX_ROWS:
        return bool(db.write(queries.queue_import, params))
    started = db.write(queries.start_import_inline, params)
    if not started:
        return False
    db.set_claims(claims_for(account_id, tenant_id) | {"actor": ACTOR})
    try:
        with db.atomic():
            engine.run(db.connection(), tenant_id, import_id, started[0]["attempts"])
    except Exception:  # a fault of ours, as the import job says it: nothing was saved
        log.exception("import %s failed", import_id)
        db.write(queries.run_failed, params | {"failure": engine.RUN_FAILURE})
    return True


def undo(account_id: UUID, tenant_id: UUID, import_id: UUID) -> str | None:
    """Undo a finished import, audited under the member and the import actor; the reason
    when it cannot be (then nothing changed)."""
    db.set_claims(claims_for(account_id, tenant_id) | {"actor": ACTOR})
    try:
        with db.atomic():
            engine.undo(db.connection(), tenant_id, import_id)
    except engine.UndoRefused as refused:
        return str(refused)
    return None


def cancel(tenant_id: UUID, import_id: UUID) -> bool:
    return bool(db.write(queries.cancel_import, {"tenant_id": tenant_id, "id": import_id}))


def items_page(
    tenant_id: UUID, import_id: UUID, number: int, flagged: bool, action: str
) -> tuple[sql.Page, int]:
    """One page of the plan, in the file's order, and how many items the filter keeps."""
    params = {
        "tenant_id": tenant_id,
        "import_id": import_id,
        "flagged": flagged,
        "action": action,
    }
    rows, counted = db.query_together(
        (queries.page_items, params | sql.paging(number)), (queries.count_items, params)
    )
    return sql.page_of(rows, number), int(counted[0]["n"])


def flagged_items(tenant_id: UUID, import_id: UUID) -> list[dict[str, Any]]:
    return db.query(queries.flagged_items, {"tenant_id": tenant_id, "import_id": import_id})


def rows_to_check(tenant_id: UUID, found: dict[str, Any]) -> list[list[str]]:
    """The rows left out and those saved with flags, each as the file had it, with its line
    and the reason: a file to fix and upload again."""
    headers = list(found["headers"])
    rows: dict[int, list[str]] = {
        problem["line"]: [*problem.get("cells", []), str(problem["line"]), problem["reason"]]
        for problem in found["problems"]
    }
    flagged = flagged_items(tenant_id, found["id"])
    if flagged:
        source = db.one(queries.get_import_source, {"tenant_id": tenant_id, "id": found["id"]})
        cells = {}
        if source is not None and source["source_text"]:
            sheet = reading.read_stored(
                source["source_text"], source["delimiter"], source["encoding"]
            )
            cells = {record.line: record.cells for record in sheet.records}
        for item in flagged:
            reason = " ".join(flag["note"] for flag in item["flags"])
            for line in item["lines"]:
                rows.setdefault(line, [*cells.get(line, []), str(line), reason])
    width = len(headers)
    body = [
        [*cells[:-2][:width], *[""] * (width - len(cells[:-2][:width])), *cells[-2:]]
        for _, cells in sorted(rows.items())
    ]
    # the file's own cells go back to a spreadsheet: neutralised as every export's are
    return [[csv_export.cell(c) for c in row] for row in [[*headers, "Line", "Reason"], *body]]
