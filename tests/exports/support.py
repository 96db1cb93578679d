"""What the export tests share: a files folder of their own, the app using it, the worker's
keys, running the export job, and reading a zip."""

from __future__ import annotations

import zipfile
from typing import Any
from uuid import UUID

from psycopg_pool import ConnectionPool

from app import crypto
from app.db import Connection
from app.integrations.files import FileStore
from jobs import company_export


def run_exports(
    pool: ConnectionPool, store: FileStore, keyring: crypto.Keyring, **options: Any
) -> int:
    """The worker's export job, once (as the worker runs it)."""
    return company_export.sweep(pool, store=store, keyring=keyring, **options)


def queue_export(admin: Connection, tenant_id: UUID, include_access_notes: bool = False) -> UUID:
    row = admin.execute(
        "insert into public.company_exports (tenant_id, include_access_notes)"
        " values (%s, %s) returning id",
        [tenant_id, include_access_notes],
    ).fetchone()
    assert row is not None
    return UUID(str(row["id"]))


def export_row(admin: Connection, export_id: UUID) -> dict[str, Any]:
    row = admin.execute(
        "select * from public.company_exports where id = %s", [export_id]
    ).fetchone()
    assert row is not None
    return dict(row)


def opened_zip(store: FileStore, admin: Connection, export_id: UUID) -> zipfile.ZipFile:
    row = export_row(admin, export_id)
    assert row["status"] == "done", row
    return zipfile.ZipFile(store.open(row["storage_key"]))
