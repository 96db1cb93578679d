"""The office's money lists and reports at 100,000 invoices: the invoices list's first page, the
unpaid invoices by age, and a month of payments by day and of revenue by technician and by job
kind, as the app runs them (login role, the member's claims, row-level security,
unprepared), against the same statements run by the table owner, for whom the policies do not
apply (the floor). Built in its own database: one company with 100,000 invoices of two lines
each (70% paid, 10% partly paid, 15% sent, 5% void, issued over the last 400 days) among 100
companies of 100 invoices; each of the big company's invoices is for a job of its own with one
visit, worked by one of 20 technicians (three in ten by two).

Run: `python -m bench.money` (`BENCH_REUSE=1` keeps the database of an earlier run).
"""

from __future__ import annotations

import os
import random
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from app import migrations
from app.db import Connection, admin_connection, begin
from app.invoices.report_routes import queries as MONEY_REPORTS
from app.invoices.reports import queries as REPORTS
from app.invoices.service import queries as LISTS
from bench.customers import bench_owner
from bench.results import Row, row

NAME = "plenum_bench_money"
COMPANIES = 100
BIG = 100_000
SMALL = 100
ROUNDS = 60


def _url(base: str, name: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def build(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(NAME))
        )
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(NAME)))
    rng = random.Random(12)
    today = date.today()
    with admin_connection(_url(admin_url, NAME)) as conn:
        migrations.up(conn)
        tenants = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(COMPANIES)]
        with conn.transaction(), conn.cursor() as cur:
            # Loading is not what is measured: triggers (numbering, the status rules, the
            # audit log) are off for this transaction only, and the rows are made consistent.
            cur.execute("set local session_replication_role = replica")
            with cur.copy("copy public.tenants (id, name) from stdin") as copy:
                for i, tenant in enumerate(tenants):
                    copy.write_row((tenant, f"Company {i}"))
            crew = _crew(cur, tenants[0], rng)
            invoices, lines, payments = [], [], []
            for index, tenant in enumerate(tenants):
                for number in range(1001, 1001 + (BIG if index == 0 else SMALL)):
                    invoice = uuid.UUID(int=rng.getrandbits(128), version=4)
                    prices = [Decimal(rng.randint(50, 900)), Decimal(rng.randint(50, 3000))]
                    total = sum(prices, Decimal(0))
                    issued = today - timedelta(days=rng.randint(0, 400))
                    draw = rng.random()
                    status = (
                        "paid" if draw < 0.70 else "partly_paid" if draw < 0.80
                        else "sent" if draw < 0.95 else "void"
                    )  # fmt: skip
                    paid = (
                        total if status == "paid" else (total / 2).quantize(Decimal(1))
                        if status == "partly_paid" else Decimal(0)
                    )  # fmt: skip
                    invoices.append(  # the kept totals as the triggers would keep them
                        (tenant, invoice, number, status, rng.choice(["net_15", "net_30"]),
                         issued, "USD", f"Customer {number}",
                         f"{issued}T{rng.randint(8, 16):02d}:{rng.randint(0, 59):02d}:"
                         f"{rng.randint(0, 59):02d}Z",
                         f"{issued}T17:00:00Z",
                         f"{issued}T18:00:00Z" if status == "void" else None,
                         "Billed twice" if status == "void" else "", total, total, paid)
                    )  # fmt: skip
                    for position, price in enumerate(prices):
                        lines.append((tenant, invoice, position, "Work", 1, price))
                    if index == 0:
                        crew.work(invoice)
                    if paid:
                        payments.append((tenant, invoice, paid, "cash", issued))
            with cur.copy(
                "copy public.invoices (tenant_id, id, number, status, terms, issued_on, currency,"
                " bill_to_name, created_at, sent_at, voided_at, void_reason, subtotal, total, paid)"
                " from stdin"
            ) as copy:
                for values in invoices:
                    copy.write_row(values)
            with cur.copy(
                "copy public.invoice_lines (tenant_id, invoice_id, position, description,"
                " quantity, unit_price) from stdin"
            ) as copy:
                for line in lines:
                    copy.write_row(line)
            with cur.copy(
                "copy public.payments (tenant_id, invoice_id, amount, method, received_on)"
                " from stdin"
            ) as copy:
                for payment in payments:
                    copy.write_row(payment)
            crew.save(cur)
        conn.execute("vacuum analyze")


TECHNICIANS = 20


class _Crew:
    """The big company's technicians, and a job with one visit for each of its invoices."""

    def __init__(self, tenant: uuid.UUID, technicians: list[uuid.UUID], rng: random.Random):
        self.tenant, self.technicians, self.rng = tenant, technicians, rng
        self.customer, self.place = uuid.uuid4(), uuid.uuid4()
        self.jobs: list[tuple[Any, ...]] = []
        self.visits: list[tuple[Any, ...]] = []
        self.assignments: list[tuple[Any, ...]] = []
        self.invoice_jobs: dict[uuid.UUID, uuid.UUID] = {}

    def work(self, invoice: uuid.UUID) -> None:
        job, visit = uuid.uuid4(), uuid.uuid4()
        kind = self.rng.choice(["repair", "maintenance", "install", "estimate"])
        self.jobs.append((self.tenant, job, self.customer, self.place, kind, "Work"))
        self.visits.append((self.tenant, visit, job))
        workers = self.rng.sample(self.technicians, 2 if self.rng.random() < 0.3 else 1)
        self.assignments += [(self.tenant, visit, worker) for worker in workers]
        self.invoice_jobs[invoice] = job

    def save(self, cur: Any) -> None:
        cur.execute(
            "insert into public.customers (tenant_id, id, first_name) values (%s, %s, 'Bench')",
            [self.tenant, self.customer],
        )
        cur.execute(
            "insert into public.properties (tenant_id, id, customer_id, street, city)"
            " values (%s, %s, %s, '1 Main St', 'Springfield')",
            [self.tenant, self.place, self.customer],
        )
        for statement, rows in (
            ("public.jobs (tenant_id, id, customer_id, property_id, kind, summary)", self.jobs),
            ("public.visits (tenant_id, id, job_id)", self.visits),
            ("public.visit_assignments (tenant_id, visit_id, technician_id)", self.assignments),
        ):
            with cur.copy(f"copy {statement} from stdin") as copy:
                for values in rows:
                    copy.write_row(values)
        cur.execute(
            "update public.invoices i set job_id = j.job, customer_id = %s, property_id = %s"
            " from unnest(%s::uuid[], %s::uuid[]) as j(invoice, job)"
            " where i.tenant_id = %s and i.id = j.invoice",
            [self.customer, self.place, list(self.invoice_jobs), list(self.invoice_jobs.values()),
             self.tenant],
        )  # fmt: skip


