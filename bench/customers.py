"""Customer search at scale: one company with 100,000 customers among 1,000 companies
(100,000 more customers between them), searched through the real tenant transaction and, as
the floor, by the table owner with only `where tenant_id = …`.

Run: `make bench` (or `python -m bench.customers`). Reproducible: fixed seed; BENCH_REUSE=1 keeps
the database of the last run.
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
from app.customers.search import search_statement
from app.db import Connection, admin_connection, begin
from bench.results import Row, row

NAME = "plenum_bench_customers"
COMPANIES = 1_000
BIG = 100_000
SMALL = 100
ROUNDS = 100
# (table, trigger): the audit triggers switched off while the data is loaded.
AUDIT_TRIGGERS = [
    (table, trigger)
    for table in ("public.customers", "public.properties")
    for trigger in ("audit_changes", "audit_inserts")
]
FIRST = ["James", "Maria", "Robert", "Linda", "Carlos", "Aisha", "Wei", "Priya", "Tomasz", "Grace"]
LAST = ["Nowak", "Garcia", "Johnson", "Kowalski", "Patel", "Nguyen", "Murphy", "Okafor", "Chen"]
STREETS = ["Elm St", "Oak Ave", "Maple Dr", "Lincoln Ave", "Western Ave", "Belmont Ave"]

# The floor: the same match by the table owner (row-level security does not apply to it), so
# the trigram indexes serve ILIKE directly; the app's statement comes from app.customers.search.
FLOOR_MATCH = sql.SQL(
    "with matches as ("
    "  select id from public.customers where tenant_id = %(t)s and search_text ilike %(q)s"
    "  union"
    "  select customer_id from public.properties"
    "  where tenant_id = %(t)s and search_text ilike %(q)s)"
    " select c.id, c.display_name from public.customers c"
    " join matches m on m.id = c.id where c.tenant_id = %(t)s"
    " order by c.display_name, c.id limit 51"
)
FLOOR_LIST = sql.SQL(
    "select c.id, c.display_name from public.customers c"
    " where c.tenant_id = %(t)s order by c.display_name, c.id limit 51"
)
# (label, what a person types, the floor's pattern)
CASES = [
    ("list, first page by name", "", ""),
    ("phone typed '(312) 555-0142'", "(312) 555-0142", "%3125550142%"),
    ("email fragment 'nowak.12'", "nowak.12", "%nowak.12%"),
    ("address '4410 elm'", "4410 elm", "%4410 elm%"),
    ("no match 'zzqx'", "zzqx", "%zzqx%"),
    ("common name 'kowals' (11%)", "kowals", "%kowals%"),
]


def _url(base: str, name: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def build(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(NAME))
        )
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(NAME)))
    rng = random.Random(7)
    with admin_connection(_url(admin_url, NAME)) as conn:
        migrations.up(conn)
        # Loading is not what is measured: without the audit trigger it takes seconds, not minutes.
        for table, trigger in AUDIT_TRIGGERS:
            conn.execute(f"alter table {table} disable trigger {trigger}")
        tenants = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(COMPANIES)]
        with (
            conn.transaction(),
            conn.cursor() as cur,
            cur.copy("copy public.tenants (id, name) from stdin") as copy,
        ):
            for i, tenant in enumerate(tenants):
                copy.write_row((tenant, f"Company {i}"))
        with conn.transaction(), conn.cursor() as cur:
            rows = []
            for index, tenant in enumerate(tenants):
                for n in range(BIG if index == 0 else SMALL):
                    first, last = rng.choice(FIRST), rng.choice(LAST)
                    rows.append(
                        (
                            tenant,
                            uuid.UUID(int=rng.getrandbits(128), version=4),
                            first,
                            last,
                            f"{first}.{last}.{n}@example.com".lower(),
                            f"+1312555{n % 10000:04d}",
                        )
                    )
            with cur.copy(
                "copy public.customers (tenant_id, id, first_name, last_name, email, phone)"
                " from stdin"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
            with cur.copy(
                "copy public.properties (tenant_id, customer_id, street, city, postal_code)"
                " from stdin"
            ) as copy:
                for tenant, customer, *_ in rows:
                    copy.write_row(
                        (
                            tenant,
                            customer,
                            f"{rng.randint(100, 9999)} {rng.choice(STREETS)}",
                            "Chicago",
                            "60614",
                        )
                    )
        for table, trigger in AUDIT_TRIGGERS:
            conn.execute(f"alter table {table} enable trigger {trigger}")
        conn.execute("vacuum analyze")


def samples(run: Callable[[], object]) -> tuple[float, float]:
    taken = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        run()
        taken.append((time.perf_counter() - start) * 1000)
    taken.sort()
    return statistics.median(taken), taken[int(len(taken) * 0.95)]


def bench_owner(owner: Connection, tenant: uuid.UUID) -> dict[str, str]:
    """A member who owns the big company, for the claims of the app's transaction."""
    account = owner.execute(
        "insert into iam.accounts (email, full_name, password_hash)"
        " values ('bench-owner@example.com', 'Bench Owner', '$argon2id$bench')"
        " on conflict (email) do update set full_name = excluded.full_name returning id"
    ).fetchone()
    assert account is not None
    owner.execute(
        "insert into public.memberships (tenant_id, account_id, full_name, email, role)"
        " values (%(t)s, %(a)s, 'Bench Owner', 'bench-owner@example.com', 'owner')"
        " on conflict (tenant_id, account_id) do nothing",
        {"t": tenant, "a": account["id"]},
    )
    return {"role": "authenticated", "sub": str(account["id"]), "tenant_id": str(tenant)}


