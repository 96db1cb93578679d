"""`portal_sign_in`: whether the time of a homeowner's request for a sign-in code tells an address
on file from any other (issue 14: no enumeration, "similar timing"). The request's definer
(app.request_portal_sign_in, as `plenum_signin` through the web's login role, one committed
transaction each, as the page runs it) for addresses on file (value: it also queues the message)
against addresses on file nowhere (baseline), interleaved, each address and client address new
so that no limit is reached. The send step (app.send_portal_sign_in, run in a thread beside the
page's answer, which does not wait for it) is reported too. Built in its own database:
BENCH_PORTAL_COMPANIES (50) companies of BENCH_PORTAL_CUSTOMERS (200) customers each.

Run: `python -m bench.portal_sign_in`.
"""

from __future__ import annotations

import os
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from app import db, migrations
from app.db import admin_connection
from bench.results import Row, p50_p95, row

NAME = "plenum_bench_portal_sign_in"
COMPANIES = int(os.environ.get("BENCH_PORTAL_COMPANIES", 50))
CUSTOMERS = int(os.environ.get("BENCH_PORTAL_CUSTOMERS", 200))
REQUESTS = int(os.environ.get("BENCH_PORTAL_REQUESTS", 300))


def _url(base: str, name: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def build(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(NAME))
        )
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(NAME)))
    with admin_connection(_url(admin_url, NAME)) as conn:
        migrations.up(conn)
        conn.execute(
            "insert into public.tenants (name) select 'Bench Air ' || n"
            " from generate_series(1, %s) n",
            [COMPANIES],
        )
        conn.execute(
            "insert into public.customers (tenant_id, first_name, last_name, email)"
            " select t.id, 'Pat', 'Customer ' || k, 'known' || t.n || '-' || k || '@bench.example'"
            " from (select id, row_number() over (order by id) as n from public.tenants) t,"
            " generate_series(1, %s) k",
            [CUSTOMERS],
        )
        conn.execute("vacuum analyze")


def _request(conn: db.Connection, address: str, client: str) -> tuple[float, float]:
    """The time of the request (what the page's answer waits for), then of the send step
    (beside the answer, which does not wait for it), in ms."""
    started = time.perf_counter()
    with conn.transaction():
        db.begin(conn, db.SIGN_IN, {"client_addr": client})
        row = conn.execute("select app.request_portal_sign_in(%s) as handle", [address]).fetchone()
    answered = time.perf_counter()
    assert row is not None
    with conn.transaction():
        db.begin(conn, db.SIGN_IN, {"client_addr": client})
        conn.execute("select app.send_portal_sign_in(%s)", [row["handle"]])
    return (answered - started) * 1000, (time.perf_counter() - answered) * 1000


def run() -> list[Row]:
    build(os.environ["DATABASE_ADMIN_URL"])
    known: list[float] = []
    unknown: list[float] = []
    sends: dict[str, list[float]] = {"known": [], "unknown": []}
    # The web's login role, as the app's pool connects.
    with psycopg.connect(_url(os.environ["DATABASE_URL"], NAME), row_factory=dict_row) as conn:
        for i in range(REQUESTS):
            tenant, customer = i % COMPANIES + 1, i // COMPANIES % CUSTOMERS + 1
            pair = [
                ("known", known, f"known{tenant}-{customer}@bench.example"),
                ("unknown", unknown, f"nobody{i}@bench.example"),
            ]
            for kind, samples, address in pair if i % 2 else reversed(pair):
                client = f"10.{i // 250}.{i % 250}.{len(samples)}"
                answer, send = _request(conn, address, client)
                samples.append(answer)
                sends[kind].append(send)
    warm = REQUESTS // 10  # the first requests warm caches for both
    k50, k95 = p50_p95(known[warm:])
    u50, u95 = p50_p95(unknown[warm:])
    s50, _ = p50_p95(sends["known"][warm:])
    n50, _ = p50_p95(sends["unknown"][warm:])
    note = "address on file vs nowhere; ratio near 1 = the answer's time tells nothing"
    after = "beside the answer, not waited for: queues the message (on file) or nothing"
    return [
        row("portal_sign_in", "request a code: p50 ms", k50, u50, "ratio ≤ 1.2", note),
        row("portal_sign_in", "request a code: p95 ms", k95, u95, "ratio ≤ 1.2", note),
        row("portal_sign_in", "send step: p50 ms", s50, n50, "", after),
    ]


if __name__ == "__main__":
    for result in run():
        print(result)
