"""Scheduling at scale: the dispatch board of one day (15 technicians, 150 visits, a year of
history) and a technician's "my day", in a company among 1,000, read through the real tenant
transaction against the same SQL run by the table owner (the floor), then as pages under load.

(a) and (b) run the app's own statements (app/scheduling/board.sql, the scheduling and
technician queries.sql, the company's time zone), the ones the /dispatch and /my-day views
make, with a dispatcher's and a technician's claims, prepared (the pool's default) and not (as
deployed behind Supavisor); the floor runs them as the owner, for whom row-level security does
not apply (each statement names the company already). (c) serves the app with gunicorn as
fly.toml does and times the pages from 8 concurrent clients, next to `/healthz` (one `select 1`)
as the floor of any page, measured before and after them in the same run.

Run: `make bench` (or `python -m bench.scheduling`). Reproducible: fixed seed. The data is built
around the current working day, because what a technician sees depends on the clock, and kept
between runs while the schema, the data's shape and the day are unchanged (the database's
comment holds their fingerprint); BENCH_REBUILD=1 builds it anew.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.range import Range

from app import migrations
from app.auth.passwords import hash_password
from app.db import Connection, admin_connection, begin
from app.sql import Queries
from bench.results import Row, row
from bench.scale import bench_day, seeded_id, visit_columns, working_days

ROOT = Path(__file__).resolve().parent.parent
NAME = "plenum_bench_scheduling"
DATA_VERSION = 1  # raise when build() changes what it loads
COMPANIES = 1_000  # the big one and 999 small ones
SMALL = {"customers": 10, "visits": 20, "waiting": 2}
TECHNICIANS, PER_DAY, BIG_CUSTOMERS, BIG_WAITING = 15, 10, 2_000, 40
HISTORY, AHEAD = 250, 10  # the big company's working days before the day, and from it on
ZONE = ZoneInfo("America/Chicago")
ROUNDS, MIN_ROUNDS, BUDGET_S = 200, 15, 6.0  # per page and way of running its statements
THREADS, REQUESTS, PAGE_BUDGET_S = 8, 40, 10.0  # per page under load
PASSWORD = "bench passphrase 2026"  # noqa: S105 (throwaway benchmark accounts)
DISPATCHER, TECHNICIAN = "dispatch@big.bench", "tech00@big.bench"
KINDS = ["repair", "repair", "maintenance", "estimate"]
Statement = tuple[str, str, dict[str, Any]]  # label, SQL, parameters
# What each page must show, so that a fast page is not an empty one: every lane; a customer.
SHOWN = {"/dispatch": [f"Tech{t:02d} 0" for t in range(TECHNICIANS)], "/my-day": ["Pat"]}


def _url(base: str, name: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def fingerprint(day: date) -> str:
    """What the loaded data depends on: the schema, the policies, the shape above and the day."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "supabase").rglob("*.sql")):
        digest.update(path.read_bytes())
    shape = (DATA_VERSION, COMPANIES, SMALL, TECHNICIANS, PER_DAY, BIG_CUSTOMERS, BIG_WAITING)
    digest.update(repr((shape, HISTORY, AHEAD, day, str(ZONE))).encode())
    return f"bench.scheduling {digest.hexdigest()[:16]}"


# --- the data -----------------------------------------------------------------------------------


