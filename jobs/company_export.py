"""P-09: a company's full export, asked for by an owner or admin on the export page.

Reading every company table crosses the schemas members cannot read (the audit log, the app's
own tables), so the export runs as the service role, every read filtered by the company's id
(app/company_export/engine.py). The claim takes the oldest waiting export, or one whose run
stopped holding it (a worker that died: its lease, `claimed_until`, ran out), with
`for update skip locked` in a short transaction of its own; the run then renews the lease with
each progress record. Every record after the claim names the attempt, so a run that was taken
over cannot overwrite the one that took it over.

The zip is written to a temporary file, a row and a chunk at a time, then stored through the
files port under `<tenant>/exports/<export>.zip`, and the export is marked done: it can be
downloaded for 7 days (then app.sweep_expired_exports, the daily retention job's, deletes it).
A failure is recorded on the export with a message for the owner and fails the job's run, so the
worker logs it and `python -m jobs --once` exits non-zero."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from psycopg import IsolationLevel
from psycopg_pool import ConnectionPool

from app import crypto
from app.company_export import engine
from app.config import Settings
from app.db import Connection, begin, service_role_transaction
from app.integrations import files
from jobs import Job, register

log = logging.getLogger("jobs.company_export")
ACTOR = "system:export"
LEASE = "15 minutes"  # renewed with every progress record
KEPT = "7 days"  # how long a finished export can be downloaded
FAILURE = "Something went wrong while preparing the export. Nothing was lost; start it again."


class ExportsFailed(Exception):
    """One or more exports of this run failed (each is marked failed with its message)."""


def claim(pool: ConnectionPool) -> dict[str, Any] | None:
    with service_role_transaction(pool, ACTOR) as conn:
        return conn.execute(engine.queries.claim, {"lease": LEASE}).fetchone()


def _record(pool: ConnectionPool, statement: str, job: dict[str, Any], **values: Any) -> bool:
    with service_role_transaction(pool, ACTOR) as conn:
        params = {"tenant_id": job["tenant_id"], "id": job["id"], "attempt": job["attempts"]}
        return conn.execute(statement, params | values).rowcount == 1


@contextmanager
def snapshot(pool: ConnectionPool) -> Iterator[Connection]:
    """A service-role transaction that reads the company as it was when it began (repeatable
    read): the tables of one export agree with each other, however long it runs."""
    with pool.connection() as raw:
        conn = cast(Connection, raw)
        conn.isolation_level = IsolationLevel.REPEATABLE_READ
        try:
            with conn.transaction():
                begin(conn, {"role": "service_role", "actor": ACTOR})
                yield conn
        finally:
            conn.isolation_level = None


class Taken(Exception):
    """Another run holds the export now (this one lost its lease)."""


def process(
    pool: ConnectionPool,
    job: dict[str, Any],
    store: files.FileStore,
    keyring: crypto.Keyring | None,
    cursor_rows: int,
) -> None:
    """Write, store and finish one claimed export; ExportFailed or another exception when it
    could not be (recorded by the caller)."""

    def report(progress: engine.Progress) -> None:
        if not _record(pool, engine.queries.progress, job, lease=LEASE, **progress.__dict__):
            raise Taken(str(job["id"]))

    key = files.export_key(job["tenant_id"], job["id"])
    with tempfile.TemporaryFile(prefix="plenum-export-") as out:
        with snapshot(pool) as conn:
            engine.write(
                out,
                conn,
                job["tenant_id"],
                include_access_notes=job["include_access_notes"],
                store=store,
                keyring=keyring,
                report=report,
                cursor_rows=cursor_rows,
            )
        size = out.seek(0, os.SEEK_END)
        out.seek(0)
        store.put_file(key, out, "application/zip")
    if not _record(pool, engine.queries.finish, job, storage_key=key, byte_size=size, kept=KEPT):
        # Taken over, or its company purged meanwhile: no zip may outlive its row.
        store.delete(key)
        raise Taken(str(job["id"]))


def sweep(
    pool: ConnectionPool,
    store: files.FileStore | None = None,
    keyring: crypto.Keyring | None = None,
    cursor_rows: int = engine.CURSOR_ROWS,
) -> int:
    """Export every waiting export, one at a time; returns how many were handled. Raises
    ExportsFailed after the queue is done when any failed."""
    if store is None or keyring is None:  # the worker's: its files folder and keys
        settings = Settings.from_env()
        store = store or files.for_settings(settings)
        keyring = keyring or crypto.keyring_of(settings)
    handled, failed = 0, 0
    while (job := claim(pool)) is not None:
        handled += 1
        try:
            process(pool, job, store, keyring, cursor_rows)
        except Taken:
            log.info("export %s is being finished by another run", job["id"])
        except engine.ExportFailed as refused:
            log.error("export %s failed: %s", job["id"], refused.message)
            _record(pool, engine.queries.fail, job, error=refused.message)
            failed += 1
        except Exception:
            log.exception("export %s failed", job["id"])
            _record(pool, engine.queries.fail, job, error=FAILURE)
            failed += 1
    if failed:
        raise ExportsFailed(f"{failed} export(s) failed; each says why on the export page")
    return handled


JOB = register(Job("company_export", every_seconds=5, sweep=sweep))
