"""Online booking's window computation: the windows the portal's booking page offers a
homeowner (app.portal_bookable_windows, the next 14 days) in a company of 50 technicians with
a realistic diary, against a floor measured in the same run: the same transaction (the web's
login role, the homeowner's claims, whose session the database checks) with a trivial select
instead. The public page's variant (app.public_bookable_windows, as the token holder) is timed
too.

The company: 50 technicians on the default 8-to-5 weekdays, 2,000 geocoded customers within
about 30 km of the office, and for each technician three 90-minute visits a working day on
three of the five 2-hour starts (drawn with a fixed seed) over the 14 days, so that windows are
partly taken, the travel between places counts, and a few technicians have time off. Among 20
other companies of 5 technicians with the same diary, so the tables hold other companies'
rows as they would.

Run: `BENCH_ONLY=booking make bench` (no scale data needed) or `python -m bench.booking`.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from psycopg.rows import dict_row

from app import crypto
from app.auth.passwords import hash_password
from app.db import SIGN_IN, admin_connection, begin
from app.portal.identity import claims_for
from bench.results import Row, p50_p95, row
from bench.scale import fresh_database, url

NAME = "plenum_bench_booking"
ZONE = ZoneInfo("America/New_York")
OTHER_COMPANIES, OTHER_TECHNICIANS = 20, 5
TECHNICIANS, CUSTOMERS, DAYS, PER_DAY = 50, 2_000, 14, 3
ROUNDS, BUDGET_S = 300, 20.0
OFFICE = (40.7128, -74.0060)
WINDOWS = "select * from app.portal_bookable_windows(%(property)s, 'repair', null)"
HASH = hash_password("bench passphrase 2026")  # one real hash for every account
PUBLIC = "select * from app.public_bookable_windows(%(slug)s, 'repair', null)"
FLOOR = "select 1"


def _company(conn: psycopg.Connection[Any], rng: random.Random, name: str, crew: int) -> uuid.UUID:
    """A company with `crew` technicians booked three times a working day for DAYS days."""
    tenant = conn.execute(
        "insert into public.tenants (name) values (%s) returning id", [name]
    ).fetchone()["id"]  # type: ignore[index]
    technicians = []
    for n in range(crew):
        account = conn.execute(
            "insert into iam.accounts (email, full_name, password_hash)"
            " values (%s, %s, %s) returning id",
            [f"tech{n}.{tenant}@bench.example", f"Tech {n}", HASH],
        ).fetchone()["id"]  # type: ignore[index]
        conn.execute(
            "insert into public.memberships (tenant_id, account_id, full_name, email, role)"
            " values (%s, %s, %s, %s, 'technician')",
            [tenant, account, f"Tech {n}", f"tech{n}.{tenant}@bench.example"],
        )
        technicians.append(account)
    customers = max(crew * 40, 100)
    places = []
    for n in range(customers):
        customer = conn.execute(
            "insert into public.customers (tenant_id, first_name, last_name, phone)"
            " values (%s, 'Pat', %s, %s) returning id",
            [tenant, f"Lee{n}", f"+1212555{n % 10_000:04d}"],
        ).fetchone()["id"]  # type: ignore[index]
        lat = OFFICE[0] + rng.uniform(-0.27, 0.27)
        lon = OFFICE[1] + rng.uniform(-0.35, 0.35)
        place = conn.execute(
            "insert into public.properties (tenant_id, customer_id, street, city, latitude,"
            " longitude, geocode_status) values (%s, %s, %s, 'New York', %s, %s, 'done')"
            " returning id",
            [tenant, customer, f"{n} Main St", round(lat, 6), round(lon, 6)],
        ).fetchone()["id"]  # type: ignore[index]
        places.append((customer, place))
    today = datetime.now(ZONE).date()
    for offset in range(DAYS):
        day = today + timedelta(days=offset)
        if day.isoweekday() > 5:
            continue
        for technician in technicians:
            for hour in sorted(rng.sample([8, 10, 12, 14, 16], PER_DAY)):
                _book(conn, tenant, technician, rng.choice(places), day, hour)
    for technician in rng.sample(technicians, max(1, crew // 10)):
        day = today + timedelta(days=rng.randrange(DAYS))
        starts = datetime(day.year, day.month, day.day, 8, tzinfo=ZONE)
        conn.execute(
            "insert into public.time_off (tenant_id, technician_id, during)"
            " values (%s, %s, tstzrange(%s, %s))",
            [tenant, technician, starts, starts + timedelta(hours=9)],
        )
    return uuid.UUID(str(tenant))


def _book(
    conn: psycopg.Connection[Any],
    tenant: Any,
    technician: Any,
    place: tuple[Any, Any],
    day: date,
    hour: int,
) -> None:
    starts = datetime(day.year, day.month, day.day, hour, tzinfo=ZONE)
    if starts <= datetime.now(UTC) or hour == 16:  # 16:00 + 90 minutes is past 5pm
        return
    job = conn.execute(
        "insert into public.jobs (tenant_id, customer_id, property_id, kind, summary)"
        " values (%s, %s, %s, 'repair', 'No heat') returning id",
        [tenant, place[0], place[1]],
    ).fetchone()["id"]  # type: ignore[index]
    visit = conn.execute(
        "insert into public.visits (tenant_id, job_id, status, window_starts_at,"
        " window_ends_at, duration_minutes) values (%s, %s, 'scheduled', %s, %s, 90)"
        " returning id",
        [tenant, job, starts, starts + timedelta(hours=2)],
    ).fetchone()["id"]  # type: ignore[index]
    conn.execute(
        "insert into public.visit_assignments (tenant_id, visit_id, technician_id)"
        " values (%s, %s, %s)",
        [tenant, visit, technician],
    )


def build(admin_url: str) -> tuple[str, dict[str, Any], str]:
    """The database; the homeowner's claims and property, and the public page's slug."""
    fresh_database(admin_url, NAME)
    database = url(admin_url, NAME)
    rng = random.Random(2026)
    with admin_connection(database) as conn:
        with conn.transaction():
            for n in range(OTHER_COMPANIES):
                _company(conn, rng, f"Other {n}", OTHER_TECHNICIANS)
            tenant = _company(conn, rng, "Big Air", TECHNICIANS)
            conn.execute(
                "update public.online_booking_settings set public_page = true, lead_hours = 2,"
                " horizon_days = %s where tenant_id = %s",
                [DAYS, tenant],
            )
            mine = conn.execute(
                "select customer_id, id from public.properties where tenant_id = %s"
                " order by id limit 1",
                [tenant],
            ).fetchone()
            assert mine is not None
            session = conn.execute(
                "insert into iam.portal_sessions (token_hash, tenant_id, customer_id, address,"
                " expires_at) values (%s, %s, %s, 'pat@example.com', now() + interval '1 day')"
                " returning id",
                [crypto.token_hash(crypto.new_token()), tenant, mine["customer_id"]],
            ).fetchone()
            assert session is not None
            slug = conn.execute(
                "select slug from public.online_booking_settings where tenant_id = %s", [tenant]
            ).fetchone()
            assert slug is not None
        conn.execute("vacuum analyze")
    claims = claims_for(session["id"], tenant, mine["customer_id"])
    return database, claims | {"property": mine["id"]}, slug["slug"]


def _time(
    conn: psycopg.Connection[Any], claims: dict[str, Any], statement: str, params: dict[str, Any]
) -> tuple[float, int]:
    """One request's transaction: the claims, then the statement; milliseconds and rows."""
    started = time.perf_counter()
    with conn.transaction():
        begin(conn, claims)
        rows = conn.execute(statement, params).fetchall()
    return (time.perf_counter() - started) * 1000, len(rows)


