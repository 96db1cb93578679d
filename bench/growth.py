"""Growth: does one company's page slow down as the platform grows around it? The same company
(a dispatcher, two technicians, 20 customers, 20 visits on the day) is measured among 10
companies, then among 10,000 (the 9,990 others made alike, in SQL, by the database: seconds,
not minutes). Pages: the customer page and the dispatch board, through the whole app
(sign-in session, claims, row-level security, recorded reads, templates) in this process with
Flask's test client, so that the load generator and the network are not measured. Target:
each p50 at 10,000 companies ≤ 1.1x the p50 at 10.

Run: `python -m bench.growth` (or `BENCH_ONLY=growth python -m bench`). The database
(`plenum_bench_growth`) is built anew each run.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import statistics
import tempfile
import time
import uuid
from datetime import datetime
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient

from app.auth.passwords import hash_password
from app.db import admin_connection
from app.sql import Queries
from bench.results import Row, row
from bench.scale import bench_day, fresh_database
from bench.scale import url as _url

NAME = "plenum_bench_growth"
PASSWORD = "growth bench passphrase"  # noqa: S105 (a throwaway benchmark account)
DISPATCHER = "dispatch1@growth.bench"
ZONE = ZoneInfo("America/New_York")
SMALL, LARGE = 10, 10_000
ROUNDS = int(os.environ.get("BENCH_GROWTH_ROUNDS", 150))  # requests per page and size
queries = Queries(Path(__file__).with_name("growth.sql"))
HTTPS = {"X-Forwarded-Proto": "https"}


def add_companies(
    admin_url: str, first: int, last: int, password_hash: str, name: str = NAME
) -> float:
    """Companies first..last, loaded by the owner with triggers off; seconds taken."""
    started = time.perf_counter()
    day = datetime.combine(bench_day(), clock(0), tzinfo=ZONE)
    params = {"first": first, "last": last, "day": day, "password_hash": password_hash}
    with admin_connection(_url(admin_url, name)) as conn:
        with conn.transaction():
            conn.execute("set local session_replication_role = replica")
            for statement in (
                "companies",
                "people",
                "members",
                "customers",
                "properties",
                "jobs",
                "visits",
                "assignments",
            ):
                conn.execute(getattr(queries, statement), params)
            # What the technician helpers read is kept by triggers: built once for the load.
            conn.execute("select app.technician_visits_rebuild()")
        conn.execute("vacuum analyze")
    return time.perf_counter() - started


def app_client(app_url: str, admin_url: str, name: str = NAME) -> tuple[Any, FlaskClient]:
    """The app as deployed (production settings, statements unprepared), signed in as company
    1's dispatcher."""
    os.environ.update(
        {
            "DATABASE_URL": _url(app_url, name),
            "DATABASE_ADMIN_URL": _url(admin_url, name),
            "PLENUM_ENV": "production",
            "SECRET_KEY": "bench-secret-" + "x" * 32,
            "ENCRYPTION_KEY": base64.b64encode(bytes(range(32))).decode(),
            "AUDIT_SIGNING_KEY": base64.b64encode(bytes(range(32, 64))).decode(),
            "FILES_DIR": tempfile.mkdtemp(prefix="plenum_bench_files_"),
            "PUBLIC_URL": "https://plenum.bench",
            "DATABASE_PREPARED_STATEMENTS": "false",
        }
    )
    from app import create_app

    app = create_app()
    client = app.test_client()
    page = client.get("/sign-in", headers=HTTPS, base_url="https://localhost")
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.get_data(as_text=True))
    assert token, "no CSRF token on /sign-in"
    signed = client.post(
        "/sign-in",
        data={"csrf_token": token.group(1), "email": DISPATCHER, "password": PASSWORD},
        headers={**HTTPS, "Referer": "https://localhost/sign-in"},
        base_url="https://localhost",
    )
    assert signed.status_code == 302, f"sign-in answered {signed.status_code}"
    return app, client


def measure(client: FlaskClient, paths: dict[str, str]) -> dict[str, float]:
    """p50 (ms) of each page, the pages taken in turn so that drift hits them alike."""
    samples: dict[str, list[float]] = {label: [] for label in paths}
    for path in paths.values():  # warm the pool and the templates
        for _ in range(5):
            response = client.get(path, headers=HTTPS, base_url="https://localhost")
            assert response.status_code == 200, f"{path}: {response.status_code}"
    for _ in range(ROUNDS):
        for label, path in paths.items():
            started = time.perf_counter()
            client.get(path, headers=HTTPS, base_url="https://localhost")
            samples[label].append((time.perf_counter() - started) * 1000)
    return {label: statistics.median(times) for label, times in samples.items()}


def run() -> list[Row]:
    admin_url, app_url = os.environ["DATABASE_ADMIN_URL"], os.environ["DATABASE_URL"]
    started = time.perf_counter()
    fresh_database(admin_url, NAME)
    password_hash = hash_password(PASSWORD)
    add_companies(admin_url, 1, SMALL, password_hash)
    print(f"built {NAME} with {SMALL} companies in {time.perf_counter() - started:.0f} s")
    paths = {
        "customer page": "/customers/" + str(_id("growth-c1-1")),
        "dispatch board": f"/dispatch?day={bench_day().isoformat()}",
    }
    saved = dict(os.environ)
    app, client = app_client(app_url, admin_url)
    try:
        small = measure(client, paths)
        seconds = add_companies(admin_url, SMALL + 1, LARGE, password_hash)
        print(f"added {LARGE - SMALL:,} companies in {seconds:.0f} s")
        large = measure(client, paths)
    finally:
        app.extensions["plenum.pool"].close()
        os.environ.clear()
        os.environ.update(saved)  # the other scenarios read the environment afterwards
    rows = []
    print(f"{'':20}{f'{SMALL} companies':>16}{f'{LARGE:,} companies':>18}{'ratio':>8}")
    for label in paths:
        ratio = large[label] / small[label]
        print(f"{label:20}{small[label]:13.1f} ms{large[label]:15.1f} ms{ratio:7.2f}x")
        rows.append(
            row(
                f"growth: {label}, one company among {LARGE:,} vs {SMALL}",
                "p50 ms per request",
                large[label],
                small[label],
                "≤ 1.1x",
                f"in-process test client, {ROUNDS} requests each",
            )
        )
    return rows


def _id(seed: str) -> str:
    """The uuid growth.sql gives `seed` (md5 of the text, as PostgreSQL's md5(...)::uuid)."""
    return str(uuid.UUID(hashlib.md5(seed.encode()).hexdigest()))  # noqa: S324 (not security)


if __name__ == "__main__":
    run()
