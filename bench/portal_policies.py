"""What the homeowners' select policies (the portal's, `app.portal_*`) cost staff: they are
permissive, so PostgreSQL ORs them with the staff policies on every read of those tables. For
the large company's dispatcher, the board's day of visits, the customer list, a customer search
and the customer page (`bench.rls_scale`'s statements, the app's own SQL) are timed with the
homeowner policies in place (value) and with them dropped (baseline), in alternating blocks so
that drift hits both alike. The note reads the plan through the policies (EXPLAIN ANALYZE,
verbose): the scans, and whether every portal helper is an InitPlan run at most once per
statement (never a per-row call).

The baseline drops and re-creates the homeowner policies in the scale database (restored from
pg_policies when done, whatever happens): run it on a database of its own
(BENCH_SCALE_DATABASE) when others may use the shared one.

Run: `python -m bench.portal_policies` (on `bench.scale`'s database).
"""

from __future__ import annotations

import os
import time
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from app.customers.search import search_statement
from app.db import Connection, admin_connection, begin
from bench import rls_scale, scale
from bench.results import Row, p50_p95, row

BLOCKS, ROUNDS = 10, 60  # alternating blocks with and without, rounds of each case per block
HOMEOWNER_POLICIES = """
    select schemaname, tablename, policyname, cmd, roles::text[] as roles, qual, with_check
    from pg_policies
    where coalesce(qual, '') || coalesce(with_check, '') like '%app.portal\\_%'
    order by 1, 2, 3
"""


def drop(owner: Connection, policies: list[dict[str, Any]]) -> None:
    with owner.transaction():
        for p in policies:
            owner.execute(
                sql.SQL("drop policy {} on {}").format(
                    sql.Identifier(p["policyname"]),
                    sql.Identifier(p["schemaname"], p["tablename"]),
                )
            )


def create(owner: Connection, policies: list[dict[str, Any]]) -> None:
    with owner.transaction():
        for p in policies:
            owner.execute(
                sql.SQL("create policy {} on {} for {} to {} using ({})").format(
                    sql.Identifier(p["policyname"]),
                    sql.Identifier(p["schemaname"], p["tablename"]),
                    sql.SQL(p["cmd"]),
                    sql.SQL(", ").join(map(sql.Identifier, p["roles"])),
                    sql.SQL(p["qual"]),  # from the catalog, never from input
                )
            )


def plan_note(app: Connection, claims: dict[str, str], statement: Any) -> str:
    """The scans, and how often the portal helpers ran, from EXPLAIN ANALYZE (verbose)."""
    text, params = statement
    query = sql.SQL(text) if isinstance(text, str) else text
    with app.transaction(force_rollback=True):
        begin(app, claims)
        found = app.execute(
            sql.SQL("explain (analyze, verbose, format json) ") + query, params
        ).fetchone()
    assert found is not None
    scans: list[str] = []
    helpers, ran, per_row = 0, 0, []

    def walk(node: dict[str, Any]) -> None:
        nonlocal helpers, ran
        if "Scan" in node["Node Type"] and "Relation Name" in node:
            scans.append(f"{node['Node Type']} {node['Relation Name']}")
        calls = " ".join(map(str, node.get("Output", [])))
        if "portal_" in calls:
            helpers += 1
            ran += node.get("Actual Loops", 0) > 0
            if node.get("Parent Relationship") != "InitPlan" or node.get("Actual Loops", 0) > 1:
                per_row.append(node["Node Type"])
        for key in ("Filter", "Index Cond", "Recheck Cond", "Join Filter"):
            if "portal_" in str(node.get(key, "")):
                per_row.append(f"{node['Node Type']} {key}")
        for child in node.get("Plans", []):
            walk(child)

    explained = next(iter(found.values()))[0]
    walk(explained["Plan"])
    sequential = sorted({s for s in scans if s.startswith("Seq Scan")})
    verdict = "index scans" if not sequential else "SEQ: " + ", ".join(sequential)
    bitmaps = sum(s.startswith("Bitmap Heap") for s in scans)
    once = "at most once each (InitPlan)" if not per_row else f"PER ROW: {', '.join(per_row)}"
    return (
        f"{verdict} ({len(scans)} scans, {bitmaps} bitmap heap); portal helpers {ran} of"
        f" {helpers} run, {once}; planned in {explained['Planning Time']:.1f} ms"
    )


def measure(owner: Connection, app: Connection, claims: dict[str, str]) -> list[Row]:
    policies = owner.execute(HOMEOWNER_POLICIES).fetchall()
    assert policies, "no homeowner policy in the scale database"
    listed = search_statement(UUID(claims["tenant_id"]), "", "name", None)
    cases = {
        "customer list (first page)": (
            lambda c: [len(c.execute(listed[0], listed[1], prepare=False).fetchall())],
            None,
            listed,
        ),
        **rls_scale.cases(owner, claims),
    }
    taken: dict[str, dict[bool, list[float]]] = {name: {True: [], False: []} for name in cases}
    notes: dict[bool, dict[str, str]] = {}
    try:
        for block in range(BLOCKS):
            present = block % 2 == 0
            if present and block:
                create(owner, policies)
            elif not present:
                drop(owner, policies)
            for name, (app_run, _, statement) in cases.items():
                rls_scale.timed(app, app_run, claims)  # warm this state's plan
                for _ in range(ROUNDS):
                    taken[name][present].append(rls_scale.timed(app, app_run, claims)[1])
                if block < 2:
                    notes.setdefault(present, {})[name] = plan_note(app, claims, statement)
    finally:
        if len(owner.execute(HOMEOWNER_POLICIES).fetchall()) < len(policies):
            create(owner, [p for p in policies if p not in owner.execute(HOMEOWNER_POLICIES)])
    rows: list[Row] = []
    for name, samples in taken.items():
        with50, with95 = p50_p95(samples[True])
        without50, without95 = p50_p95(samples[False])
        scenario = f"portal policies, staff (large company): {name}"
        note = f"with: {notes[True][name]} | without: {notes[False][name]}"
        rows += [
            row(scenario, "statements p50 ms", with50, without50, "≤ 1.1x", note),
            row(scenario, "statements p95 ms", with95, without95),
        ]
    return rows


def run() -> list[Row]:
    admin_url, app_url = os.environ["DATABASE_ADMIN_URL"], os.environ["DATABASE_URL"]
    sizes, _, how = scale.ensure(admin_url)
    print(f"Portal policies for staff on {scale.NAME} ({how}): {sizes}")
    started = time.perf_counter()
    with (
        admin_connection(scale.url(admin_url)) as owner,
        psycopg.connect(scale.url(app_url), row_factory=dict_row, autocommit=True) as app,
    ):
        owner.autocommit = True
        rows = measure(owner, app, rls_scale.member(owner, scale.DISPATCHER))
    for r in rows:
        print(
            f"  {r['scenario']:70} {r['measure']:20} {r['value']:8.2f} {r['baseline']:8.2f}"
            f" {r['ratio'] or 0:6.2f}x"
        )
        if r["note"]:
            print(f"      {r['note']}")
    print(f"  ({time.perf_counter() - started:.0f} s)")
    return rows


if __name__ == "__main__":
    run()
