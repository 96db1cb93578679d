from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from psycopg_pool import ConnectionPool

from app.db import Connection
from jobs import REGISTRY, Job
from jobs.__main__ import main
from jobs.worker import Worker, run_due
from tests.clock import set_clock
from tests.conftest import TestDatabase

START = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def explode(_pool: ConnectionPool) -> int:
    raise RuntimeError("the sweep exploded")


def schedule(admin: Connection, job: str) -> dict[str, object]:
    row = admin.execute(
        "select due_at, failures, runs, leased_by from app.job_schedule where job = %s", [job]
    ).fetchone()
    assert row is not None
    return row


def test_a_failure_is_counted_and_does_not_stop_the_other_jobs(
    admin: Connection, pool: ConnectionPool
) -> None:
    calls: list[str] = []

    def ok(_pool: ConnectionPool) -> int:
        calls.append("ok")
        return 2

    def broken(_pool: ConnectionPool) -> int:
        calls.append("broken")
        raise RuntimeError("boom")

    jobs = [Job("broken", 60, broken), Job("ok", 60, ok)]
    worker = Worker(pool, "test")
    set_clock(admin, START)
    first = run_due(worker, jobs)
    assert (first.handled, first.failed) == (2, ["broken"])
    set_clock(admin, START + timedelta(seconds=20))  # neither is due yet
    later = run_due(worker, jobs)
    assert (later.handled, later.failed) == (0, [])
    assert calls == ["broken", "ok"]
    assert schedule(admin, "broken")["failures"] == 1
    assert schedule(admin, "ok") == {
        "due_at": START + timedelta(seconds=60),
        "failures": 0,
        "runs": 1,
        "leased_by": None,
    }


def test_a_failing_job_backs_off_and_a_success_puts_it_back_on_its_interval(
    admin: Connection, pool: ConnectionPool
) -> None:
    outcomes = iter([False, False, False, True, True])

    def flaky(_pool: ConnectionPool) -> int:
        if not next(outcomes):
            raise RuntimeError("not yet")
        return 1

    jobs, worker = [Job("flaky", 10, flaky)], Worker(pool, "test")

    def attempt(at: datetime) -> str:
        set_clock(admin, at)
        result = run_due(worker, jobs)
        return "failed" if result.failed else "ran" if result.handled else "not due"

    at = START
    assert attempt(at) == "failed"  # 1st failure: due again after 30 s
    assert attempt(at + timedelta(seconds=29)) == "not due"
    at += timedelta(seconds=30)
    assert attempt(at) == "failed"  # 2nd: after 60 s
    assert attempt(at + timedelta(seconds=59)) == "not due"
    at += timedelta(seconds=60)
    assert attempt(at) == "failed"  # 3rd: after 120 s
    assert schedule(admin, "flaky")["failures"] == 3
    assert attempt(at + timedelta(seconds=119)) == "not due"
    at += timedelta(seconds=120)
    assert attempt(at) == "ran"  # back on its 10-second interval
    assert schedule(admin, "flaky")["due_at"] == at + timedelta(seconds=10)
    assert schedule(admin, "flaky")["failures"] == 0
    assert attempt(at + timedelta(seconds=10)) == "ran"


def test_the_backoff_stops_growing_at_an_hour(admin: Connection, pool: ConnectionPool) -> None:
    jobs, worker, at = [Job("explodes", 10, explode)], Worker(pool, "test"), START
    for _ in range(12):
        set_clock(admin, at)
        run_due(worker, jobs)
        at = schedule(admin, "explodes")["due_at"]  # type: ignore[assignment]
    assert schedule(admin, "explodes")["failures"] == 12
    set_clock(admin, at - timedelta(hours=1))
    assert run_due(worker, jobs).failed == []
    assert at - timedelta(hours=1) > START


