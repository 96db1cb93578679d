"""The worker loop: run each registered job when it is due, until asked to stop."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Iterable

from psycopg_pool import ConnectionPool

from jobs import REGISTRY, Job

log = logging.getLogger("jobs")


def run_due(pool: ConnectionPool, jobs: Iterable[Job], last_run: dict[str, float]) -> int:
    """Run every job whose interval has passed; one failing job does not stop the others."""
    handled = 0
    for job in jobs:
        now = time.monotonic()
        if now - last_run.get(job.name, float("-inf")) < job.every_seconds:
            continue
        last_run[job.name] = now
        try:
            count = job.sweep(pool)
        except Exception:
            log.exception("job %s failed; it will run again at its next interval", job.name)
            continue
        if count:
            log.info("job %s handled %d item(s)", job.name, count)
        handled += count
    return handled


def run(pool: ConnectionPool, *, once: bool = False, tick: float = 1.0) -> None:
    """Sweep until SIGTERM/SIGINT (or a single pass with `once`)."""
    stop = threading.Event()
    if not once:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    last_run: dict[str, float] = {}
    if not REGISTRY:
        log.info("no jobs are registered yet")
    while True:
        run_due(pool, REGISTRY.values(), last_run)
        if once or stop.wait(tick):
            return
