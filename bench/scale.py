"""The scale data set the RLS, HTTP and write-path scenarios run on: N companies (default
1,000) of a typical size, and one large company (100,000 customers, 500,000 visits), all with
customers, properties, equipment, jobs and visits with their technicians.

Loaded with COPY by the database owner into `plenum_bench_scale`, built from the migrations,
with triggers off for the load (`session_replication_role = replica`, local to the load's
transaction): the columns the triggers would fill (bookings, status times) are filled here, and
every booking is one the triggers would accept (Mon-Fri, 8:00-17:00 company time, no overlaps;
the exclusion constraint applies anyway). The database is kept between runs while the schema,
this generator and the sizes are unchanged (`bench.fingerprint` holds their digest);
BENCH_REBUILD=1 builds it anew.

Sizes: BENCH_COMPANIES (1,000), BENCH_LARGE_CUSTOMERS (100,000), BENCH_LARGE_VISITS (500,000).
Run alone: `python -m bench.scale` builds (or reuses) it and prints its sizes.
"""

from __future__ import annotations

import hashlib
import os
import random
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql
from psycopg.types.range import Range

from app import migrations
from app.auth.passwords import hash_password
from app.db import admin_connection

ROOT = Path(__file__).resolve().parent.parent
# BENCH_SCALE_DATABASE names another database for it (e.g. one per worktree on a shared cluster).
NAME = os.environ.get("BENCH_SCALE_DATABASE", "plenum_bench_scale")
VERSION = 1  # raise when what build() loads changes
ZONE = ZoneInfo("America/New_York")
PASSWORD = "bench passphrase 2026"  # noqa: S105 (throwaway benchmark accounts)
# Members the scenarios act as (every account signs in with PASSWORD).
DISPATCHER, TECHNICIAN, OFFICE = "dispatch@big.bench", "tech00@big.bench", "office@big.bench"
WRITER = "writer@big.bench"  # a technician with no loaded work: the write paths book them
BIG_TECHNICIANS, PER_DAY, AHEAD = 50, 8, 10  # visits per technician per working day
SMALL = {"customers": 20, "visits": 20}
FIRST = ["James", "Maria", "Robert", "Linda", "Carlos", "Aisha", "Wei", "Priya", "Tomasz", "Grace"]
LAST = ["Nowak", "Garcia", "Johnson", "Kowalski", "Patel", "Nguyen", "Murphy", "Okafor", "Chen"]
STREETS = ["Elm St", "Oak Ave", "Maple Dr", "Lincoln Ave", "Western Ave", "Belmont Ave"]
EQUIPMENT = ["furnace", "air_conditioner", "heat_pump", "boiler", "water_heater"]
KINDS = ["repair", "maintenance", "estimate"]


@dataclass(frozen=True)
class Sizes:
    companies: int
    large_customers: int
    large_visits: int

    @classmethod
    def from_env(cls) -> Sizes:
        return cls(
            int(os.environ.get("BENCH_COMPANIES", 1_000)),
            int(os.environ.get("BENCH_LARGE_CUSTOMERS", 100_000)),
            int(os.environ.get("BENCH_LARGE_VISITS", 500_000)),
        )


def url(base: str, name: str = NAME) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def fresh_database(admin_url: str, name: str) -> None:
    """The database `name` anew (dropped if it exists) with the migrations applied."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    with admin_connection(url(admin_url, name)) as conn:
        migrations.up(conn)


def bench_day() -> date:
    """Today, or the last working day before it: what a technician sees depends on the clock,
    so the data is built around the day the board and "my day" show."""
    day = datetime.now(ZONE).date()
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def working_days(day: date, before: int, after: int) -> list[date]:
    """`before` working days before `day`, then `day` and `after - 1` working days after it."""
    days: list[date] = []
    current = day
    while len(days) < before:
        current -= timedelta(days=1)
        if current.weekday() < 5:
            days.insert(0, current)
    current = day
    while len(days) < before + after:
        if current.weekday() < 5:
            days.append(current)
        current += timedelta(days=1)
    return days


def fingerprint(sizes: Sizes, day: date) -> str:
    """The schema files, this generator's version, the sizes and the day."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "supabase").rglob("*.sql")):
        digest.update(path.read_bytes())
    digest.update(repr((VERSION, sizes, BIG_TECHNICIANS, PER_DAY, AHEAD, SMALL, day)).encode())
    return digest.hexdigest()[:16]