def test_a_job_another_worker_holds_is_not_run_even_once(
    admin: Connection, pool: ConnectionPool
) -> None:
    """`--once` runs every job, due or not, but never one a live worker holds (its lease)."""
    calls: list[str] = []

    def counted(_pool: ConnectionPool) -> int:
        calls.append("ran")
        return 1

    jobs = [Job("counted", 3600, counted)]
    assert run_due(Worker(pool, "first"), jobs).handled == 1
    assert run_due(Worker(pool, "first"), jobs, any_time=True).handled == 1  # not due: --once
    admin.execute(
        "update app.job_schedule"
        " set leased_by = 'other', leased_until = now() + interval '1 minute'"
    )
    assert run_due(Worker(pool, "second"), jobs, any_time=True).handled == 0
    admin.execute("update app.job_schedule set leased_until = now() - interval '1 second'")
    assert run_due(Worker(pool, "second"), jobs, any_time=True).handled == 1  # the lease ran out
    assert calls == ["ran", "ran", "ran"]
    assert schedule(admin, "counted")["runs"] == 3


def test_once_exits_non_zero_and_logs_the_error_when_a_job_fails(
    database: TestDatabase, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DATABASE_URL", database.app_url)
    monkeypatch.setenv("WORKER_DATABASE_URL", database.worker_url)
    monkeypatch.setenv("PLENUM_ENV", "test")
    monkeypatch.setitem(REGISTRY, "explodes", Job("explodes", 60, explode))
    caplog.set_level(logging.INFO, logger="jobs")

    with pytest.raises(SystemExit) as exited:
        main(["--once"])

    assert exited.value.code not in (0, None)
    assert str(exited.value.code) == "1 job(s) failed; see the log above"
    failures = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert [record.getMessage().split(":")[0] for record in failures] == [
        "job explodes failed (1 time(s) in a row)"
    ]
    assert "RuntimeError('the sweep exploded')" in failures[0].getMessage()
    assert failures[0].exc_text and "the sweep exploded" in failures[0].exc_text  # traceback


def test_once_exits_zero_when_every_job_succeeds(
    database: TestDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database.app_url)
    monkeypatch.setenv("WORKER_DATABASE_URL", database.worker_url)
    monkeypatch.setenv("PLENUM_ENV", "test")
    main(["--once"])  # returns: no SystemExit


def run_the_worker_once(database: TestDatabase) -> subprocess.CompletedProcess[str]:
    """`python -m jobs --once` against the database, as its own process."""
    env = {
        **os.environ,
        "DATABASE_URL": database.app_url,
        "WORKER_DATABASE_URL": database.worker_url,
        "PLENUM_ENV": "test",
    }
    return subprocess.run(
        [sys.executable, "-m", "jobs", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_worker_process_runs_a_pass_against_the_database(database: TestDatabase) -> None:
    """Every registered job, in the real process: any failing job makes this fail."""
    result = run_the_worker_once(database)
    assert result.returncode == 0, result.stderr
    assert " failed " not in result.stderr


def test_a_worker_that_lost_its_lease_says_so_and_does_not_record_the_run(
    admin: Connection, pool: ConnectionPool, caplog: pytest.LogCaptureFixture
) -> None:
    """Its lease ran out while the job ran (a stalled worker) and another worker took the job:
    the heartbeat notices, and the run's end is the other worker's to record."""
    lost = "lost the lease on job slow to another worker"

    def taken_over(_pool: ConnectionPool) -> int:
        admin.execute("update app.job_schedule set leased_by = 'other' where job = 'slow'")
        deadline = time.monotonic() + 10
        while lost not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
        return 1

    set_clock(admin, START)
    with caplog.at_level(logging.WARNING, logger="jobs"):
        run_due(Worker(pool, "test", timedelta(seconds=0.3)), [Job("slow", 60, taken_over)])

    assert lost in caplog.text
    holder = admin.execute("select leased_by from app.job_schedule where job = 'slow'")
    assert holder.fetchone() == {"leased_by": "other"}