def _crew(cur: Any, tenant: uuid.UUID, rng: random.Random) -> _Crew:
    technicians = []
    for n in range(TECHNICIANS):
        row = cur.execute(
            "insert into iam.accounts (email, full_name, password_hash)"
            " values (%s, %s, '$argon2id$bench') returning id",
            [f"tech{n}@example.com", f"Technician {n:02d}"],
        ).fetchone()
        cur.execute(
            "insert into public.memberships (tenant_id, account_id, full_name, email, role)"
            " values (%s, %s, %s, %s, 'technician')",
            [tenant, row["id"], f"Technician {n:02d}", f"tech{n}@example.com"],
        )
        technicians.append(row["id"])
    return _Crew(tenant, technicians, rng)


def samples(run: Callable[[], object]) -> tuple[float, float]:
    taken = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        run()
        taken.append((time.perf_counter() - start) * 1000)
    taken.sort()
    return statistics.median(taken), taken[int(len(taken) * 0.95)]


CASES: list[tuple[str, str, Callable[[uuid.UUID], dict[str, object]]]] = [
    (
        "invoices list, first page",
        LISTS.list_invoices,
        lambda t: {
            "tenant_id": t,
            "status": None,
            "number": None,
            "pattern": None,
            "starts": None,
            "ends": None,
            "technician_id": None,
            "limit": 51,
            "offset": 0,
        },
    ),
    (
        "invoices list, unpaid (sent)",
        LISTS.list_invoices,
        lambda t: {
            "tenant_id": t,
            "status": "sent",
            "number": None,
            "pattern": None,
            "starts": None,
            "ends": None,
            "technician_id": None,
            "limit": 51,
            "offset": 0,
        },
    ),
    (
        "unpaid by age, the buckets",
        REPORTS.ageing_buckets,
        lambda t: {"tenant_id": t, "today": date.today()},
    ),
    (
        "unpaid by age, first page",
        REPORTS.ageing_page,
        lambda t: {
            "tenant_id": t,
            "today": date.today(),
            "due_after": None,
            "due_by": None,
            "limit": 51,
            "offset": 0,
        },
    ),
    ("payments by day, a month", MONEY_REPORTS.payments_by_day, lambda t: _month(t)),
    ("revenue by technician, a month", MONEY_REPORTS.revenue_by_technician, lambda t: _month(t)),
    ("revenue by job kind, a month", MONEY_REPORTS.revenue_by_kind, lambda t: _month(t)),
]


def _month(tenant: uuid.UUID) -> dict[str, object]:
    """The last 30 days: a month of the company's invoices (about 7,500) and payments."""
    return {"tenant_id": tenant, "starts": date.today() - timedelta(days=29), "ends": date.today()}


def _fetch(conn: Connection, statement: str, params: dict[str, object]) -> list[Any]:
    return conn.execute(statement, params, prepare=False).fetchall()


def run() -> list[Row]:
    admin_url, app_url = os.environ["DATABASE_ADMIN_URL"], os.environ["DATABASE_URL"]
    if not os.environ.get("BENCH_REUSE"):
        started = time.perf_counter()
        build(admin_url)
        print(f"built {NAME} in {time.perf_counter() - started:.0f} s")
    found: list[Row] = []
    with (
        admin_connection(_url(admin_url, NAME)) as owner,
        psycopg.connect(_url(app_url, NAME), row_factory=dict_row, autocommit=True) as app,
    ):
        big = owner.execute(
            "select tenant_id, count(*) as n from public.invoices group by 1"
            " order by 2 desc limit 1"
        ).fetchone()
        assert big is not None
        tenant = big["tenant_id"]
        claims = bench_owner(owner, tenant)
        print(
            f"money lists: one company with {big['n']:,} invoices among {COMPANIES} companies;"
            f" {ROUNDS} rounds; ms per statement, planned per call"
        )
        print(f"{'':32}{'rows':>7}{'floor p50':>11}{'p95':>7}{'app p50':>10}{'p95':>7}")
        for label, statement, make in CASES:
            params = make(tenant)
            floor = samples(partial(_fetch, owner, statement, params))
            with app.transaction():
                begin(app, claims)
                count = len(_fetch(app, statement, params))
                timed = samples(partial(_fetch, app, statement, params))
            print(
                f"{label:32}{count:7d}{floor[0]:11.2f}{floor[1]:7.2f}{timed[0]:10.2f}{timed[1]:7.2f}"
            )
            found.append(
                row(
                    f"money, 100,000 invoices: {label}",
                    "p95 ms",
                    timed[1],
                    floor[1],
                    "p95 ≤ 50 ms",
                    f"{count:,} rows; p50 {timed[0]:.2f} vs floor {floor[0]:.2f} ms",
                )
            )
    return found


if __name__ == "__main__":
    run()
