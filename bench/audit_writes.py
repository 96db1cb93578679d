"""Scenario 1 of bench.audit: the write overhead of the audit trigger.

Two identical company tables, same foreign key, grants and policy; only `public.bench_notes` gets
the audit trigger (from `audit.attach_triggers`, as `flask db up` attaches it), while its twin
lives in a schema the trigger is never attached to. Each batch of 10,000 rows is written to
both through two app connections with the same owner claims, alternating between the two
every 500 statements so that drift (other work on the machine) hits both alike.
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from psycopg import sql

from app.db import Connection, begin
from bench.results import Row, row

ROWS = 10_000  # per batch
ROUNDS = 1  # each round writes every variant once to each table
MULTI_PER_ROUND = 5  # multi-row inserts per round (one statement each: cheap, so more samples)
CHUNK = 500  # statements before switching to the other table
SEED = 42

AUDITED = ("public", "bench_notes")
PLAIN = ("bench_unaudited", "bench_notes")
TABLES = {"audited": AUDITED, "plain": PLAIN}
STEPS = ("claims + BEGIN", "statement", "COMMIT")
TABLE = """
create table {table} (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null,
  body text not null,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id)
);
alter table {table} enable row level security;
grant select, insert, update on {table} to authenticated;
create policy "Office staff can work with their company's notes"
  on {table} for all to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.has_role('owner', 'admin', 'dispatcher', 'office'))
  )
  with check (tenant_id = (select app.tenant_id()));
"""
INSERT = "insert into {table} (tenant_id, id, body) values (%(tenant_id)s, %(id)s, %(body)s)"
UPDATE = (
    "update {table} set body = %(body)s, updated_at = now()"
    " where tenant_id = %(tenant_id)s and id = %(id)s"
)
MULTI_INSERT = (
    "insert into {table} (tenant_id, id, body)"
    " select %(tenant_id)s, r.id, r.body"
    " from unnest(%(ids)s::uuid[], %(bodies)s::text[]) as r(id, body)"
)
# Note bodies are drawn from these words (a technician's note is a sentence or two).
WORDS = "unit filter coil drain pan thermostat rattles on start customer prefers mornings no heat"

Params = dict[str, Any]
# Issue 11: one audited change costs at most 1.5x, a row of a multi-row insert at most 2x.
TARGETS = {
    "INSERT, own transaction": "≤ 1.5x",
    "UPDATE, own transaction": "≤ 1.5x",
    "multi-row INSERT of 10,000 (per row)": "≤ 2x",
}


def create_tables(owner: Connection) -> None:
    """Both tables; the trigger is attached to the audited one only, and that is checked."""
    with owner.transaction():
        owner.execute("create schema bench_unaudited")
        owner.execute("grant usage on schema bench_unaudited to authenticated")
        for schema, name in (AUDITED, PLAIN):
            ddl = sql.SQL(TABLE).format(table=sql.Identifier(schema, name))
            owner.execute(ddl)
        attached = owner.execute("select audit.attach_triggers(array['public']) as n").fetchone()
        triggers = owner.execute(
            "select tgrelid::regclass::text as name from pg_trigger"
            " where tgname = 'audit_changes' and tgrelid::regclass::text like '%%bench_notes'"
        ).fetchall()
    assert attached is not None and attached["n"] == 1, attached
    assert [row["name"] for row in triggers] == ["bench_notes"], triggers  # public only


@dataclass
class Timings:
    """Seconds per statement (or per transaction) and per commit, for each table; for
    own-transaction variants also the three steps of each transaction."""

    each: dict[str, list[float]] = field(default_factory=lambda: {"audited": [], "plain": []})
    commit: dict[str, list[float]] = field(default_factory=lambda: {"audited": [], "plain": []})
    steps: dict[tuple[str, str], list[float]] = field(default_factory=dict)


def _statement(template: str, table: tuple[str, str]) -> sql.Composed:
    return sql.SQL(template).format(table=sql.Identifier(*table))


def _order(conns: Mapping[str, Connection], turn: int) -> list[str]:
    keys = sorted(conns)
    return keys if turn % 2 == 0 else keys[::-1]


def each_committed(
    conns: Mapping[str, Connection],
    template: str,
    rows: list[Params],
    claims: Params,
    timings: Timings,
    turn: int,
) -> None:
    """Every statement its own transaction, as one request making one change: the claims,
    the statement and the commit (where the audit chain is sealed) are all timed."""
    statements = {key: _statement(template, TABLES[key]) for key in conns}
    for chunk, start in enumerate(range(0, len(rows), CHUNK)):
        for key in _order(conns, turn + chunk):
            conn, statement = conns[key], statements[key]
            steps = [timings.steps.setdefault((key, step), []) for step in STEPS]
            for params in rows[start : start + CHUNK]:
                began = time.perf_counter()
                begin(conn, claims)
                claimed = time.perf_counter()
                conn.execute(statement, params)
                executed = time.perf_counter()
                conn.commit()
                committed = time.perf_counter()
                timings.each[key].append(committed - began)
                steps[0].append(claimed - began)
                steps[1].append(executed - claimed)
                steps[2].append(committed - executed)


def one_transaction(
    conns: Mapping[str, Connection],
    template: str,
    rows: list[Params],
    claims: Params,
    timings: Timings,
    turn: int,
) -> None:
    """All statements in one transaction per table; each statement and the commit timed."""
    statements = {key: _statement(template, TABLES[key]) for key in conns}
    for conn in conns.values():
        begin(conn, claims)
    for chunk, start in enumerate(range(0, len(rows), CHUNK)):
        for key in _order(conns, turn + chunk):
            conn, statement, samples = conns[key], statements[key], timings.each[key]
            for params in rows[start : start + CHUNK]:
                began = time.perf_counter()
                conn.execute(statement, params)
                samples.append(time.perf_counter() - began)
    for key in _order(conns, turn):
        began = time.perf_counter()
        conns[key].commit()
        timings.commit[key].append(time.perf_counter() - began)


def multi_row(
    conns: Mapping[str, Connection],
    rows: list[Params],
    claims: Params,
    timings: Timings,
    turn: int,
) -> None:
    """One INSERT of all rows per table, statement and commit timed together."""
    params = {
        "tenant_id": rows[0]["tenant_id"],
        "ids": [row["id"] for row in rows],
        "bodies": [row["body"] for row in rows],
    }
    for key in _order(conns, turn):
        conn = conns[key]
        begin(conn, claims)
        began = time.perf_counter()
        conn.execute(_statement(MULTI_INSERT, TABLES[key]), params)
        conn.commit()
        timings.each[key].append(time.perf_counter() - began)


def _rows(rng: random.Random, tenant: uuid.UUID) -> list[Params]:
    return [
        {
            "tenant_id": tenant,
            "id": uuid.UUID(int=rng.getrandbits(128), version=4),
            "body": " ".join(rng.choices(WORDS.split(), k=16)),
        }
        for _ in range(ROWS)
    ]


def _changed(rng: random.Random, rows: list[Params]) -> list[Params]:
    """The same rows in another order with another body: what the updates write."""
    changed = [{**row, "body": " ".join(rng.choices(WORDS.split(), k=16))} for row in rows]
    rng.shuffle(changed)
    return changed


def run(audited: Connection, plain: Connection, claims: Params, tenant: uuid.UUID) -> list[Row]:
    """Every variant, ROUNDS times, then the table of per-statement costs."""
    rng = random.Random(SEED)
    conns = {"audited": audited, "plain": plain}
    names = [
        "INSERT, own transaction",
        "INSERT, 10,000 in one transaction",
        "UPDATE, own transaction",
        "UPDATE, 10,000 in one transaction",
        "multi-row INSERT of 10,000 (per row)",
    ]
    timings = {name: Timings() for name in names}
    for turn in range(ROUNDS):
        first, second = _rows(rng, tenant), _rows(rng, tenant)
        each_committed(conns, INSERT, first, claims, timings[names[0]], turn)
        one_transaction(conns, INSERT, second, claims, timings[names[1]], turn)
        each_committed(conns, UPDATE, _changed(rng, first), claims, timings[names[2]], turn)
        one_transaction(conns, UPDATE, _changed(rng, second), claims, timings[names[3]], turn)
        for repeat in range(MULTI_PER_ROUND):
            multi_row(conns, _rows(rng, tenant), claims, timings[names[4]], turn + repeat)
    return report(names, timings)


def _cost(timing: Timings, key: str, multi: bool) -> tuple[float, float]:
    """(median, mean) µs per statement; a batch's single commit is spread over its rows."""
    samples = timing.each[key]
    if multi:
        per_row = [sample / ROWS for sample in samples]
        return statistics.median(per_row) * 1e6, statistics.fmean(per_row) * 1e6
    commit = statistics.median(timing.commit[key]) / ROWS if timing.commit[key] else 0.0
    return (statistics.median(samples) + commit) * 1e6, (statistics.fmean(samples) + commit) * 1e6