class Load:
    """Rows for COPY, table by table, made from one seed. The columns the triggers would fill
    (the bookings, each status's time) are filled here: the load runs with triggers off."""

    def __init__(self, day: date) -> None:
        self.day = day
        self.rng = random.Random(5)
        self.rows: dict[str, list[tuple[Any, ...]]] = {}
        self.real_hash = hash_password(PASSWORD)

    def add(self, table: str, *row: Any) -> None:
        self.rows.setdefault(table, []).append(row)

    def company(self, n: int, technicians: int) -> tuple[uuid.UUID, list[uuid.UUID]]:
        tenant = seeded_id(self.rng)
        self.add("public.tenants", tenant, f"Company {n}", str(ZONE))
        staff = [("owner", "owner"), ("dispatch", "dispatcher")]
        staff += [(f"tech{t:02d}", "technician") for t in range(technicians)]
        crew = []
        for who, role in staff:
            account, email = seeded_id(self.rng), f"{who}@{'big' if n == 0 else n}.bench"
            real = email in (DISPATCHER, TECHNICIAN)
            name = f"{who.title()} {n}"
            self.add(
                "iam.accounts", account, email, name, self.real_hash if real else "$argon2id$bench"
            )
            self.add("public.memberships", tenant, account, name, email, role)
            if role == "technician":
                crew.append(account)
        return tenant, crew

    def houses(self, tenant: uuid.UUID, count: int) -> list[tuple[uuid.UUID, uuid.UUID]]:
        made = []
        for n in range(count):
            customer, prop = seeded_id(self.rng), seeded_id(self.rng)
            last = self.rng.choice(["Nowak", "Garcia", "Patel", "Nguyen", "Murphy", "Okafor"])
            self.add("public.customers", tenant, customer, f"Pat{n}", last)
            street = f"{self.rng.randint(100, 9999)} Elm St"
            self.add("public.properties", tenant, prop, customer, street, "Chicago", "IL", "60614")
            made.append((customer, prop))
        return made

    def visit(
        self,
        tenant: uuid.UUID,
        house: tuple[uuid.UUID, uuid.UUID],
        starts: datetime | None,
        technician: uuid.UUID | None,
        minutes: int = 45,
    ) -> None:
        """A job with one visit: done before the day, booked from it on, or waiting."""
        job, visit = seeded_id(self.rng), seeded_id(self.rng)
        kind = self.rng.choice(KINDS)
        self.add("public.jobs", tenant, job, *house, kind, "normal", f"{kind.title()} job")
        if starts is None:
            self.add("public.visits", tenant, visit, job, "unscheduled", *[None] * 6, minutes)
            return
        self.add("public.visits", tenant, *visit_columns(visit, job, starts, minutes, self.day))
        if technician:
            booked = Range(starts, starts + timedelta(minutes=minutes))
            self.add("public.visit_assignments", tenant, visit, technician, booked)

    def big_company(self) -> None:
        tenant, crew = self.company(0, TECHNICIANS)
        houses = self.houses(tenant, BIG_CUSTOMERS)
        for day in working_days(self.day, HISTORY, AHEAD):
            for technician in crew:
                for k in range(PER_DAY):  # 45 minutes every 50, 8:00 to 16:15
                    starts = datetime.combine(day, clock(8), tzinfo=ZONE)
                    starts += timedelta(minutes=50 * k)
                    self.visit(tenant, self.rng.choice(houses), starts, technician)
        for _ in range(BIG_WAITING):
            self.visit(tenant, self.rng.choice(houses), None, None)

    def small_company(self, n: int) -> None:
        tenant, crew = self.company(n, 2)
        houses = self.houses(tenant, SMALL["customers"])
        days = working_days(self.day, 10, 10)
        slots = [(t, d, h) for t in crew for d in days for h in (8, 10, 12, 14)]
        for technician, day, hour in self.rng.sample(slots, SMALL["visits"]):
            starts = datetime.combine(day, clock(hour), tzinfo=ZONE)
            self.visit(tenant, self.rng.choice(houses), starts, technician, 60)
        for _ in range(SMALL["waiting"]):
            self.visit(tenant, self.rng.choice(houses), None, None)


COLUMNS = {
    "public.tenants": "id, name, time_zone",
    "iam.accounts": "id, email, full_name, password_hash",
    "public.memberships": "tenant_id, account_id, full_name, email, role",
    "public.customers": "tenant_id, id, first_name, last_name",
    "public.properties": "tenant_id, id, customer_id, street, city, region, postal_code",
    "public.jobs": "tenant_id, id, customer_id, property_id, kind, priority, summary",
    "public.visits": "tenant_id, id, job_id, status, window_starts_at, window_ends_at,"
    " scheduled_at, en_route_at, arrived_at, completed_at, duration_minutes",
    "public.visit_assignments": "tenant_id, visit_id, technician_id, booked",
}


