"""Background work: `python -m jobs` runs a worker that sweeps for due work.

Each job is a module in this package that registers a `Job` with `register`. When a job runs is
the database's to say (`app.job_schedule`, jobs/worker.py): a worker takes a due job with a
lease, so each job runs on one worker at a time, once per period. A sweep finds due work,
claims it with `for update skip locked` in short transactions, acts, records the result and
commits, so running two workers, or running one twice, is safe. Work held across transactions
(an export, an import, a purge, messages in flight) is claimed with a lease of its own, renewed
as the work goes on, so what a dead worker held is taken up by another once the lease runs out,
and recorded so that nothing is done twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from psycopg import sql
from psycopg_pool import ConnectionPool

from app.db import service_role_transaction


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    sweep: Callable[[ConnectionPool], int]  # returns how many items it handled


REGISTRY: dict[str, Job] = {}


def register(job: Job) -> Job:
    if job.name in REGISTRY:
        raise ValueError(f"job {job.name!r} is registered twice")
    REGISTRY[job.name] = job
    return job


def in_batches(
    pool: ConnectionPool,
    actor: str,
    statement: str | sql.SQL | sql.Composed,
    params: dict[str, object],
) -> int:
    """Run `statement`, which handles at most `params["batch"]` items and answers how many in
    its first column, each time in a short service-role transaction of its own, until a run
    handles fewer than a batch; returns how many it handled in all."""
    handled = 0
    while True:
        with service_role_transaction(pool, actor) as conn:
            row = conn.execute(statement, params).fetchone()
        done = int(next(iter(row.values()))) if row else 0
        handled += done
        if done < int(str(params["batch"])):
            return handled