def report(names: list[str], timings: dict[str, Timings]) -> list[Row]:
    found = []
    print(
        f"write overhead of auditing: {ROUNDS} batch(es) of {ROWS:,} rows per variant and table,"
        f" alternating tables every {CHUNK} statements; {MULTI_PER_ROUND * ROUNDS} multi-row"
        " inserts per table; app role + owner claims, RLS on both tables"
    )
    print(
        f"{'µs per statement, median':40}{'plain':>9}{'audited':>9}{'ratio':>8}"
        f"{'added':>9}{'ratio of means':>16}"
    )
    for name in names:
        multi = name.startswith("multi")
        plain, plain_mean = _cost(timings[name], "plain", multi)
        audited, audited_mean = _cost(timings[name], "audited", multi)
        print(
            f"{name:40}{plain:9.1f}{audited:9.1f}{audited / plain:7.2f}x{audited - plain:+9.1f}"
            f"{audited_mean / plain_mean:15.2f}x"
        )
        found.append(
            row(
                f"audit writes: {name}",
                "µs per statement, median",
                audited,
                plain,
                TARGETS.get(name, ""),
                f"audited vs same table without the trigger; +{audited - plain:.0f} µs",
            )
        )
    print(
        "own transaction: begin() with the claims, the statement and COMMIT timed together;"
        " one transaction: each statement, plus the one COMMIT spread over the batch"
    )
    for name in names:
        timing = timings[name]
        if timing.steps:
            parts = [
                f"{step} {statistics.median(timing.steps['plain', step]) * 1e6:.0f}"
                f" -> {statistics.median(timing.steps['audited', step]) * 1e6:.0f}"
                for step in STEPS
            ]
            print(f"  {name}, median µs plain -> audited: {', '.join(parts)}")
        elif timing.commit["plain"]:
            plain, audited = (
                statistics.median(timing.commit[key]) * 1e3 for key in ("plain", "audited")
            )
            print(f"  {name}: its COMMIT takes {plain:.1f} -> {audited:.1f} ms")
    return found
