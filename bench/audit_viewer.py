"""Scenario 2 of bench.audit: the audit viewer's queries on a company with 1,000,000 log rows.

The log is loaded in one statement by the owner (inserting is the one thing the append-only
guard allows), interleaved in time with 50 other companies of 20,000 rows each, over two years
(the retention period). No audit.transactions rows are made: the viewer never reads them.
The queries are the viewer's own, built by `app.audit.search`, run by the app's login role with
an owner's claims, so the audit log's row-level security applies.
"""

from __future__ import annotations

import hashlib
import re
import statistics
import time
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from psycopg import sql

from app.audit import search
from app.db import Connection, admin_connection, begin
from bench.results import Row, row

OTHER_COMPANIES = 50
MEMBERS = 20  # per company, as bench.audit seeds them
ROWS_PER_OTHER = 20_000
LOG_ROWS = 2 * OTHER_COMPANIES * ROWS_PER_OTHER  # every other row is the viewed company's
ROUNDS = 60
# psycopg prepares a statement on its 5th use; PostgreSQL plans the first 5 executions of a
# prepared statement for their parameters, then may keep a generic plan: 11 runs get past both.
WARMUP = 11
MIN_SAMPLES, SLOW_BUDGET_S = 5, 1.5  # a slow case stops after this many samples and seconds
SLOW_MS = 50.0

# Deterministic "random" numbers in [0, 1) from the row number: the same log on every run.
LOAD = """
with ids as (
  select (select array_agg(md5('tenant-' || t)::uuid order by t)
          from generate_series(0, %(others)s) t) as companies,
         (select array_agg(md5('account-' || t || '-' || s)::uuid order by t, s)
          from generate_series(0, %(others)s) t, generate_series(0, %(members)s - 1) s) as members
)
insert into audit.changes (
  tenant_id, txid, table_name, row_key, operation, old_values, new_values,
  actor_id, actor_label, request_id, client_addr, changed_at
)
select (select companies from ids)[company + 1], (1000 + n / 4)::text::xid8,
       table_name,
       case when table_name = 'public.tenants' then md5('tenant-' || company)::uuid::text
            else md5(table_name || '-' || company || '-' || floor(r_record * records))::uuid::text
       end,
       operation,
       case when operation in ('update', 'delete')
            then '{"status": "scheduled", "notes": "Customer asked for a morning visit"}'::jsonb
       end,
       case operation
         when 'update' then '{"status": "done"}'::jsonb
         when 'insert' then '{"status": "scheduled", "priority": 2, "notes": "Morning"}'::jsonb
         when 'access' then '{"view": "record"}'::jsonb
       end,
       case when not system then (select members from ids)[company * %(members)s + slot + 1] end,
       case when system then 'service_role' else 'authenticated' end,
       md5('request-' || n), '203.0.113.' || mod(n, 250),
       timestamptz '2024-01-01 00:00+00' + n * interval '730 days' / %(rows)s
from (
  select *, case when operation = 'delete' then floor(r_actor * 3)  -- owners and admins
                 else floor(r_actor * %(members)s) end::int as slot
  from (
    select *,
           case when table_name = 'outbox.messages' or r_operation < 0.25 then 'insert'
                when r_operation < 0.84 then 'update'
                when r_operation < 0.85 then 'delete'
                else 'access' end as operation,
           case table_name when 'public.visits' then 50000 when 'public.customers' then 20000
                           when 'public.invitations' then 5000 when 'public.memberships' then 20
                           else 1000000000 end as records
    from (
      select n, r_record, r_actor, r_operation, r_system < 0.05 as system,
             case when mod(n, 2) = 0 then 0 else 1 + mod(n / 2, %(others)s) end as company,
             case when r_table < 0.35 then 'public.visits'
                  when r_table < 0.55 then 'public.customers'
                  when r_table < 0.80 then 'outbox.messages'
                  when r_table < 0.90 then 'public.invitations'
                  when r_table < 0.998 then 'public.memberships'
                  else 'public.tenants' end as table_name
      from generate_series(1, %(rows)s) n
      cross join lateral (
        select (hashint8(n * 8 + 1) + 2147483648.0::float8) / 4294967296.0::float8 as r_table,
               (hashint8(n * 8 + 2) + 2147483648.0::float8) / 4294967296.0::float8 as r_record,
               (hashint8(n * 8 + 3) + 2147483648.0::float8) / 4294967296.0::float8 as r_actor,
               (hashint8(n * 8 + 4) + 2147483648.0::float8) / 4294967296.0::float8 as r_operation,
               (hashint8(n * 8 + 5) + 2147483648.0::float8) / 4294967296.0::float8 as r_system
      ) r
    ) picked
  ) with_operation
) with_actor
"""