def build(admin_url: str, day: date) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(NAME))
        )
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(NAME)))
    load = Load(day)
    load.big_company()
    for n in range(1, COMPANIES):
        load.small_company(n)
    with admin_connection(_url(admin_url, NAME)) as conn:
        migrations.up(conn)
        # Loading is not what is measured: no triggers (audit, bookings, status machine) and no
        # foreign key checks. Check and exclusion constraints still apply.
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("set local session_replication_role = replica")
            for table, columns in COLUMNS.items():
                statement = sql.SQL("copy {} ({}) from stdin").format(
                    _table(table), sql.SQL(columns)
                )
                with cur.copy(statement) as copy:
                    for row in load.rows[table]:
                        copy.write_row(row)
            # What the technician helpers read is kept by triggers: built once for the load.
            cur.execute("select app.technician_visits_rebuild()")
        conn.execute("vacuum analyze")
        conn.execute(
            sql.SQL("comment on database {} is {}").format(
                sql.Identifier(NAME), sql.Literal(fingerprint(day))
            )
        )


def _table(name: str) -> sql.Identifier:
    return sql.Identifier(*name.split("."))


def up_to_date(admin_url: str, day: date) -> bool:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        row = conn.execute(
            "select shobj_description(oid, 'pg_database') from pg_database where datname = %s",
            [NAME],
        ).fetchone()
    return row is not None and row[0] == fingerprint(day)


# --- (a), (b): the statements of a page, through row-level security and as the owner -----------


def member(owner: Connection, email: str) -> dict[str, str]:
    row = owner.execute(
        "select tenant_id, account_id from public.memberships where email = %s", [email]
    ).fetchone()
    assert row is not None, email
    return {
        "role": "authenticated",
        "sub": str(row["account_id"]),
        "tenant_id": str(row["tenant_id"]),
    }


def page_statements(claims: dict[str, str], day: date) -> dict[str, list[Statement]]:
    """The statements each view makes for the day (as in app/scheduling/board.py and
    app/technician/service.py), by page."""
    queries = {
        name: Queries(ROOT / path)
        for name, path in {
            "company": "app/company.sql",
            "scheduling": "app/scheduling/queries.sql",
            "board": "app/scheduling/board.sql",
            "technician": "app/technician/queries.sql",
        }.items()
    }
    tenant, me = claims["tenant_id"], claims["sub"]
    bounds = {
        "starts": datetime.combine(day, clock(0), tzinfo=ZONE),
        "ends": datetime.combine(day + timedelta(days=1), clock(0), tzinfo=ZONE),
    }
    zone = ("the company (its time zone)", queries["company"].company, {"tenant_id": tenant})
    return {
        "board": [
            zone,
            ("technicians (lanes)", queries["scheduling"].technicians, {"tenant_id": tenant}),
            ("visits of the day", queries["board"].visits_between, {"tenant_id": tenant, **bounds}),
            (
                "unscheduled queue",
                queries["board"].unscheduled_queue,
                {"tenant_id": tenant, "limit": 50},
            ),
        ],
        "my day": [
            zone,
            (
                "the technician's visits",
                queries["technician"].list_visits_for_day,
                {
                    "tenant_id": tenant,
                    "technician_id": me,
                    "day_starts": bounds["starts"],
                    "day_ends": bounds["ends"],
                },
            ),
        ],
    }


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95)]


def run_page(
    conn: Connection, statements: list[Statement], claims: dict[str, str] | None, prepare: bool
) -> tuple[float, list[float], list[int]]:
    """One request's worth: a transaction (with the claims first, as the app opens it) around
    the statements; the whole time, each statement's time and each one's row count. Prepared,
    psycopg prepares a statement on its 5th use, as the app's pool does by default."""
    each, counts = [], []
    started = time.perf_counter()
    with conn.transaction():
        if claims:
            begin(conn, claims)
        for _, statement, params in statements:
            at = time.perf_counter()
            rows = conn.execute(statement, params, prepare=None if prepare else False).fetchall()
            each.append((time.perf_counter() - at) * 1000)
            counts.append(len(rows))
    return (time.perf_counter() - started) * 1000, each, counts


