"""Customer imports as the office sees them: upload, mapping and preview, confirm, cancel."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from app import db, sql
from app.auth.identity import claims_for
from app.imports import csvfile, engine, fields

queries = sql.load(__file__)

# Small files are imported inside the confirming request: they take well under a second, and
# they then work in development without a worker running. Larger ones go to the import job.
INLINE_MAX_ROWS = 500
ACTOR = "system:import"


def upload(tenant_id: UUID, file_name: str, data: bytes) -> tuple[UUID, str]:
    """Store a readable file with guessed mapping; returns its id and a note on its encoding.
    Raises csvfile.UnreadableFile with the reason otherwise."""
    decoded = csvfile.decode(data)
    delimiter = csvfile.sniff_delimiter(decoded.text)
    headers, records = csvfile.read(decoded.text, delimiter)
    row = db.write(
        queries.create_import,
        {
            "tenant_id": tenant_id,
            "file_name": file_name.replace("\x00", "")[:255] or "import.csv",
            "source_text": decoded.text,
            "encoding": decoded.encoding,
            "delimiter": delimiter,
            "headers": Jsonb(headers),
            "mapping": Jsonb(fields.guess_mapping(headers)),
            "total_rows": len(records),
        },
    )[0]
    note = ""
    if decoded.encoding == "cp1252":
        note = (
            "The file was not UTF-8, so it was read as Windows-1252 (Western European)."
            " Check that accented letters look right in the preview."
        )
    return row["id"], note


def recent(tenant_id: UUID) -> list[dict[str, Any]]:
    return db.query(queries.list_recent_imports, {"tenant_id": tenant_id})


def get(tenant_id: UUID, import_id: UUID) -> dict[str, Any] | None:
    return db.one(queries.get_import, {"tenant_id": tenant_id, "id": import_id})


def preview(tenant_id: UUID, import_id: UUID, mapping: list[str]) -> bool:
    """Check every row with this mapping; False when the import is past its preview."""
    return engine.save_preview(db.connection(), tenant_id, import_id, mapping)


def confirm(account_id: UUID, tenant_id: UUID, import_id: UUID, total_rows: int) -> bool:
    """Import now when small (as the import actor, in this request), else queue it for the
    job; False when the import is not waiting for confirmation."""
    params = {"tenant_id": tenant_id, "id": import_id}
    if total_rows > INLINE_MAX_ROWS:
        return bool(db.write(queries.queue_import, params))
    started = db.write(queries.start_import_inline, params)
    if not started:
        return False
    db.set_claims(claims_for(account_id, tenant_id) | {"actor": ACTOR})
    engine.run(db.connection(), tenant_id, import_id, started[0]["attempts"])
    return True


def cancel(tenant_id: UUID, import_id: UUID) -> bool:
    return bool(db.write(queries.cancel_import, {"tenant_id": tenant_id, "id": import_id}))
