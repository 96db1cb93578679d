"""The worker loop: run each registered job when it is due, until asked to stop.

The schedule is the database's (`app.job_schedule`), not the process's: when each job is next
due, by the database clock (`app.now()`, which tests set), and which worker runs it now. A
worker takes a due job with a lease (`leased_until`, by that clock too), renewed every third of
the lease while the job runs (a heartbeat), so two workers side by side run each job once per
period, and a worker that dies, even by SIGKILL, holds its job only until the lease runs out.

A job that raises is logged with its traceback and counted, and is due again after a backoff
that doubles with each failure in a row (BACKOFF_BASE, at most BACKOFF_CAP); a success puts it
back on its interval. While the database is away the loop logs it and waits, and carries on
when the database returns. `run` returns how many job runs failed, so `python -m jobs --once`
can exit non-zero; `--once` runs every job, due or not, that no other worker holds."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from psycopg_pool import ConnectionPool

from app import logs
from app.db import service_role_transaction
from jobs import REGISTRY, Job

log = logging.getLogger("jobs")
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
ACTOR = "system:worker"

# The registered jobs get a row (due at once) the first time a worker sees them; then the due
# ones that no live worker holds. A worker's own lease is its to take again: a run whose end it
# could not record (the database went away) is not running any more.
DUE = """
with added as (
  insert into app.job_schedule (job) select unnest(%(jobs)s::text[])
  on conflict (job) do nothing returning job
)
select job from app.job_schedule
 where job = any(%(jobs)s) and due_at <= app.now()
   and (leased_until is null or leased_until < app.now() or leased_by = %(worker)s)
union
select job from added
"""
# Two workers claiming at once: the second waits for the first's row lock, then finds the lease
# taken and claims nothing.
CLAIM = """
update app.job_schedule
   set leased_until = app.now() + %(lease)s, leased_by = %(worker)s, runs = runs + 1,
       last_started_at = app.now()
 where job = %(job)s and (due_at <= app.now() or %(any_time)s)
   and (leased_until is null or leased_until < app.now() or leased_by = %(worker)s)
returning failures
"""
RENEW = """
update app.job_schedule set leased_until = app.now() + %(lease)s
 where job = %(job)s and leased_by = %(worker)s
returning job
"""
# Only the holder records the run: a worker whose lease ran out (and was taken) changes nothing.
FINISH = """
update app.job_schedule
   set due_at = app.now() + %(wait)s, failures = %(failures)s, last_error = %(error)s,
       leased_until = null, leased_by = null, last_finished_at = app.now()
 where job = %(job)s and leased_by = %(worker)s
"""


@dataclass(frozen=True)
class Worker:
    """This process as the schedule knows it: its name and the length of its leases."""

    pool: ConnectionPool
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    lease: timedelta = timedelta(seconds=60)


@dataclass
class Pass:
    handled: int = 0
    failed: list[str] = field(default_factory=list)


def backoff(failures: int) -> timedelta:
    """The wait after the n-th failure in a row: BACKOFF_BASE·2^(n-1), at most BACKOFF_CAP."""
    return min(BACKOFF_BASE * 2 ** min(failures - 1, 32), BACKOFF_CAP)


def _execute(worker: Worker, statement: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    with service_role_transaction(worker.pool, ACTOR) as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


@contextmanager
def heartbeat(worker: Worker, job: Job) -> Iterator[None]:
    """Renew the worker's lease on `job` every third of the lease while the job runs."""
    stop = threading.Event()
    params = {"job": job.name, "worker": worker.name, "lease": worker.lease}

    def beat() -> None:
        while not stop.wait(worker.lease.total_seconds() / 3):
            try:
                renewed = _execute(worker, RENEW, params)
            except Exception:  # the database is away: the job fails or finishes meanwhile
                log.warning("could not renew the lease on job %s", job.name, exc_info=True)
                continue
            if not renewed:
                # The lease ran out and another worker took the job: both may sweep this period
                # (each job's own claims keep an item from being done twice); this run's end
                # is not recorded (FINISH is the holder's).
                log.warning("lost the lease on job %s to another worker", job.name)
                return

    thread = threading.Thread(target=beat, name=f"lease:{job.name}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def run_job(worker: Worker, job: Job, any_time: bool = False) -> int | None:
    """Claim `job` and run it (when due, or `any_time`); how many items it handled, 0 when
    another worker holds it or it is not due, None when it failed."""
    params = {"job": job.name, "worker": worker.name, "lease": worker.lease}
    claimed = _execute(worker, CLAIM, params | {"any_time": any_time})
    if not claimed:
        return 0
    try:
        with heartbeat(worker, job):
            count = job.sweep(worker.pool)
    except Exception as error:
        failures = int(claimed[0]["failures"]) + 1
        wait = backoff(failures)
        log.exception(
            "job %s failed (%d time(s) in a row): %r; next attempt in %s",
            job.name,
            failures,
            logs.describe(error),
            wait,
            extra={"job": job.name},  # a field of the JSON line, a tag of the Sentry event
        )
        _execute(
            worker,
            FINISH,
            # what the schedule keeps of the failure, masked as the logs are (no personal data)
            params | {"wait": wait, "failures": failures, "error": logs.mask(logs.describe(error))},
        )
        return None
    every = timedelta(seconds=job.every_seconds)
    _execute(worker, FINISH, params | {"wait": every, "failures": 0, "error": None})
    if count:
        log.info("job %s handled %d item(s)", job.name, count)
    return count


def run_due(worker: Worker, jobs: Iterable[Job], any_time: bool = False) -> Pass:
    """Run every job that is due (every one with `any_time`) and that no other worker holds;
    one failing job does not stop the others."""
    by_name = {job.name: job for job in jobs}
    due = {
        row["job"] for row in _execute(worker, DUE, {"jobs": list(by_name), "worker": worker.name})
    }
    result = Pass()
    for name, job in by_name.items():
        if not (any_time or name in due):
            continue
        count = run_job(worker, job, any_time)
        if count is None:
            result.failed.append(name)
        else:
            result.handled += count
    return result


def run(
    pool: ConnectionPool,
    *,
    once: bool = False,
    tick: float = 1.0,
    lease: timedelta = timedelta(seconds=60),
) -> int:
    """Sweep until SIGTERM/SIGINT (or a single pass with `once`); returns how many job runs
    failed."""
    stop = threading.Event()
    if not once:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    worker = Worker(pool, lease=lease)
    failed = 0
    if not REGISTRY:
        log.info("no jobs are registered yet")
    while True:
        try:
            failed += len(run_due(worker, REGISTRY.values(), any_time=once).failed)
        except Exception:
            log.exception("cannot reach the schedule in the database; trying again shortly")
            failed += 1
        if once or stop.wait(tick):
            return failed