def compare(
    owner: Connection,
    app: Connection,
    title: str,
    statements: list[Statement],
    claims: dict[str, str],
) -> list[Row]:
    """The page's statements as the floor and through the policies, prepared and not: rounds
    alternate between the two, so that drift from other work hits both alike."""
    print(f"\n{title}: ms per statement, up to {ROUNDS} rounds or {BUDGET_S:.0f} s")
    print(f"{'':40}{'rows':>5}{'floor p50':>11}{'p95':>8}{'app p50':>10}{'p95':>8}{'ratio':>7}")
    found = []
    for prepare in (True, False):
        timings: dict[str, list[tuple[float, list[float]]]] = {"floor": [], "app": []}
        counts: dict[str, list[int]] = {}
        started = time.perf_counter()
        while len(timings["app"]) < ROUNDS and (
            len(timings["app"]) < MIN_ROUNDS or time.perf_counter() - started < BUDGET_S
        ):
            for side, conn, as_member in (("floor", owner, None), ("app", app, claims)):
                total, each, counts[side] = run_page(conn, statements, as_member, prepare)
                timings[side].append((total, each))
        assert counts["floor"] == counts["app"], f"{title}: {counts}"  # the same rows either way
        print(
            "  prepared (the pool's default)"
            if prepare
            else "  unprepared (DATABASE_PREPARED_STATEMENTS=false, as deployed behind Supavisor)"
        )
        lines = [
            (label, n, [r[1][i] for r in timings["floor"]], [r[1][i] for r in timings["app"]])
            for i, ((label, _, _), n) in enumerate(zip(statements, counts["app"], strict=True))
        ]
        lines.append(
            (
                f"whole request, {len(timings['app'])} rounds",
                sum(counts["app"]),
                [r[0] for r in timings["floor"]],
                [r[0] for r in timings["app"]],
            )
        )
        for label, rows, floor, through in lines:
            (f50, f95), (a50, a95) = percentiles(floor), percentiles(through)
            print(
                f"    {label:36}{rows:5d}{f50:11.2f}{f95:8.2f}{a50:10.2f}{a95:8.2f}{a50 / f50:7.2f}"
            )
        how = "prepared" if prepare else "unprepared"
        found.append(
            row(
                f"scheduling {title.split(' ', 1)[1]}, {how}",
                "whole request p50 ms",
                a50,
                f50,
                "≤ 1.2x",
                f"app p95 {a95:.1f} ms, floor p95 {f95:.1f} ms",
            )
        )
    return found


def plan(app: Connection, statement: Statement, claims: dict[str, str]) -> str:
    """The plan PostgreSQL runs for these parameters (as unprepared), condensed: its scans,
    the policies' helpers and the time."""
    with app.transaction(force_rollback=True):
        begin(app, claims)
        rows = app.execute(
            sql.SQL("explain (analyze, costs off, timing off) ") + sql.SQL(statement[1]),
            statement[2],
        ).fetchall()
    keep = re.compile(r"Scan|Execution Time")
    lines = [r["QUERY PLAN"] for r in rows]
    helpers = sum("InitPlan" in line for line in lines)
    shown = [f"    {line.strip()}" for line in lines if keep.search(line)]
    return "\n".join(
        [f"    {helpers} InitPlans (the policies' helpers, once per statement)", *shown]
    )


