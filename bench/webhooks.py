"""Stripe's webhook under a stream of events: signed `checkout.session.completed` events, each
paying its own open invoice (signature checked by the SDK, the company's endpoint secret
opened, the event recorded once, a 'stripe' payment written and the invoice marked paid, all
audited), then the same events replayed (found as duplicates, nothing changed), against the
`/healthz` floor (one `select 1`) measured in the same run, before and after, through the same
in-process WSGI client, one request at a time. Built in its own database: one company
connected to Stripe with BENCH_WEBHOOK_EVENTS (300) sent invoices, each with an open attempt.

Run: `python -m bench.webhooks`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import statistics
import time
import uuid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from app import create_app, crypto, migrations
from app.config import DEFAULT_KEY_ID, Settings
from app.db import admin_connection
from bench.results import Row, row

NAME = "plenum_bench_webhooks"
EVENTS = int(os.environ.get("BENCH_WEBHOOK_EVENTS", 300))
KEY = bytes(range(32))
WEBHOOK_SECRET = "whsec_bench0123456789abcdef"  # noqa: S105 (a benchmark's own)


def _url(base: str, name: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def build(admin_url: str) -> tuple[str, list[dict[str, Any]]]:
    """The database; the endpoint id and the Checkout sessions the events complete."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(NAME))
        )
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(NAME)))
    ring = crypto.Keyring({DEFAULT_KEY_ID: KEY}, DEFAULT_KEY_ID)
    with admin_connection(_url(admin_url, NAME)) as conn:
        migrations.up(conn)
        tenant = conn.execute(
            "insert into public.tenants (name) values ('Bench Air') returning id"
        ).fetchone()
        assert tenant is not None
        account = conn.execute(
            "insert into public.stripe_accounts (tenant_id) values (%s) returning id, endpoint_id",
            [tenant["id"]],
        ).fetchone()
        assert account is not None
        sealed = {
            column.column: crypto.encrypt(
                secret, place=column.at(tenant["id"], account["id"]), keyring=ring
            )
            for column, secret in (
                (crypto.STRIPE_SECRET_KEY, "sk_test_bench0123456789"),
                (crypto.STRIPE_WEBHOOK_SECRET, WEBHOOK_SECRET),
            )
        }
        conn.execute(
            "update public.stripe_accounts set secret_key_encrypted = %(secret_key_encrypted)s,"
            " webhook_secret_encrypted = %(webhook_secret_encrypted)s where id = %(id)s",
            {**sealed, "id": account["id"]},
        )
        sessions = []
        for i in range(EVENTS):
            invoice = conn.execute(
                "insert into public.invoices (tenant_id, issued_on, currency, bill_to_name,"
                " number) values (%s, current_date, 'USD', 'Bench Customer', 0) returning id",
                [tenant["id"]],
            ).fetchone()
            assert invoice is not None
            conn.execute(
                "insert into public.invoice_lines (tenant_id, invoice_id, description, quantity,"
                " unit_price, taxable) values (%s, %s, 'Tune-up', 1, 129.00, false)",
                [tenant["id"], invoice["id"]],
            )
            conn.execute(
                "update public.invoices set status = 'sent', sent_at = now() where id = %s",
                [invoice["id"]],
            )
            attempt = conn.execute(
                "insert into public.payment_attempts (tenant_id, kind, invoice_id, amount,"
                " currency, checkout_session_id) values (%s, 'invoice', %s, 129.00, 'USD', %s)"
                " returning id",
                [tenant["id"], invoice["id"], f"cs_bench_{i}"],
            ).fetchone()
            assert attempt is not None
            sessions.append(
                {
                    "id": f"cs_bench_{i}",
                    "object": "checkout.session",
                    "amount_total": 12900,
                    "currency": "usd",
                    "payment_status": "paid",
                    "payment_intent": f"pi_bench_{i}",
                    "metadata": {"attempt_id": str(attempt["id"])},
                }
            )
        conn.execute("vacuum analyze")
    return str(account["endpoint_id"]), sessions


def _signed(payload: bytes) -> str:
    t = int(time.time())
    digest = hmac.new(WEBHOOK_SECRET.encode(), f"{t}.".encode() + payload, hashlib.sha256)
    return f"t={t},v1={digest.hexdigest()}"


def _timed(send: Any, count: int) -> dict[str, float]:
    times = []
    started = time.perf_counter()
    for i in range(count):
        t0 = time.perf_counter()
        send(i)
        times.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    return {
        "rps": count / elapsed,
        "p50": statistics.median(times),
        "p95": statistics.quantiles(times, n=20)[18],
    }


def run() -> list[Row]:
    admin_url = os.environ["DATABASE_ADMIN_URL"]
    endpoint, sessions = build(admin_url)
    settings = Settings(
        env="development",
        secret_key="bench-secret-" + "x" * 32,
        database_url=_url(os.environ["DATABASE_URL"], NAME),
        database_admin_url=None,
        encryption_key=KEY,
        public_url="https://plenum.bench",
        pool_min_size=1,
        pool_max_size=2,
        prepared_statements=False,
        sentry_dsn=None,
    )
    app = create_app(settings)
    client = app.test_client()
    payloads = [
        json.dumps(
            {
                "id": f"evt_bench_{uuid.uuid4().hex}",
                "type": "checkout.session.completed",
                "data": {"object": s},
            }
        ).encode()
        for s in sessions
    ]
    path = f"/stripe/webhook/{endpoint}"
    outcomes: list[str] = []

    def healthz(_: int) -> None:
        assert client.get("/healthz").status_code == 200

    def deliver(i: int) -> None:
        response = client.post(
            path,
            data=payloads[i],
            headers={"Stripe-Signature": _signed(payloads[i])},
            content_type="application/json",
        )
        outcomes.append(response.get_data(as_text=True))

    print(f"webhooks on {NAME}: {EVENTS} events, one request at a time, in process")
    floors = [_timed(healthz, EVENTS)]
    paid = _timed(deliver, EVENTS)
    replayed = _timed(deliver, EVENTS)
    floors.append(_timed(healthz, EVENTS))
    app.extensions["plenum.pool"].close()
    assert outcomes == ["paid"] * EVENTS + ["duplicate"] * EVENTS, set(outcomes)
    floor = {key: sum(f[key] for f in floors) / len(floors) for key in ("rps", "p50", "p95")}
    rows = [row("webhooks: floor /healthz", "req/s", floor["rps"], note="mean of before/after")]
    for label, result in (("event paying an invoice", paid), ("replayed event", replayed)):
        scenario = f"webhooks: {label}"
        rows += [
            row(scenario, "events/s", result["rps"], floor["rps"], "≥ 0.2x"),
            row(
                scenario, "p95 ms", result["p95"], floor["p95"], note=f"p50 {result['p50']:.1f} ms"
            ),
        ]
        print(f"  {label:28}{result['rps']:8.1f} events/s  p95 {result['p95']:6.1f} ms")
    print(f"  /healthz floor: {floor['rps']:.1f} req/s, p95 {floor['p95']:.1f} ms")
    return rows


if __name__ == "__main__":
    for line in run():
        print(line)
