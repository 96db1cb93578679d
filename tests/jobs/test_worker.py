from __future__ import annotations

import os
import subprocess
import sys

from psycopg_pool import ConnectionPool

from jobs import Job
from jobs.worker import run_due


def test_due_jobs_run_once_per_interval_and_a_failure_does_not_stop_others():
    calls: list[str] = []

    def ok(_pool: ConnectionPool) -> int:
        calls.append("ok")
        return 2

    def broken(_pool: ConnectionPool) -> int:
        calls.append("broken")
        raise RuntimeError("boom")

    jobs = [Job("broken", 60, broken), Job("ok", 60, ok)]
    last_run: dict[str, float] = {}
    pool = ConnectionPool("", open=False)
    assert run_due(pool, jobs, last_run) == 2
    assert run_due(pool, jobs, last_run) == 0  # not due again yet
    assert calls == ["broken", "ok"]


def test_worker_process_runs_a_pass_against_the_database(database):
    env = {
        **os.environ,
        "DATABASE_URL": database.app_url,
        "WORKER_DATABASE_URL": database.worker_url,
        "PLENUM_ENV": "test",
    }
    result = subprocess.run(
        [sys.executable, "-m", "jobs", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
