"""P-11, P-13: a closed company's data is purged once its 30 days are over (purge_after, by the
database clock), and a signed deletion certificate is left for its former owners.

The purge of one company starts in one transaction: the company becomes 'purging' (read-only to
all but this job), its owners' addresses are noted and its plan is made from the catalog
(jobs/purge_plan.py) with every table's rows counted. Then it goes batch by batch, each a short
transaction that renews the worker's lease on the purge, deletes (or anonymises) at most `batch`
rows of the current table and records the count: a worker killed at any point loses at most
its batch's transaction, and another worker takes the purge up where it stopped once the lease
lapses. Then the company's files go from the file store. The finish is one transaction: the
audit log's keys of the company destroyed, the company's details blanked, the certificate signed,
stored and emailed, and the company 'purged' (the one audit entry of the purge).

One of the few cross-company jobs, hence the service role; the deletions pass the company's
read-only guard and are not audited row by row (app.purging)."""

from __future__ import annotations

import logging
import uuid
from typing import Any
from uuid import UUID

from psycopg_pool import ConnectionPool

from app.config import Settings
from app.db import Connection, service_role_transaction
from app.integrations import files
from jobs import Job, register
from jobs.purge_finish import finish
from jobs.purge_plan import (
    ACTOR,
    LEASE,
    NO_ID,
    Plan,
    anonymise_batch,
    count,
    delete_batch,
    hold,
    plan,
    queries,
    remaining,
)

log = logging.getLogger("jobs.purge")
BATCH = 5000
FILES_BATCH = 500


def start_due(pool: ConnectionPool) -> int:
    """Begin the purge of every company closed long enough; how many began."""
    started = 0
    with service_role_transaction(pool, ACTOR) as conn:
        for company in conn.execute(queries.due_companies, {"batch": 100}).fetchall():
            purge = conn.execute(queries.start_purge, {"company": company["id"]}).fetchone()
            if purge is None:
                continue
            _add_steps(conn, purge["id"], company["id"])
            started += 1
    return started


def _add_steps(conn: Connection, purge: UUID, company: UUID) -> None:
    """The plan's steps, each with the company's rows of its table counted (the audit log's by
    audit.kept_rows, which counts without reading)."""
    audit = {
        r["table_name"]: r["kept"] for r in conn.execute(queries.kept_rows, {"company": company})
    }
    for position, (table, on_purge) in enumerate(plan(conn).steps):
        if table in audit:
            found = audit[table]
        else:
            row = conn.execute(count(table), {"company": company}).fetchone()
            found = row["n"] if row else 0
        conn.execute(
            queries.add_step,
            {"purge": purge, "position": position, "table": table, "on_purge": on_purge,
             "found": found},
        )  # fmt: skip


def _claim(pool: ConnectionPool, worker: UUID) -> tuple[UUID, UUID] | None:
    with service_role_transaction(pool, ACTOR) as conn:
        row = conn.execute(queries.claim_purge, {"worker": worker, "lease": LEASE}).fetchone()
    return (row["id"], row["company_id"]) if row else None


class Stuck(RuntimeError):
    """A batch deleted nothing while rows were left: the purge stops (the worker logs it and
    tries again after its backoff) instead of spinning."""


def _batch(
    conn: Connection, purge: UUID, company: UUID, step: dict[str, Any], work: Plan, size: int
) -> None:
    """One batch of the current step, and its count, in the caller's transaction."""
    table = step["table_name"]
    params = {"company": company, "batch": size, "after": step["after_id"] or NO_ID}
    deleted = anonymised = 0
    after = None
    if step["on_purge"] == "delete":
        deleted = conn.execute(delete_batch(table, work.keys), params).rowcount
        done = not conn.execute(remaining(table), params).fetchone()["left"]  # type: ignore[index]
        if not deleted and not done:  # locked or refused: fail now, resume after the backoff
            raise Stuck(f"{table}: rows are left that a batch could not delete")
    else:
        ids = [r["id"] for r in conn.execute(anonymise_batch(conn, table, work), params)]
        anonymised, after = len(ids), (max(ids) if ids else None)
        done = len(ids) < size
    conn.execute(
        queries.record_batch,
        {"purge": purge, "position": step["position"], "deleted": deleted,
         "anonymised": anonymised, "after": after, "done": done},
    )  # fmt: skip


def _work_tables(pool: ConnectionPool, purge: UUID, worker: UUID, size: int) -> bool:
    """Every table step, a batch per transaction; False when the lease was lost."""
    work: Plan | None = None
    while True:
        with service_role_transaction(pool, ACTOR) as conn:
            held = hold(conn, purge, worker)
            if held is None:
                return False
            step = conn.execute(queries.next_step, {"purge": purge}).fetchone()
            if step is None:
                return True
            work = work or plan(conn)
            _batch(conn, purge, held["company_id"], step, work, size)


def _remove_files(
    pool: ConnectionPool, purge: UUID, company: UUID, worker: UUID, store: files.FileStore
) -> bool:
    """Every file under the company's prefix; False when the lease was lost."""
    prefix = files.check_prefix(f"{company}/")
    while True:
        with service_role_transaction(pool, ACTOR) as conn:
            held = hold(conn, purge, worker)
            if held is None:
                return False
            if held["files_done"]:
                return True
            keys = sorted(store.keys(prefix))
            if held["files_found"] is None:
                conn.execute(queries.files_found, {"purge": purge, "found": len(keys)})
            for key in keys[:FILES_BATCH]:
                store.delete(key)
            done = len(keys) <= FILES_BATCH
            conn.execute(
                queries.files_removed,
                {"purge": purge, "removed": min(len(keys), FILES_BATCH), "done": done},
            )


def sweep(
    pool: ConnectionPool,
    seed: bytes | None = None,
    store: files.FileStore | None = None,
    public_url: str | None = None,
    batch: int = BATCH,
) -> int:
    """Start the due purges and carry on every purge whose lease is free; returns how many
    purges finished."""
    if seed is None or store is None or public_url is None:  # the worker's configuration
        settings = Settings.from_env()
        seed = seed or settings.audit_signing_key
        store = store or files.for_settings(settings)
        public_url = public_url or settings.public_url
    start_due(pool)
    worker = uuid.uuid4()
    finished = 0
    while (claimed := _claim(pool, worker)) is not None:
        purge, company = claimed
        if (
            _work_tables(pool, purge, worker, batch)
            and _remove_files(pool, purge, company, worker, store)
            and finish(pool, purge, worker, seed, public_url)
        ):
            finished += 1
    return finished


JOB = register(Job("purge", every_seconds=600, sweep=sweep))
