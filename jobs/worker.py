"""The worker loop: run each registered job when it is due, until asked to stop.

Jobs are due by the database clock (`app.now()`), so every worker and the tests agree on time. A
job that raises is logged with its traceback and counted, and is due again after a backoff that
doubles with each failure in a row (BACKOFF_BASE, at most BACKOFF_CAP); a success puts it back on
its interval. This state lives in the worker process: a restarted worker runs every job at once.
`run` returns how many job runs failed, so `python -m jobs --once` can exit non-zero."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from psycopg_pool import ConnectionPool

from app.db import service_role_transaction
from jobs import REGISTRY, Job

log = logging.getLogger("jobs")
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)


@dataclass
class JobState:
    """When a job is next due (None: now) and how many of its runs failed in a row."""

    due_at: datetime | None = None
    failures: int = 0


@dataclass
class Pass:
    handled: int = 0
    failed: list[str] = field(default_factory=list)


def backoff(failures: int) -> timedelta:
    """The wait after the n-th failure in a row: BACKOFF_BASE·2^(n-1), at most BACKOFF_CAP."""
    return min(BACKOFF_BASE * 2 ** min(failures - 1, 32), BACKOFF_CAP)


def run_job(pool: ConnectionPool, job: Job, state: JobState, now: datetime) -> int | None:
    """Run one due job; how many items it handled, or None when it failed."""
    try:
        count = job.sweep(pool)
    except Exception as error:
        state.failures += 1
        state.due_at = now + backoff(state.failures)
        log.exception(
            "job %s failed (%d time(s) in a row): %r; next attempt after %s",
            job.name,
            state.failures,
            error,
            state.due_at.isoformat(timespec="seconds"),
            extra={"job": job.name},  # a field of the JSON line, a tag of the Sentry event
        )
        return None
    state.failures = 0
    state.due_at = now + timedelta(seconds=job.every_seconds)
    if count:
        log.info("job %s handled %d item(s)", job.name, count)
    return count


def run_due(
    pool: ConnectionPool, jobs: Iterable[Job], states: dict[str, JobState], now: datetime
) -> Pass:
    """Run every job due at `now`; one failing job does not stop the others."""
    result = Pass()
    for job in jobs:
        state = states.setdefault(job.name, JobState())
        if state.due_at is not None and now < state.due_at:
            continue
        count = run_job(pool, job, state, now)
        if count is None:
            result.failed.append(job.name)
        else:
            result.handled += count
    return result


def database_now(pool: ConnectionPool) -> datetime:
    """The database's clock (app.now(), which tests can set)."""
    with service_role_transaction(pool) as conn:
        row = conn.execute("select app.now() as now").fetchone()
    assert row is not None
    return row["now"]


def run(pool: ConnectionPool, *, once: bool = False, tick: float = 1.0) -> int:
    """Sweep until SIGTERM/SIGINT (or a single pass with `once`); returns how many job runs
    failed."""
    stop = threading.Event()
    if not once:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    states: dict[str, JobState] = {}
    failed = 0
    if not REGISTRY:
        log.info("no jobs are registered yet")
    while True:
        try:
            now = database_now(pool)
        except Exception:
            log.exception("cannot read the database clock; no job ran")
            failed += 1
        else:
            failed += len(run_due(pool, REGISTRY.values(), states, now).failed)
        if once or stop.wait(tick):
            return failed
