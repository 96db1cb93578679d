"""Workers that die and workers side by side, as real `python -m jobs` processes: the schedule
(app.job_schedule) and every claim are leases by the database clock, so a worker killed with
SIGKILL mid-export leaves the export to another worker once the lease runs out, and it is done
once; two workers run each periodic job once per period. The clock is the test's (app.clock):
leases run out and periods pass when the test moves it, not after a wait."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

import jobs.__main__  # noqa: F401  (registers every job, as the worker does)
from app.db import Connection
from jobs import REGISTRY
from jobs.company_export import LEASE
from tests.clock import set_clock
from tests.conftest import TestDatabase
from tests.exports.support import export_row, queue_export
from tests.factories import Factory
from tests.processes import WORKER, running, wait_until

T0 = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
PAST_THE_EXPORT_LEASE = timedelta(minutes=16)


def environment(database: TestDatabase, files: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database.app_url,
        "WORKER_DATABASE_URL": database.worker_url,
        "PLENUM_ENV": "test",
        "FILES_DIR": str(files),
    }


def worker(env: dict[str, str]) -> AbstractContextManager[subprocess.Popen[bytes]]:
    """`python -m jobs`, its log on a pipe the test may read."""
    return running(WORKER, env, stderr=subprocess.PIPE)


def schedule(admin: Connection) -> dict[str, dict[str, object]]:
    rows = admin.execute("select job, runs, leased_by, failures from app.job_schedule").fetchall()
    return {row["job"]: row for row in rows}


def each_ran(admin: Connection, times: int) -> Callable[[], bool]:
    """Every registered job has run `times` times and none is running."""

    def check() -> bool:
        jobs = schedule(admin)
        return all(
            name in jobs and jobs[name]["runs"] == times and jobs[name]["leased_by"] is None
            for name in REGISTRY
        )

    return check


def test_an_export_whose_worker_was_killed_is_finished_by_another_once(
    admin: Connection, make: Factory, database: TestDatabase, tmp_path: Path
) -> None:
    company = make.tenant("Killed Midway")
    make.price_item(company.id)
    set_clock(admin, T0)
    export_id = queue_export(admin, company.id)
    env = environment(database, tmp_path / "files")

    # The export stops halfway, deterministically: it cannot read the price list while this
    # transaction holds it.
    with psycopg.connect(database.admin_url) as blocker, worker(env) as first:
        blocker.execute("lock table public.price_items in access exclusive mode")
        wait_until(lambda: waiting_on_a_lock(admin))
        assert export_row(admin, export_id)["status"] == "running"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    assert export_row(admin, export_id)["attempts"] == 1

    with worker(env):
        # Past the job's lease but not the export's: the new worker runs the export job, and
        # leaves the export alone.
        set_clock(admin, T0 + timedelta(minutes=2))
        wait_until(lambda: schedule(admin)["company_export"]["runs"] == 2)
        wait_until(lambda: schedule(admin)["company_export"]["leased_by"] is None)
        assert export_row(admin, export_id)["status"] == "running"
        assert export_row(admin, export_id)["attempts"] == 1
        # The export's lease has run out: it is taken over and finished.
        assert LEASE == "15 minutes"
        set_clock(admin, T0 + PAST_THE_EXPORT_LEASE)
        wait_until(lambda: export_row(admin, export_id)["status"] == "done")

    row = export_row(admin, export_id)
    assert row["attempts"] == 2
    assert [path.name for path in (tmp_path / "files").rglob("*.zip")] == [f"{export_id}.zip"]


def waiting_on_a_lock(admin: Connection) -> bool:
    row = admin.execute(
        "select count(*) as n from pg_stat_activity"
        " where usename = 'plenum_worker' and wait_event_type = 'Lock'"
    ).fetchone()
    return row is not None and row["n"] > 0


def test_two_workers_run_each_periodic_job_once_per_period(
    admin: Connection, database: TestDatabase, tmp_path: Path
) -> None:
    set_clock(admin, T0)
    env = environment(database, tmp_path / "files")
    longest = max(timedelta(seconds=job.every_seconds) for job in REGISTRY.values())
    periods = 3
    with ExitStack() as running:
        workers = [running.enter_context(worker(env)) for _ in range(2)]
        wait_until(each_ran(admin, 1))
        for period in range(1, periods):
            # Every job is due again; the clock stands still until the next period.
            set_clock(admin, T0 + period * (longest + timedelta(seconds=1)))
            wait_until(each_ran(admin, period + 1))
        assert all(process.poll() is None for process in workers)

    jobs = schedule(admin)
    assert {name: jobs[name]["runs"] for name in REGISTRY} == dict.fromkeys(REGISTRY, periods)
    assert {name: jobs[name]["failures"] for name in REGISTRY} == dict.fromkeys(REGISTRY, 0)