Case = tuple[str, sql.Composed, dict[str, Any]]
MODES = ("prepared", "unprepared")


def md5_uuid(text: str) -> UUID:
    """PostgreSQL's `md5(text)::uuid`: ids follow from names, so SQL and Python agree."""
    return UUID(hex=hashlib.md5(text.encode(), usedforsecurity=False).hexdigest())


def load(owner_url: str) -> None:
    """LOG_ROWS rows in one statement, so that the table's physical order follows time as in a
    real log (and plans do not depend on how parallel loaders raced), then VACUUM ANALYZE."""
    began = time.perf_counter()
    with admin_connection(owner_url) as owner:
        owner.execute(LOAD, {"rows": LOG_ROWS, "others": OTHER_COMPANIES, "members": MEMBERS})
        loaded = time.perf_counter() - began
        owner.execute("vacuum (analyze) audit.changes")
        owner.execute("analyze")
    print(
        f"loaded {LOG_ROWS:,} audit rows in {loaded:.0f} s"
        f" (vacuum + analyze {time.perf_counter() - began - loaded:.0f} s)"
    )


def _in_company(conn: Connection, claims: dict[str, str], query: Any, params: Any) -> Any:
    with conn.transaction():
        begin(conn, claims)
        return conn.execute(query, params).fetchall()


def cases(
    conn: Connection, claims: dict[str, str], tenant: UUID, technician: UUID, day: datetime
) -> list[Case]:
    """The viewer's statements: pages and filters a manager would use, record histories, and
    two filter combinations that match nothing (the worst case of a filter no index leads
    with: every row of the index range is visited)."""
    [deep] = _in_company(
        conn,
        claims,
        "select changed_at, id from audit.changes where tenant_id = %(tenant)s"
        " order by changed_at desc, id desc offset %(offset)s limit 1",
        {"tenant": tenant, "offset": 100 * search.PAGE_SIZE - 1},
    )
    when = search.Filters
    pages: list[tuple[str, search.Filters, search.Cursor | None]] = [
        ("first page", when(), None),
        ("page 101 (cursor)", when(), search.Cursor(deep["changed_at"], deep["id"])),
        ("by actor (a technician)", when(actor_id=technician), None),
        ("by table (invitations)", when(table_name="public.invitations"), None),
        ("by operation (delete, <1%)", when(operation="delete"), None),
        ("one day", when(starts=day, ends=day + timedelta(days=1)), None),
        ("actor + delete: none", when(actor_id=technician, operation="delete"), None),
        ("messages + delete: none", when(table_name="outbox.messages", operation="delete"), None),
    ]
    found: list[Case] = [
        (name, *search.search_statement(tenant, filters, after)) for name, filters, after in pages
    ]
    visit = str(md5_uuid("public.visits-0-12345"))
    history = search.record_history_statement
    found.append(("record history", *history(tenant, "public.visits", visit)))
    found.append(("record history, 1,000 cap", *history(tenant, "public.tenants", str(tenant))))
    return found