def measure(
    app_url: str, claims: dict[str, Any], statement: str, params: dict[str, Any]
) -> tuple[list[float], int]:
    samples: list[float] = []
    found = 0
    with psycopg.connect(app_url, row_factory=dict_row) as conn:
        for _ in range(5):  # warm the connection's caches
            _time(conn, claims, statement, params)
        deadline = time.monotonic() + BUDGET_S
        while len(samples) < ROUNDS and time.monotonic() < deadline:
            elapsed, found = _time(conn, claims, statement, params)
            samples.append(elapsed)
    return samples, found


def run() -> list[Row]:
    database, homeowner, slug = build(os.environ["DATABASE_ADMIN_URL"])
    app_url = url(os.environ["DATABASE_URL"], NAME)
    claims = {k: v for k, v in homeowner.items() if k != "property"}
    params = {"property": homeowner["property"], "slug": slug}
    floor, _ = measure(app_url, claims, FLOOR, params)
    portal, portal_windows = measure(app_url, claims, WINDOWS, params)
    public, public_windows = measure(app_url, SIGN_IN, PUBLIC, params)
    floor_p50, floor_p95 = p50_p95(floor)
    rows = []
    print(f"booking windows: {TECHNICIANS} technicians, {DAYS} days (database {database})")
    print(f"  floor (claims + select 1): p50 {floor_p50:6.2f} ms  p95 {floor_p95:6.2f} ms")
    for label, samples, windows in (
        ("portal_bookable_windows", portal, portal_windows),
        ("public_bookable_windows", public, public_windows),
    ):
        p50, p95 = p50_p95(samples)
        print(
            f"  {label}: p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  ({windows} windows,"
            f" {len(samples)} rounds, p95 {p95 / floor_p95:.1f}x the floor)"
        )
        rows.append(
            row(
                f"booking windows, {TECHNICIANS} technicians x {DAYS} days",
                f"{label} p95 ms",
                p95,
                floor_p95,
                "p95 <= 50 ms",
                f"p50 {p50:.1f} ms (floor {floor_p50:.2f}); {windows} windows offered;"
                " floor: the same transaction with select 1",
            )
        )
    return rows


def main() -> None:
    run()


if __name__ == "__main__":
    main()
