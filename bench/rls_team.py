"""RLS cost of the tenancy helpers: a company's team list read through the real tenant
transaction (role + claims, policies calling app.tenant_id() and app.has_role()) against the
same SQL run by the table owner with only `where tenant_id = …` (the physical floor).

Run: `make bench` (or `python -m bench.rls_team` with DATABASE_URL/DATABASE_ADMIN_URL set).
Reproducible: fixed seed, data rebuilt in its own database each run.
"""

from __future__ import annotations

import os
import random
import statistics
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from app import migrations
from app.db import Connection, admin_connection, begin
from bench.results import Row, row

COMPANIES = 1_000
MEMBERS_PER_COMPANY = 8
ROUNDS = 2_000
QUERY = (
    "select id, full_name, email, role from public.memberships"
    " where tenant_id = %(tenant_id)s and status = 'active' order by full_name limit 50"
)


def _url(base: str, name: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def build(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    rng = random.Random(42)
    with admin_connection(_url(admin_url, name)) as conn:
        migrations.up(conn)
        with conn.transaction():
            tenants = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(COMPANIES)]
            with conn.cursor().copy("copy public.tenants (id, name) from stdin") as copy:
                for i, tenant in enumerate(tenants):
                    copy.write_row((tenant, f"Company {i}"))
            accounts = []
            with conn.cursor().copy(
                "copy iam.accounts (id, email, full_name, password_hash) from stdin"
            ) as copy:
                for i in range(COMPANIES * MEMBERS_PER_COMPANY):
                    account = uuid.UUID(int=rng.getrandbits(128), version=4)
                    accounts.append(account)
                    copy.write_row((account, f"p{i}@bench.example", f"Person {i}", "$argon2id$x"))
            roles = ["owner", "admin", "dispatcher", "office", "technician"]
            with conn.cursor().copy(
                "copy public.memberships (tenant_id, account_id, full_name, email, role) from stdin"
            ) as copy:
                for i, account in enumerate(accounts):
                    tenant = tenants[i // MEMBERS_PER_COMPANY]
                    role = roles[min(i % MEMBERS_PER_COMPANY, 4)]
                    copy.write_row((tenant, account, f"Person {i}", f"p{i}@bench.example", role))
        conn.execute("analyze")


def timed(run: Callable[[], object]) -> list[float]:
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95)]


def run() -> list[Row]:
    admin_url, app_url = os.environ["DATABASE_ADMIN_URL"], os.environ["DATABASE_URL"]
    name = "plenum_bench_rls_team"
    if not os.environ.get("BENCH_REUSE"):  # BENCH_REUSE=1 keeps the last run's data
        build(admin_url, name)
    with admin_connection(_url(admin_url, name)) as owner:
        office = owner.execute(
            "select tenant_id, account_id from public.memberships where role = 'owner'"
            " order by tenant_id limit 1 offset 500"
        ).fetchone()
        assert office is not None
        params = {"tenant_id": office["tenant_id"]}
        claims = {
            "role": "authenticated",
            "sub": str(office["account_id"]),
            "tenant_id": str(office["tenant_id"]),
        }
        app_conn: Connection = psycopg.connect(_url(app_url, name), row_factory=dict_row)

        def through_rls() -> object:
            with app_conn.transaction():
                begin(app_conn, claims)
                return app_conn.execute(QUERY, params).fetchall()

        def floor() -> object:
            with owner.transaction():
                return owner.execute(QUERY, params).fetchall()

        def statement_only() -> object:
            return app_conn.execute(QUERY, params).fetchall()

        assert len(through_rls()) == len(floor()) == MEMBERS_PER_COMPANY  # type: ignore[arg-type]
        floor_samples, rls_samples = timed(floor), timed(through_rls)
        with app_conn.transaction():
            begin(app_conn, claims)
            statement_samples = timed(statement_only)
        with owner.transaction():
            floor_statement_samples = timed(lambda: owner.execute(QUERY, params).fetchall())
        with app_conn.transaction():
            begin(app_conn, claims)
            plan = "\n".join(
                row["QUERY PLAN"]
                for row in app_conn.execute(
                    sql.SQL("explain ") + sql.SQL(QUERY),
                    params,
                ).fetchall()
            )
        app_conn.close()
    floor_p50, floor_p95 = summary(floor_samples)
    rls_p50, rls_p95 = summary(rls_samples)
    print(
        f"team list of one company among {COMPANIES:,} ({MEMBERS_PER_COMPANY} members each),"
        f" {ROUNDS} rounds, one transaction per round"
    )
    print(f"{'':28}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"{'owner + where (floor)':28}{floor_p50:10.3f}{floor_p95:10.3f}")
    print(f"{'authenticated + RLS':28}{rls_p50:10.3f}{rls_p95:10.3f}")
    stmt_p50, stmt_p95 = summary(statement_samples)
    floor_stmt_p50, floor_stmt_p95 = summary(floor_statement_samples)
    print(f"{'  statement only, floor':28}{floor_stmt_p50:10.3f}{floor_stmt_p95:10.3f}")
    print(f"{'  statement only, RLS':28}{stmt_p50:10.3f}{stmt_p95:10.3f}")
    print(
        f"ratio per request (p50): {rls_p50 / floor_p50:.2f}x"
        " (adds the role/claims statement: one more round trip)"
    )
    print(f"ratio per statement (p50): {stmt_p50 / floor_stmt_p50:.2f}x (the policies' own cost)")
    print("plan through RLS:\n" + plan)
    scans = "index scans" if "Seq Scan" not in plan else "SEQ SCAN in plan"
    scenario = "RLS team list (memberships), 1,000 companies"
    return [
        row(scenario, "per request p50 ms", rls_p50, floor_p50, "≤ 1.2x", "adds the claims"),
        row(scenario, "per statement p50 ms", stmt_p50, floor_stmt_p50, "≤ 1.2x", scans),
    ]


def main() -> None:
    run()


if __name__ == "__main__":
    main()
