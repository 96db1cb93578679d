"""Purge: how long the purge of a large closed company takes, and what it costs its neighbours.
Growth's companies 1 and 2 (bench/growth.py) are made; company 2 grows to about
BENCH_PURGE_ROWS rows (1,000,000 by default: customers, their notes, contacts, homes and
equipment, a fifth each) and is closed 31 days ago. Company 1's dispatcher loads the customer
list through the whole app (Flask's test client in this process), first with nothing else
running, then while the worker's purge (jobs/purge.py, the real job: batches of 5,000, its
lease, the certificate) runs in a thread beside it. Targets: the purge in under 60 s; the
neighbour's p95 during it ≤ 1.5x its p95 without it.

Run: `python -m bench.purge` (or `BENCH_ONLY=purge python -m bench`); `BENCH_PURGE_ROWS=100000`
for a quick run. WORKER_DATABASE_URL must be set (the worker's login role). The database
(`plenum_bench_purge`) is built anew each run.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

from app.auth.passwords import hash_password
from app.db import admin_connection, create_pool
from app.integrations import files
from app.sql import Queries
from bench import growth
from bench.results import Row, percentile, row
from bench.scale import fresh_database
from bench.scale import url as _url
from jobs import purge

NAME = "plenum_bench_purge"
ROWS = int(os.environ.get("BENCH_PURGE_ROWS", 1_000_000))
BASELINE_REQUESTS = int(os.environ.get("BENCH_PURGE_REQUESTS", 300))
SEED = bytes(range(32, 64))  # growth.app_client's AUDIT_SIGNING_KEY
queries = Queries(Path(__file__).with_name("purge.sql"))
PAGE = "/customers"


def grow(admin_url: str, company: str) -> float:
    """Company 2 grown to about ROWS rows and closed 31 days ago; seconds taken."""
    started = time.perf_counter()
    params = {"company": company, "per_table": ROWS // 5}
    with admin_connection(_url(admin_url, NAME)) as conn:
        with conn.transaction():
            conn.execute("set local session_replication_role = replica")
            for statement in ("customers", "notes", "contacts", "properties", "equipment"):
                conn.execute(getattr(queries, statement), params)
        conn.execute(queries.close, params)
        conn.execute("vacuum analyze")
    return time.perf_counter() - started


def page_times(client: object, until: threading.Event | None, count: int) -> list[float]:
    """The neighbour's page, `count` times, or until `until` is set (at least `count`)."""
    samples: list[float] = []
    while len(samples) < count or (until is not None and not until.is_set()):
        started = time.perf_counter()
        response = client.get(PAGE, headers=growth.HTTPS, base_url="https://localhost")  # type: ignore[attr-defined]
        assert response.status_code == 200, response.status_code
        samples.append((time.perf_counter() - started) * 1000)
        if until is not None and until.is_set():
            break
    return samples


def timed_purge(worker_url: str, done: threading.Event, took: list[float]) -> None:
    pool = create_pool(_url(worker_url, NAME), 1, 2, prepared=False)
    pool.open(wait=True, timeout=30)
    try:
        started = time.perf_counter()
        finished = purge.sweep(
            pool,
            seed=SEED,
            store=files.LocalFolderFiles(tempfile.mkdtemp(prefix="plenum_bench_purge_")),
            public_url="https://plenum.bench",
        )
        took.append(time.perf_counter() - started)
        assert finished == 1, f"{finished} purges finished"
    finally:
        pool.close()
        done.set()


def run() -> list[Row]:
    admin_url, app_url = os.environ["DATABASE_ADMIN_URL"], os.environ["DATABASE_URL"]
    worker_url = os.environ["WORKER_DATABASE_URL"]
    fresh_database(admin_url, NAME)
    growth.add_companies(admin_url, 1, 2, hash_password(growth.PASSWORD), name=NAME)
    seconds = grow(admin_url, growth._id("growth-t2"))
    print(f"built {NAME}: a company of ~{ROWS:,} rows in {seconds:.0f} s")
    saved = dict(os.environ)
    app, client = growth.app_client(app_url, admin_url, name=NAME)
    try:
        page_times(client, None, 20)  # warm the pool and the templates
        alone = page_times(client, None, BASELINE_REQUESTS)
        done, took = threading.Event(), list[float]()
        worker = threading.Thread(target=timed_purge, args=(worker_url, done, took))
        worker.start()
        during = page_times(client, done, 20)
        worker.join()
    finally:
        app.extensions["plenum.pool"].close()
        os.environ.clear()
        os.environ.update(saved)
    assert took, "the purge did not finish"
    p95_alone, p95_during = percentile(alone, 0.95), percentile(during, 0.95)
    print(f"purge of ~{ROWS:,} rows: {took[0]:.1f} s")
    print(f"neighbour's {PAGE} p95: {p95_alone:.1f} ms alone, {p95_during:.1f} ms during the purge"
          f" ({p95_during / p95_alone:.2f}x, {len(during)} requests)")  # fmt: skip
    return [
        row(f"purge: a company of ~{ROWS:,} rows", "seconds", took[0], 60.0, "< 60 s",
            "the whole job: batches, files, certificate"),
        row(f"purge: neighbour's {PAGE} during a purge", "p95 ms per request", p95_during,
            p95_alone, "≤ 1.5x", f"in-process test client; {len(during)} requests during"),
    ]  # fmt: skip


if __name__ == "__main__":
    run()