def helpers(app: Connection, claims: dict[str, str]) -> str:
    """What one call of each of the technician's row-level-security helpers costs."""
    out = []
    with app.transaction(force_rollback=True):
        begin(app, claims)
        for name in ("technician_visit_ids", "technician_job_ids", "technician_customer_ids"):
            taken = []
            for _ in range(5):
                started = time.perf_counter()
                row = app.execute(
                    sql.SQL("select cardinality(app.{}()) as n").format(sql.Identifier(name))
                ).fetchone()
                taken.append((time.perf_counter() - started) * 1000)
            assert row is not None
            out.append(f"    app.{name}(): {row['n']} ids, {statistics.median(taken):.1f} ms")
    return "\n".join(out)


# --- (c): the pages under load ------------------------------------------------------------------


class Browser:
    """A signed-in visitor: a cookie and a kept-alive connection per thread."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.local = threading.local()

    def _conn(self) -> http.client.HTTPConnection:
        if not hasattr(self.local, "conn"):
            self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        return self.local.conn

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = urlencode(form) if form else None
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                conn = self._conn()
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                text = response.read().decode()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                del self.local.conn  # the server closed an idle connection: open another
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text

    def sign_in(self, email: str) -> None:
        _, page = self.request("GET", "/sign-in")
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
        assert token, "no CSRF token on /sign-in"
        status, _ = self.request(
            "POST", "/sign-in", {"csrf_token": token.group(1), "email": email, "password": PASSWORD}
        )
        assert status == 302, f"sign-in as {email} answered {status}"


@contextmanager
def server(app_url: str, admin_url: str) -> Iterator[int]:
    """gunicorn serving the app on the bench database as fly.toml deploys it (2 workers of 4
    threads, statements unprepared, as behind Supavisor); its port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = Path(tempfile.gettempdir()) / "plenum_bench_scheduling_gunicorn.log"
    env = os.environ | {
        "DATABASE_URL": _url(app_url, NAME),
        "DATABASE_ADMIN_URL": _url(admin_url, NAME),
        "PLENUM_ENV": "development",  # production would insist on HTTPS cookies
        "DATABASE_PREPARED_STATEMENTS": os.environ.get("DATABASE_PREPARED_STATEMENTS", "false"),
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4"]
    options = subprocess.run([gunicorn, "--help"], capture_output=True, text=True).stdout
    if "--no-control-socket" in options:  # newer gunicorn: none beside a running server
        command.append("--no-control-socket")
    command.append("app:create_app()")
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if Browser(port).request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn did not answer; see {log}")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def under_load(browser: Browser, path: str) -> tuple[float, float, float]:
    """p50 and p95 (ms) of `path` fetched by THREADS clients at once (each REQUESTS times, or
    until PAGE_BUDGET_S), and requests a second."""
    samples: list[float] = []
    failures: list[int] = []
    began = time.perf_counter()

    def client() -> None:
        for _ in range(REQUESTS):
            if time.perf_counter() - began > PAGE_BUDGET_S:
                return
            started = time.perf_counter()
            status, _ = browser.request("GET", path)
            samples.append((time.perf_counter() - started) * 1000)
            if status != 200:
                failures.append(status)

    threads = [threading.Thread(target=client) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    assert not failures, f"{path}: answered {sorted(set(failures))}"
    return (*percentiles(samples), len(samples) / elapsed)


def pages(app_url: str, admin_url: str, when: date) -> list[Row]:
    day = when.isoformat()
    prepared = os.environ.get("DATABASE_PREPARED_STATEMENTS", "false")
    print(
        f"\n(c) pages under load: gunicorn (2 workers x 4 threads), prepared statements:"
        f" {prepared}; {THREADS} clients x {REQUESTS} requests or {PAGE_BUDGET_S:.0f} s; ms"
    )
    with server(app_url, admin_url) as port:
        people = {DISPATCHER: Browser(port), TECHNICIAN: Browser(port)}
        for email, browser in people.items():
            browser.sign_in(email)
        cases = [
            ("/healthz (floor)", DISPATCHER, "/healthz"),
            ("home page", DISPATCHER, "/"),
            (f"GET /dispatch?day={day}", DISPATCHER, f"/dispatch?day={day}"),
            ("home page", TECHNICIAN, "/"),
            (f"GET /my-day?day={day}", TECHNICIAN, f"/my-day?day={day}"),
            ("/healthz (floor)", TECHNICIAN, "/healthz"),
        ]
        print(f"{'':30}{'as':>12}{'p50':>9}{'p95':>9}{'req/s':>8}{'vs floor req/s':>16}")
        floors: list[tuple[float, float, float]] = []
        measured = []
        for label, email, path in cases:
            browser = people[email]
            status, page = browser.request("GET", path)
            if status != 200:
                print(f"{label:30}{'':12} skipped: answered {status}")
                continue
            missing = [text for text in SHOWN.get(path.split("?")[0], []) if text not in page]
            assert not missing, f"{path} does not show {missing}"
            for _ in range(5):  # warm the pools and the prepared statements
                browser.request("GET", path)
            result = under_load(browser, path)
            role = email.split("@")[0].rstrip("0")
            if path == "/healthz":
                floors.append(result)
            elif path != "/":
                measured.append((label, role, result))
            print(f"{label:30}{role:>12}{result[0]:9.1f}{result[1]:9.1f}{result[2]:8.1f}")
    # The floor is /healthz (one `select 1`), before and after the pages, as in bench.pages.
    f50, f95, frate = (sum(f[i] for f in floors) / len(floors) for i in range(3))
    found = [
        row("scheduling pages: floor /healthz", "req/s", frate, note="mean of before/after"),
        row("scheduling pages: floor /healthz", "p95 ms", f95, note=f"p50 {f50:.1f} ms"),
    ]
    for label, role, (p50, p95, rate) in measured:
        scenario = f"scheduling pages: {label.split('?')[0]} as {role}"
        found += [
            row(scenario, "req/s", rate, frate, "≥ 0.5x"),
            row(scenario, "p95 ms", p95, f95, "≤ 50 ms", f"p50 {p50:.1f} ms"),
        ]
        print(f"{label:30}{role:>12}{'':26}{rate / frate:15.2f}x")
    return found


def run() -> list[Row]:
    admin_url, app_url = os.environ["DATABASE_ADMIN_URL"], os.environ["DATABASE_URL"]
    day = bench_day()
    if os.environ.get("BENCH_REBUILD") or not up_to_date(admin_url, day):
        started = time.perf_counter()
        build(admin_url, day)
        print(f"built {NAME} in {time.perf_counter() - started:.0f} s")
    else:
        print(f"reusing {NAME} (schema, data and day unchanged)")
    with (
        admin_connection(_url(admin_url, NAME)) as owner,
        psycopg.connect(_url(app_url, NAME), row_factory=dict_row) as app,
    ):
        sizes = owner.execute(
            "select (select count(*) from public.tenants) as companies,"
            " (select count(*) from public.visits) as visits,"
            " (select count(*) from public.customers) as customers"
        ).fetchone()
        assert sizes is not None
        print(
            f"{sizes['companies']:,} companies, {sizes['visits']:,} visits, {sizes['customers']:,}"
            f" customers; the big company: {TECHNICIANS} technicians, {TECHNICIANS * PER_DAY}"
            f" visits on {day:%a %Y-%m-%d} and {HISTORY} working days of history,"
            f" {BIG_CUSTOMERS:,} customers"
        )
        dispatcher, technician = member(owner, DISPATCHER), member(owner, TECHNICIAN)
        board = page_statements(dispatcher, day)["board"]
        my_day = page_statements(technician, day)["my day"]
        rows = compare(owner, app, "(a) dispatch board, one day", board, dispatcher)
        rows += compare(owner, app, "(b) my day, one technician", my_day, technician)
        print("\nplans through row-level security, unprepared (executed):")
        print("  visits of the day, as the dispatcher:\n" + plan(app, board[2], dispatcher))
        print("  the technician's visits, as the technician:\n" + plan(app, my_day[1], technician))
        print("  the technician's helpers, one call each:\n" + helpers(app, technician))
    return rows + pages(app_url, admin_url, day)


def main() -> None:
    run()


if __name__ == "__main__":
    main()