def measure(
    owner: Connection,
    app: Connection,
    claims: dict[str, str],
    tenant: uuid.UUID,
    case: tuple[str, str, str],
) -> tuple[int, tuple[float, float], tuple[float, float]]:
    """(rows, floor p50/p95, app p50/p95) of one case."""
    _, typed, pattern = case
    floor_statement = FLOOR_MATCH if typed else FLOOR_LIST
    floor_params = {"t": tenant, "q": pattern}
    floor = samples(lambda: owner.execute(floor_statement, floor_params, prepare=False).fetchall())
    with app.transaction():
        begin(app, claims)

        def page() -> list[dict[str, object]]:
            # As app.customers.search.search does: one statement (the match, then the page).
            statement, params = search_statement(tenant, typed, "name", None)
            return app.execute(statement, params, prepare=False).fetchall()

        rows = page()
        timed = samples(page)
    return min(len(rows), 50), floor, timed


def run() -> list[Row]:
    admin_url, app_url = os.environ["DATABASE_ADMIN_URL"], os.environ["DATABASE_URL"]
    if not os.environ.get("BENCH_REUSE"):
        started = time.perf_counter()
        build(admin_url)
        print(f"built {NAME} in {time.perf_counter() - started:.0f} s")
    with (
        admin_connection(_url(admin_url, NAME)) as owner,
        psycopg.connect(_url(app_url, NAME), row_factory=dict_row, autocommit=True) as app,
    ):
        big = owner.execute(
            "select tenant_id, count(*) as n from public.customers group by 1"
            " order by 2 desc limit 1"
        ).fetchone()
        assert big is not None
        claims = bench_owner(owner, big["tenant_id"])
        print(
            f"customer search: one company with {big['n']:,} customers among {COMPANIES:,}"
            f" companies; {ROUNDS} rounds; ms per statement, planned per call"
        )
        print(f"{'':32}{'rows':>5}{'floor p50':>11}{'p95':>7}{'app p50':>10}{'p95':>7}{'ratio':>7}")
        found: list[Row] = []
        for case in CASES:
            rows, floor, timed = measure(owner, app, claims, big["tenant_id"], case)
            print(
                f"{case[0]:32}{rows:5d}{floor[0]:11.2f}{floor[1]:7.2f}{timed[0]:10.2f}"
                f"{timed[1]:7.2f}{timed[0] / floor[0]:7.2f}"
            )
            found.append(
                row(
                    f"customer search, 100,000 customers: {case[0]}",
                    "p95 ms",
                    timed[1],
                    floor[1],
                    "p95 ≤ 30 ms",
                    f"{rows} rows; p50 {timed[0]:.2f} vs floor {floor[0]:.2f} ms",
                )
            )
    return found


def main() -> None:
    run()


if __name__ == "__main__":
    main()
