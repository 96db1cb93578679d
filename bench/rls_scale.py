"""RLS cost at scale: the customer search, the day's visits on the board and the customer
page, for a typical company and the large one among BENCH_COMPANIES, through the real tenant
transaction (login role, `app.db.begin` with a dispatcher's claims, the policies) against the
same SQL run by the table owner with only `where tenant_id = …` (the floor). Rounds alternate
floor and app, so that drift hits both alike; statements unprepared, as deployed.

The search's floor is the match by the owner (`bench.customers.FLOOR_MATCH`): the app's
statement calls `app.customer_ids_matching`, which needs the member's claims.

Run: `python -m bench.rls_scale` (on `bench.scale`'s database).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as clock
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from app.customers.search import search_statement
from app.db import Connection, admin_connection, begin
from app.sql import Queries
from bench import scale
from bench.customers import FLOOR_MATCH
from bench.results import Row, p50_p95, row

ROUNDS, BUDGET_S = 300, 4.0
TERM = "nowak.12"  # an email fragment: 50 or more matches in the large company
Statement = tuple[Any, dict[str, Any]]
Run = Callable[[Connection], list[int]]


def member(owner: Connection, email: str) -> dict[str, str]:
    found = owner.execute(
        "select tenant_id, account_id from public.memberships where email = %s", [email]
    ).fetchone()
    assert found is not None, email
    return {
        "role": "authenticated",
        "sub": str(found["account_id"]),
        "tenant_id": str(found["tenant_id"]),
    }


def _statements(conn: Connection, statements: list[Statement]) -> list[int]:
    return [len(conn.execute(s, p, prepare=False).fetchall()) for s, p in statements]


def cases(owner: Connection, claims: dict[str, str]) -> dict[str, tuple[Run, Run, Statement]]:
    """Per case: the app's run, the floor's run and the statement whose plan is reported."""
    tenant = UUID(claims["tenant_id"])
    customers = Queries(scale.ROOT / "app/customers/queries.sql")
    board = Queries(scale.ROOT / "app/scheduling/board.sql")
    day = scale.bench_day()
    bounds = {
        "tenant_id": tenant,
        "starts": datetime.combine(day, clock(0), tzinfo=scale.ZONE),
        "ends": datetime.combine(day + timedelta(days=1), clock(0), tzinfo=scale.ZONE),
    }
    some = owner.execute(
        "select c.id from public.customers c join public.jobs j"
        " on j.tenant_id = c.tenant_id and j.customer_id = c.id"
        " where c.tenant_id = %s order by c.id limit 1",
        [tenant],
    ).fetchone()
    assert some is not None
    page = [
        (customers.customer, {"tenant_id": tenant, "id": some["id"]}),
        (customers.list_properties, {"tenant_id": tenant, "customer_id": some["id"]}),
    ]
    visits = [(board.visits_between, bounds)]

    def search(conn: Connection) -> list[int]:
        # As app.customers.search.search does: one statement (the match, then the page).
        statement, params = search_statement(tenant, TERM, "name", None)
        return [len(conn.execute(statement, params, prepare=False).fetchall())]

    floor_search = [(FLOOR_MATCH, {"t": tenant, "q": f"%{TERM}%"})]
    app_search = search_statement(tenant, TERM, "name", None)
    return {
        f"customer search '{TERM}'": (
            search,
            lambda c: _statements(c, floor_search),
            app_search,
        ),
        "day's visits (board)": (
            lambda c: _statements(c, visits),
            lambda c: _statements(c, visits),
            visits[0],
        ),
        "customer page": (
            lambda c: _statements(c, page),
            lambda c: _statements(c, page),
            page[1],
        ),
    }


def timed(
    conn: Connection, run: Run, claims: dict[str, str] | None
) -> tuple[float, float, list[int]]:
    """(whole transaction, statements only) in ms, and the statements' row counts."""
    started = time.perf_counter()
    with conn.transaction():
        if claims:
            begin(conn, claims)
        at = time.perf_counter()
        counts = run(conn)
        done = time.perf_counter()
    return (time.perf_counter() - started) * 1000, (done - at) * 1000, counts


def scans(app: Connection, claims: dict[str, str], statement: Statement) -> str:
    """The scan nodes of the plan PostgreSQL runs through the policies, from EXPLAIN (format
    json): which tables are read with which scan."""
    with app.transaction(force_rollback=True):
        begin(app, claims)
        found = app.execute(
            sql.SQL("explain (format json) ") + sql.SQL(statement[0])
            if isinstance(statement[0], str)
            else sql.SQL("explain (format json) ") + statement[0],
            statement[1],
        ).fetchone()
    assert found is not None
    seen: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        if "Scan" in node["Node Type"] and "Relation Name" in node:
            seen.append(f"{node['Node Type']} {node['Relation Name']}")
        for child in node.get("Plans", []):
            walk(child)

    walk(next(iter(found.values()))[0]["Plan"])
    sequential = sorted({s for s in seen if s.startswith("Seq Scan")})
    verdict = "index scans" if not sequential else "SEQ: " + ", ".join(sequential)
    return f"{verdict} ({len(seen)} scans)"


def measure(
    owner: Connection, app: Connection, label: str, claims: dict[str, str], large: bool
) -> list[Row]:
    rows: list[Row] = []
    for name, (app_run, floor_run, statement) in cases(owner, claims).items():
        same = timed(app, app_run, claims)[2] == timed(owner, floor_run, None)[2]
        assert same or name.startswith("customer search"), name  # the same rows either way
        taken: dict[str, list[tuple[float, float, list[int]]]] = {"floor": [], "app": []}
        started = time.perf_counter()
        while len(taken["app"]) < ROUNDS and (
            len(taken["app"]) < 20 or time.perf_counter() - started < BUDGET_S
        ):
            taken["floor"].append(timed(owner, floor_run, None))
            taken["app"].append(timed(app, app_run, claims))
        f50, f95 = p50_p95([t[1] for t in taken["floor"]])
        a50, a95 = p50_p95([t[1] for t in taken["app"]])
        w50, _ = p50_p95([t[0] for t in taken["floor"]])
        r50, _ = p50_p95([t[0] for t in taken["app"]])
        plan = scans(app, claims, statement)
        scenario = f"RLS {label}: {name}"
        search_target = "p95 ≤ 30 ms" if name.startswith("customer search") and large else ""
        rows += [
            row(scenario, "statements p50 ms", a50, f50, "≤ 1.2x", plan),
            row(scenario, "statements p95 ms", a95, f95, search_target),
            row(scenario, "whole transaction p50 ms", r50, w50, "", "adds begin(): claims"),
        ]
    return rows


def run() -> list[Row]:
    admin_url, app_url = os.environ["DATABASE_ADMIN_URL"], os.environ["DATABASE_URL"]
    sizes, _, how = scale.ensure(admin_url)
    print(f"RLS at scale on {scale.NAME} ({how}): {sizes}")
    with (
        admin_connection(scale.url(admin_url)) as owner,
        psycopg.connect(scale.url(app_url), row_factory=dict_row, autocommit=True) as app,
    ):
        rows = measure(owner, app, "typical company", member(owner, scale.typical(sizes)), False)
        big = f"large company ({sizes.large_customers:,} customers)"
        rows += measure(owner, app, big, member(owner, scale.DISPATCHER), True)
    for r in rows:
        print(f"  {r['scenario']:70} {r['measure']:26} {r['value']:8.2f} {r['baseline']:8.2f}")
    return rows


if __name__ == "__main__":
    run()