def typical(sizes: Sizes) -> str:
    """The dispatcher of a typical company, in the middle of the others."""
    return f"dispatch@{max(1, sizes.companies // 2)}.bench"


def seeded_id(rng: random.Random) -> uuid.UUID:
    """A uuid from the run's seed, so that every run builds the same data."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def visit_columns(
    visit: uuid.UUID, job: uuid.UUID, starts: datetime, minutes: int, day: date
) -> tuple[Any, ...]:
    """A booked visit's columns after its tenant, as the loads list them: completed (with its
    status times) when it starts before `day`, scheduled from it on."""
    done = starts.date() < day
    progress = (starts - timedelta(minutes=20), starts + timedelta(minutes=5))
    return (
        visit,
        job,
        "completed" if done else "scheduled",
        starts,
        starts + timedelta(hours=2),
        starts - timedelta(days=3),
        *(progress if done else (None, None)),
        starts + timedelta(minutes=minutes) if done else None,
        minutes,
    )


class Load:
    """Rows for COPY, table by table, from one seed."""

    def __init__(self, day: date) -> None:
        self.day = day
        self.rng = random.Random(2026)
        self.rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in COLUMNS}
        self.real_hash = hash_password(PASSWORD)

    def add(self, table: str, *row: Any) -> None:
        self.rows[table].append(row)

    def company(self, n: int, technicians: int) -> tuple[uuid.UUID, list[uuid.UUID]]:
        tenant = seeded_id(self.rng)
        self.add("public.tenants", tenant, f"Company {n}", str(ZONE))
        staff = [("owner", "owner"), ("office", "office"), ("dispatch", "dispatcher")]
        staff += [(f"tech{t:02d}", "technician") for t in range(technicians)]
        if n == 0:
            staff.append(("writer", "technician"))
        crew = []
        for who, role in staff:
            account, email = seeded_id(self.rng), f"{who}@{'big' if n == 0 else n}.bench"
            name = f"{who.title()} {n}"
            self.add("iam.accounts", account, email, name, self.real_hash)
            self.add("public.memberships", tenant, account, name, email, role)
            if role == "technician" and who != "writer":
                crew.append(account)
        return tenant, crew

    def houses(self, tenant: uuid.UUID, count: int) -> list[tuple[uuid.UUID, uuid.UUID]]:
        """Customers with a property each and a piece of equipment at it."""
        made = []
        for n in range(count):
            customer, prop = seeded_id(self.rng), seeded_id(self.rng)
            first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
            email = f"{first}.{last}.{n}@example.com".lower()
            phone = f"+1312555{n % 10000:04d}"
            self.add("public.customers", tenant, customer, first, last, email, phone)
            street = f"{self.rng.randint(100, 9999)} {self.rng.choice(STREETS)}"
            self.add("public.properties", tenant, prop, customer, street, "Boston", "MA", "02118")
            kind = self.rng.choice(EQUIPMENT)
            self.add("public.equipment", tenant, seeded_id(self.rng), prop, kind, "Carrier")
            made.append((customer, prop))
        return made

    def job(self, tenant: uuid.UUID, house: tuple[uuid.UUID, uuid.UUID]) -> uuid.UUID:
        job, kind = seeded_id(self.rng), self.rng.choice(KINDS)
        self.add("public.jobs", tenant, job, *house, kind, "normal", f"{kind.title()} job")
        return job

    def visit(self, tenant: uuid.UUID, job: uuid.UUID, starts: datetime, tech: uuid.UUID) -> None:
        """Done before the day (with its status times), booked from it on."""
        visit, minutes = seeded_id(self.rng), 45
        self.add("public.visits", tenant, *visit_columns(visit, job, starts, minutes, self.day))
        booked = Range(starts, starts + timedelta(minutes=minutes))
        self.add("public.visit_assignments", tenant, visit, tech, booked)

    def big_company(self, customers: int, visits: int) -> None:
        """Technicians with PER_DAY visits each working day (on the hour from 8:00), as many
        days of history as the visits need, and AHEAD days from the day on; two visits a job."""
        tenant, crew = self.company(0, BIG_TECHNICIANS)
        houses = self.houses(tenant, customers)
        per_day = len(crew) * PER_DAY
        days = max(AHEAD + 1, -(-visits // per_day))
        made, job = 0, uuid.UUID(int=0)
        for day in working_days(self.day, days - AHEAD, AHEAD):
            for k in range(PER_DAY):
                starts = datetime.combine(day, clock(8 + k), tzinfo=ZONE)
                for technician in crew:
                    if made == visits:
                        return
                    if made % 2 == 0:
                        job = self.job(tenant, self.rng.choice(houses))
                    self.visit(tenant, job, starts, technician)
                    made += 1

    def small_company(self, n: int) -> None:
        tenant, crew = self.company(n, 2)
        houses = self.houses(tenant, SMALL["customers"])
        days = working_days(self.day, 10, 10)
        slots = [(t, d, h) for t in crew for d in days for h in (8, 10, 12, 14)]
        for technician, day, hour in self.rng.sample(slots, SMALL["visits"]):
            starts = datetime.combine(day, clock(hour), tzinfo=ZONE)
            self.visit(tenant, self.job(tenant, self.rng.choice(houses)), starts, technician)


COLUMNS = {
    "public.tenants": "id, name, time_zone",
    "iam.accounts": "id, email, full_name, password_hash",
    "public.memberships": "tenant_id, account_id, full_name, email, role",
    "public.customers": "tenant_id, id, first_name, last_name, email, phone",
    "public.properties": "tenant_id, id, customer_id, street, city, region, postal_code",
    "public.equipment": "tenant_id, id, property_id, kind, brand",
    "public.jobs": "tenant_id, id, customer_id, property_id, kind, priority, summary",
    "public.visits": "tenant_id, id, job_id, status, window_starts_at, window_ends_at,"
    " scheduled_at, en_route_at, arrived_at, completed_at, duration_minutes",
    "public.visit_assignments": "tenant_id, visit_id, technician_id, booked",
}


def build(admin_url: str, sizes: Sizes, day: date) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(NAME))
        )
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(NAME)))
    load = Load(day)
    load.big_company(sizes.large_customers, sizes.large_visits)
    for n in range(1, sizes.companies):
        load.small_company(n)
    with admin_connection(url(admin_url)) as conn:
        migrations.up(conn)
        # Loading is not what is measured: no triggers (audit, bookings, status machine) and
        # no foreign key checks for the load; check and exclusion constraints still apply.
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("set local session_replication_role = replica")
            for table, columns in COLUMNS.items():
                statement = sql.SQL("copy {} ({}) from stdin").format(
                    sql.Identifier(*table.split(".")), sql.SQL(columns)
                )
                with cur.copy(statement) as copy:
                    for row in load.rows[table]:
                        copy.write_row(row)
            # What the technician helpers read is kept by triggers: built once for the load.
            cur.execute("select app.technician_visits_rebuild()")
            cur.execute("create schema bench")
            cur.execute("create table bench.fingerprint (digest text not null)")
            cur.execute("insert into bench.fingerprint values (%s)", [fingerprint(sizes, day)])
        conn.execute("vacuum analyze")


def _stored(admin_url: str) -> str | None:
    try:
        with admin_connection(url(admin_url)) as conn:
            row = conn.execute("select digest from bench.fingerprint").fetchone()
    except psycopg.Error:
        return None
    return None if row is None else str(row["digest"])


def ensure(admin_url: str) -> tuple[Sizes, date, str]:
    """The scale database, built unless an unchanged one exists; its sizes, day and how it
    came to be (built in n s / reused)."""
    sizes, day = Sizes.from_env(), bench_day()
    if not os.environ.get("BENCH_REBUILD") and _stored(admin_url) == fingerprint(sizes, day):
        return sizes, day, "reused"
    started = time.perf_counter()
    build(admin_url, sizes, day)
    return sizes, day, f"built in {time.perf_counter() - started:.0f} s"


def main() -> None:
    sizes, day, how = ensure(os.environ["DATABASE_ADMIN_URL"])
    with admin_connection(url(os.environ["DATABASE_ADMIN_URL"])) as conn:
        counts = {
            table: conn.execute(
                sql.SQL("select count(*) as n from {}").format(sql.Identifier(*table.split(".")))
            ).fetchone()
            for table in COLUMNS
        }
    print(f"{NAME} ({how}), day {day}, {sizes}")
    for table, row in counts.items():
        print(f"  {table:28}{row['n'] if row else 0:>12,}")


if __name__ == "__main__":
    main()
