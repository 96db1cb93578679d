"""Offline geocoding throughput: 100,000 waiting properties of 10 companies (ZIPs drawn from
every US ZIP code, one in twenty typed without its leading zero or as ZIP+4, one in fifty
unknown) placed by the geocoding job as the worker runs it (its own login role, service_role
with the `system:geocoding` actor, batches of 500 claimed with `for update skip locked`, one
`unnest` update each, every row audited, its coordinates sealed under the homeowner's audit
key), against a floor measured on the same rows in the same
run: one plain `update public.properties set geocode_status = 'done'` of all of them, by the
same role with the same audit triggers, and no lookup.

Run: `BENCH_ONLY=geocoding make bench` (no scale data needed) or `python -m bench.geocoding`.
Reproducible: fixed seed.
"""

from __future__ import annotations

import os
import random
import time
import uuid

import zipcodes

from app.db import admin_connection, create_pool, service_role_transaction
from app.integrations import maps
from bench.results import Row, row
from bench.scale import fresh_database, url
from jobs import geocoding

NAME = "plenum_bench_geocoding"
COMPANIES = 10
PROPERTIES = 100_000
FLOOR = "update public.properties set geocode_status = 'done', geocoded_at = now()"
RESET = (
    "update public.properties set geocode_status = 'pending', geocoded_at = null,"
    " latitude = null, longitude = null, time_zone = null, geocode_failure = null"
)


def postal_codes(seed: int = 13) -> list[str]:
    rng = random.Random(seed)
    known = sorted(entry["zip_code"] for entry in zipcodes.list_all())
    made = []
    for _ in range(PROPERTIES):
        code, draw = rng.choice(known), rng.random()
        if draw < 0.02:
            code = f"{rng.randint(0, 99999):05d}"  # mostly unknown
        elif draw < 0.045:
            code = code.lstrip("0") or "0"
        elif draw < 0.07:
            code = f"{code}-{rng.randint(0, 9999):04d}"
        made.append(code)
    return made


def build(admin_url: str) -> str:
    fresh_database(admin_url, NAME)
    database = url(admin_url, NAME)
    codes = postal_codes()
    rng = random.Random(14)
    with admin_connection(database) as conn:
        tenants = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(COMPANIES)]
        with conn.transaction(), conn.cursor() as cur:
            # Loading is not what is measured: triggers (the audit log's) are off for this
            # transaction only.
            cur.execute("set local session_replication_role = replica")
            with cur.copy("copy public.tenants (id, name) from stdin") as copy:
                for n, tenant in enumerate(tenants):
                    copy.write_row((tenant, f"Company {n}"))
            customers = [(tenants[n % COMPANIES], uuid.uuid4()) for n in range(PROPERTIES)]
            with cur.copy(
                "copy public.customers (tenant_id, id, first_name, last_name) from stdin"
            ) as copy:
                for n, (tenant, customer) in enumerate(customers):
                    copy.write_row((tenant, customer, "Pat", f"Lee{n}"))
            # Each homeowner's audit key, as the audited insert of their customer row made it.
            with cur.copy(
                "copy audit.subject_keys (tenant_id, subject_id, key) from stdin"
            ) as copy:
                for tenant, customer in customers:
                    copy.write_row((tenant, customer, rng.randbytes(32)))
            with cur.copy(
                "copy public.properties (tenant_id, customer_id, street, city, postal_code)"
                " from stdin"
            ) as copy:
                for n, ((tenant, customer), code) in enumerate(zip(customers, codes, strict=True)):
                    copy.write_row((tenant, customer, f"{n} Elm St", "Springfield", code))
        conn.execute("vacuum analyze")
    return database


def _reset(admin_url: str) -> None:
    with admin_connection(admin_url) as conn:
        with conn.transaction():
            conn.execute("set local session_replication_role = replica")
            conn.execute(RESET)
        conn.execute("vacuum analyze public.properties")


def run() -> list[Row]:
    admin_url = build(os.environ["DATABASE_ADMIN_URL"])
    pool = create_pool(url(os.environ["WORKER_DATABASE_URL"], NAME), 1, 4, prepared=True)
    pool.open(wait=True, timeout=30)
    try:
        started = time.perf_counter()
        with service_role_transaction(pool, actor=geocoding.ACTOR) as conn:
            conn.execute(FLOOR)
        floor = time.perf_counter() - started
        _reset(admin_url)
        maps.OFFLINE.geocode(maps.Address("", "", "", "", "01545", "US"))  # the ZIP table, once
        started = time.perf_counter()
        handled = geocoding.sweep(pool, maps.OFFLINE)
        job = time.perf_counter() - started
    finally:
        pool.close()
    with admin_connection(admin_url) as conn:
        counts = conn.execute(
            "select count(*) filter (where geocode_status = 'done') as done,"
            " count(*) filter (where geocode_status = 'failed') as failed,"
            " count(*) filter (where geocode_status = 'pending') as pending"
            " from public.properties"
        ).fetchone()
    assert counts is not None and handled == PROPERTIES and counts["pending"] == 0, counts
    job_rate, floor_rate = PROPERTIES / job, PROPERTIES / floor
    print(f"offline geocoding of {PROPERTIES:,} properties ({COMPANIES} companies)")
    print(f"  job:   {job:6.1f} s  {job_rate:8,.0f} rows/s  ({counts['failed']:,} failed)")
    print(f"  floor: {floor:6.1f} s  {floor_rate:8,.0f} rows/s  (one audited plain update)")
    scenario = f"offline geocoding of {PROPERTIES:,} properties"
    return [
        row(
            scenario,
            "job rows/s",
            job_rate,
            floor_rate,
            ">= 3,000 rows/s",
            f"{job:.1f} s; {counts['done']:,} placed, {counts['failed']:,} failed; floor: one"
            " audited plain update",
        )
    ]


def main() -> None:
    run()


if __name__ == "__main__":
    main()
