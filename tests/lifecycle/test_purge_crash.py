"""P-13: a purge is resumable after a crash (kill -9 mid-way), and two workers at once neither
double count nor do the same batch: the certificate says what the company had."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from psycopg_pool import ConnectionPool

from app import certificates
from app.audit import checkpoints
from app.db import Connection
from tests.clock import database_now, set_clock
from tests.conftest import TestDatabase
from tests.factories import Factory
from tests.lifecycle.purge_support import (
    SEED,
    certificate_of,
    close,
    grow,
    rows_of,
    sweep,
)
from tests.lifecycle.support import populate

WORKER = """
import sys
from pathlib import Path
from uuid import UUID
from app.db import create_pool
from app.integrations import files
from jobs import purge
from tests.lifecycle.purge_support import PUBLIC_URL, SEED
pool = create_pool(sys.argv[1], 1, 2, prepared=False)
pool.open(wait=True, timeout=10)
purge.sweep(pool, seed=SEED, store=files.LocalFolderFiles(Path(sys.argv[2])),
            public_url=PUBLIC_URL, batch=int(sys.argv[3]))
"""


def _said(admin: Connection, company: UUID) -> dict[str, int]:
    """What the certificate says of each table: rows deleted, anonymised or kept."""
    row = certificate_of(admin, company)
    public = checkpoints.public_key_bytes(SEED)
    assert certificates.verify(row, {checkpoints.key_id(public): public}) is None
    body = row["certificate"]
    return {
        t["table"]: t["rows_deleted"] + t["rows_anonymised"] + t["rows_kept"]
        for t in body["tables"]
        if t["table"] != "public.tenants"
    }


def _counted_once(admin: Connection, company: object, found: dict[str, int]) -> bool:
    """The batches' own counts (cascades aside) never exceed what the company had: no batch was
    counted twice."""
    rows = admin.execute(
        "select s.table_name, s.rows_deleted + s.rows_anonymised as n from app.purge_steps s"
        " join app.purges p on p.id = s.purge_id where p.company_id = %(c)s",
        {"c": company},
    ).fetchall()
    return all(row["n"] <= found[row["table_name"]] for row in rows)


def _progress(admin: Connection, company: object) -> tuple[int, bool]:
    row = admin.execute(
        "select coalesce(sum(s.rows_deleted), 0) as deleted, bool_or(p.status = 'done') as done"
        " from app.purges p left join app.purge_steps s on s.purge_id = p.id"
        " where p.company_id = %(c)s",
        {"c": company},
    ).fetchone()
    return (int(row["deleted"]), bool(row["done"])) if row else (0, False)


@pytest.mark.promise("P-13")
def test_a_purge_killed_mid_way_is_finished_by_the_next_worker_with_the_same_counts(
    admin: Connection, make: Factory, database: TestDatabase, pool: ConnectionPool, tmp_path: Path
) -> None:
    gone, _ = populate(admin, make, "Gone Heating")
    grow(admin, gone.id, 2000)
    now = database_now(admin)
    set_clock(admin, now)
    close(admin, gone.id, days_ago=31, now=now)
    found = {t: n for t, n in rows_of(admin, gone.id).items() if t != "public.tenants"}

    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, database.worker_url, str(tmp_path), "20"],
        env={**os.environ, "PLENUM_ENV": "test"},
    )
    deadline = time.monotonic() + 60
    while _progress(admin, gone.id)[0] < 500 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    deleted, done = _progress(admin, gone.id)
    assert deleted >= 500 and not done, "the worker was to be killed mid-way"

    assert sweep(pool, tmp_path) == 0  # its lease still holds: nobody takes the purge over
    set_clock(admin, now + timedelta(minutes=5))
    assert sweep(pool, tmp_path, batch=20) == 1

    assert _said(admin, gone.id) == found
    assert _counted_once(admin, gone.id, found)


@pytest.mark.promise("P-13")
def test_two_workers_at_once_purge_a_company_once(
    admin: Connection, make: Factory, pool: ConnectionPool, tmp_path: Path
) -> None:
    gone, _ = populate(admin, make, "Gone Heating")
    grow(admin, gone.id, 300)
    close(admin, gone.id, days_ago=31, now=database_now(admin))
    found = {t: n for t, n in rows_of(admin, gone.id).items() if t != "public.tenants"}
    finished: list[int] = []
    workers = [
        threading.Thread(target=lambda: finished.append(sweep(pool, tmp_path, batch=25)))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sorted(finished) == [0, 1]
    assert _said(admin, gone.id) == found
    assert _counted_once(admin, gone.id, found)
    certificates_issued = admin.execute("select count(*) as n from app.deletion_certificates")
    assert certificates_issued.fetchone() == {"n": 1}