def timed(conn: Connection, claims: dict[str, str], found: list[Case]) -> dict[str, Any]:
    """Round-robin over the cases, each once prepared (as the app's pool runs it: prepared
    after 5 uses, and after 5 more PostgreSQL may settle on a generic plan) and once unprepared
    (planned for its parameters every time). A slow case stops after SLOW_BUDGET_S."""
    samples: dict[tuple[str, str], list[float]] = {
        (name, mode): [] for name, _, _ in found for mode in MODES
    }
    runs = dict.fromkeys(samples, 0)
    returned: dict[str, int] = {}
    for _ in range(WARMUP + ROUNDS):
        for name, statement, params in found:
            for mode in MODES:
                taken = samples[name, mode]
                if len(taken) >= MIN_SAMPLES and sum(taken) > SLOW_BUDGET_S * 1000:
                    continue
                with conn.transaction():
                    begin(conn, claims)
                    began = time.perf_counter()
                    prepare = None if mode == "prepared" else False
                    returned[name] = len(
                        conn.execute(statement, params, prepare=prepare).fetchall()
                    )
                    elapsed = (time.perf_counter() - began) * 1000
                runs[name, mode] += 1
                if runs[name, mode] > (WARMUP if mode == "prepared" else 1):
                    taken.append(elapsed)
    return {"samples": samples, "returned": returned}


