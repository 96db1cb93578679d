"""Confirmed customer imports too large for the web request (app.imports.service).

Finding waiting imports crosses companies, so the claim (and marking a run that cannot act as
its member failed) uses the service role; the import itself runs as `authenticated` with the
claims of the member who started it and the actor `system:import`, so row-level security
applies and the audit log names both. All valid rows are created in one transaction, or none;
progress is recorded from short transactions of its own so the import page can show it."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from psycopg_pool import ConnectionPool

from app.auth.identity import claims_for
from app.db import service_role_transaction, transaction
from app.imports import engine
from jobs import Job, register

log = logging.getLogger("jobs.customer_import")
ACTOR = "system:import"
# A run whose heartbeat is older than this is taken to have died (its transaction rolled back).
STALLED_AFTER = "10 minutes"
FAILURE = engine.RUN_FAILURE
GONE = "The member who confirmed this import no longer has access to the company."

CLAIM = """
update public.customer_imports i
   set status = 'running', started_at = now(), heartbeat_at = now(),
       attempts = i.attempts + 1, rows_done = 0, updated_at = now()
  from (select tenant_id, id from public.customer_imports ci
         where (status = 'queued'
                or (status = 'running' and heartbeat_at < now() - %(stalled)s::interval))
           -- a closed company's import waits: it is read-only (P-11), and may be reopened
           and exists (select from public.tenants t
                        where t.id = ci.tenant_id and t.status = 'active')
         order by queued_at
         limit 1
         for update skip locked) due
 where i.tenant_id = due.tenant_id and i.id = due.id
returning i.tenant_id, i.id, i.confirmed_by, i.attempts
"""

FAIL = """
update public.customer_imports
   set status = 'failed', failure = %(failure)s, finished_at = now(), updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status = 'running' and attempts = %(attempt)s
"""


def claim(pool: ConnectionPool) -> dict[str, Any] | None:
    """Take the oldest waiting import of any company, in a short transaction of its own."""
    with service_role_transaction(pool) as conn:
        return conn.execute(CLAIM, {"stalled": STALLED_AFTER}).fetchone()


def fail(pool: ConnectionPool, job: dict[str, Any], failure: str) -> None:
    with service_role_transaction(pool) as conn:
        conn.execute(
            FAIL,
            {
                "tenant_id": job["tenant_id"],
                "id": job["id"],
                "attempt": job["attempts"],
                "failure": failure,
            },
        )


def process(pool: ConnectionPool, job: dict[str, Any]) -> None:
    """Run one claimed import as its member; a failure leaves nothing behind but the reason."""
    tenant_id: UUID = job["tenant_id"]
    claims = claims_for(job["confirmed_by"], tenant_id) | {"actor": ACTOR}

    def progress(done: int) -> None:
        with transaction(pool, claims) as conn:
            engine.record_progress(conn, tenant_id, job["id"], job["attempts"], done)

    try:
        if job["confirmed_by"] is None:
            raise engine.ImportGone(str(job["id"]))
        with transaction(pool, claims) as conn:
            engine.run(conn, tenant_id, job["id"], job["attempts"], progress)
    except engine.ImportTaken:
        log.info("import %s was finished by another run", job["id"])
    except engine.ImportGone:
        fail(pool, job, GONE)
    except Exception:
        log.exception("import %s failed", job["id"])
        fail(pool, job, FAILURE)


# Previews of large files waiting to be planned: found across companies by the service role,
# then taken (row lock, skip locked) and planned in one transaction as the member who uploaded.
WAITING_PREVIEWS = """
select i.tenant_id, i.id, i.created_by
from public.customer_imports i
where i.status = 'checking'
  and exists (select from public.tenants t where t.id = i.tenant_id and t.status = 'active')
order by i.updated_at
limit 20
"""
# Counted in a transaction of its own before planning, so that a file that kills its worker
# is given up on after PREVIEW_ATTEMPTS tries instead of holding the queue forever.
COUNT_PREVIEW_ATTEMPT = """
update public.customer_imports i
   set attempts = i.attempts + 1
  from (select x.tenant_id, x.id from public.customer_imports x
         where x.tenant_id = %(tenant_id)s and x.id = %(id)s and x.status = 'checking'
         for update skip locked) due
 where i.tenant_id = due.tenant_id and i.id = due.id
returning i.attempts
"""
TAKE_PREVIEW = """
select id from public.customer_imports
where tenant_id = %(tenant_id)s and id = %(id)s and status = 'checking'
for update skip locked
"""
PREVIEW_FAILED = """
update public.customer_imports
   set status = 'uploaded', failure = %(failure)s, updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status = 'checking'
"""
UPLOADER_GONE = "The member who uploaded this file no longer has access to the company."
PREVIEW_FAILURE = engine.PREVIEW_FAILURE
# A file whose preview has failed (or killed its worker) this often is given up on.
PREVIEW_ATTEMPTS = 3


def check_previews(pool: ConnectionPool) -> int:
    """Plan every large file waiting for its preview; returns how many were planned."""
    with service_role_transaction(pool) as conn:
        waiting = conn.execute(WAITING_PREVIEWS).fetchall()
    planned = 0
    for job in waiting:
        params = {"tenant_id": job["tenant_id"], "id": job["id"]}
        try:
            if job["created_by"] is None:
                raise engine.ImportGone(str(job["id"]))
            with service_role_transaction(pool) as conn:
                counted = conn.execute(COUNT_PREVIEW_ATTEMPT, params).fetchone()
            if counted is None:
                continue  # another worker has it
            if counted["attempts"] > PREVIEW_ATTEMPTS:
                raise RuntimeError(f"preview of import {job['id']} tried too often")
            claims = claims_for(job["created_by"], job["tenant_id"]) | {"actor": ACTOR}
            with transaction(pool, claims) as conn:
                if conn.execute(TAKE_PREVIEW, params).fetchone() is None:
                    continue
                planned += engine.save_preview(conn, job["tenant_id"], job["id"])
        except engine.ImportGone:
            with service_role_transaction(pool) as conn:
                conn.execute(PREVIEW_FAILED, params | {"failure": UPLOADER_GONE})
        except Exception:
            log.exception("preview of import %s failed", job["id"])
            with service_role_transaction(pool) as conn:
                conn.execute(PREVIEW_FAILED, params | {"failure": PREVIEW_FAILURE})
    return planned


def sweep(pool: ConnectionPool) -> int:
    """Plan waiting previews, then process waiting imports one at a time until none is left;
    returns how many of both."""
    handled = check_previews(pool)
    while (job := claim(pool)) is not None:
        process(pool, job)
        handled += 1
    return handled


JOB = register(Job("customer_import", every_seconds=2, sweep=sweep))