def numbered(conn: Connection, statement: sql.Composed) -> tuple[str, list[str]]:
    """The statement as psycopg sends it (`$1`… for `%(name)s`) and the parameters' order."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match[1] not in names:
            names.append(match[1])
        return f"${names.index(match[1]) + 1}"

    return re.sub(r"%\((\w+)\)s", number, statement.as_string(conn)), names


def generic_plans(conn: Connection, found: list[Case]) -> set[str]:
    """The cases whose prepared statement ran with a generic plan in this session."""
    with conn.transaction():
        rows = conn.execute(
            "select statement from pg_prepared_statements where generic_plans > 0"
        ).fetchall()
    texts = {" ".join(row["statement"].split()) for row in rows}
    return {
        name
        for name, statement, _ in found
        if " ".join(numbered(conn, statement)[0].split()) in texts
    }


EXPLAIN = "explain (analyze, costs off, timing off, summary off) "


def explain(conn: Connection, claims: dict[str, str], case: Case, generic: bool) -> list[str]:
    """The plan through RLS: the custom plan for these parameters, or the generic plan that a
    prepared statement falls back to (PostgreSQL 15 has no EXPLAIN (GENERIC_PLAN))."""
    _, statement, params = case
    with conn.transaction():
        begin(conn, claims)
        if not generic:
            query = sql.SQL(EXPLAIN) + statement
            rows = conn.execute(query, params, prepare=False).fetchall()
        else:
            text, names = numbered(conn, statement)
            conn.execute(sql.SQL("prepare bench_generic as ") + sql.SQL(text))
            conn.execute("set local plan_cache_mode = force_generic_plan")
            values = sql.SQL(", ").join(sql.Literal(params[name]) for name in names)
            query = sql.SQL(EXPLAIN + "execute bench_generic ({})").format(values)
            rows = conn.execute(query).fetchall()
            conn.execute("deallocate bench_generic")
    return [row["QUERY PLAN"] for row in rows]


SCAN_DETAILS = ("Index Cond", "Recheck Cond", "Filter", "Rows Removed by Filter", "Heap Blocks")


def condensed(lines: list[str]) -> list[str]:
    """The plan's nodes and how audit.changes is read; the policies' InitPlans (the helpers,
    evaluated once per statement) and the details of the memberships join left out."""
    kept: list[str] = []
    skipping_below, on_changes = -1, False
    for line in lines:
        indent, text = len(line) - len(line.lstrip()), line.strip()
        if 0 <= skipping_below < indent:
            continue
        skipping_below = indent if text.startswith("InitPlan") else -1
        if skipping_below >= 0:
            continue
        if text.startswith("->") or not kept:
            on_changes = " on changes " in text
            kept.append(line)
        elif on_changes and text.split(":")[0] in SCAN_DETAILS:
            kept.append(line)
    return kept


def _shape(lines: list[str]) -> list[str]:
    return [line.split("(actual")[0] for line in condensed(lines) if "->" in line]


def _indexes(conn: Connection, claims: dict[str, str]) -> dict[str, bool]:
    """The indexes of audit.changes, and whether each leads with tenant_id."""
    rows = _in_company(
        conn,
        claims,
        "select c.relname, a.attname = 'tenant_id' as tenant_first"
        " from pg_index i join pg_class c on c.oid = i.indexrelid"
        " join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]"
        " where i.indrelid = 'audit.changes'::regclass",
        None,
    )
    return {row["relname"]: row["tenant_first"] for row in rows}


SCAN = re.compile(
    r"(Seq Scan|Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)?"
    r"(?: using (\S+))? on (\S+)"
)


def verdict(lines: list[str], indexes: dict[str, bool], p95: float) -> str:
    """Which index the log is read through, and whether anything is wrong with it."""
    used, problems = [], []
    for line in lines:
        match = SCAN.search(line)
        if match is None:
            continue
        kind, index, relation = match.groups()
        if kind == "Seq Scan" and relation == "changes":
            problems.append("SEQ SCAN on audit.changes")
            continue
        if kind == "Bitmap Index Scan":
            index = relation  # named after "on"; memberships' indexes are not in `indexes`
        elif relation != "changes":
            continue
        if index in indexes:
            used.append(index)
            if not indexes[index]:
                problems.append(f"{index} does not lead with tenant_id")
    if p95 > SLOW_MS:
        problems.append(f"SLOW (p95 > {SLOW_MS:.0f} ms)")
    return ", ".join(used) + (" - " + "; ".join(problems) if problems else "")


def _p50_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def run(
    conn: Connection, claims: dict[str, str], tenant: UUID, technician: UUID, day: datetime
) -> list[Row]:
    """Time every case, then print the figures and the plans the app's statements ran with."""
    found_rows = []
    found = cases(conn, claims, tenant, technician, day)
    result = timed(conn, claims, found)
    generic = generic_plans(conn, found)
    [size] = _in_company(
        conn,
        claims,
        "select count(*) as n from audit.changes where tenant_id = %(t)s",
        {"t": tenant},
    )
    indexes = _indexes(conn, claims)
    plans = {case[0]: explain(conn, claims, case, case[0] in generic) for case in found}
    print(
        f"audit viewer: one company with {size['n']:,} audit rows among {OTHER_COMPANIES} others"
        f" of {ROWS_PER_OTHER:,}; up to {ROUNDS} rounds round-robin, app role + owner claims,"
        " one transaction per query, statement time (ms)"
    )
    print(
        f"{'':27}{'rows':>5}{'prepared: p50':>15}{'p95':>8}{'plan':>9}"
        f"{'app (unprepared): p50':>23}{'p95':>8}  index used (prepared)"
    )
    for name, _, _ in found:
        p50, p95 = _p50_p95(result["samples"][name, "prepared"])
        u50, u95 = _p50_p95(result["samples"][name, "unprepared"])
        kind = "generic" if name in generic else "custom"
        print(
            f"{name:27}{result['returned'][name]:5d}{p50:15.2f}{p95:8.2f}{kind:>9}"
            f"{u50:23.2f}{u95:8.2f}  {verdict(plans[name], indexes, u95)}"
        )
        found_rows.append(
            row(
                f"audit viewer, 1,000,000 rows: {name}",
                "p95 ms (unprepared, as the app)",
                u95,
                None,
                "p95 ≤ 50 ms",
                f"p50 {u50:.2f} ms; {verdict(plans[name], indexes, u95)}",
            )
        )
    print("\nplans as the prepared statements ran (nodes, and how audit.changes is read):")
    for case in found:
        name = case[0]
        print(f"-- {name} ({'generic' if name in generic else 'custom'} plan)")
        print("\n".join(condensed(plans[name])))
        custom = explain(conn, claims, case, generic=False) if name in generic else plans[name]
        if _shape(custom) != _shape(plans[name]):
            print(f"-- {name}, unprepared: the custom plan differs")
            print("\n".join(condensed(custom)))
    return found_rows
