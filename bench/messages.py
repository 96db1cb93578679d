"""Reminders at scale: BENCH_MESSAGE_COMPANIES (1,000) companies with BENCH_MESSAGES_EACH (10)
reminders each, all due at once, sent by the real worker process (`python -m jobs`, its own
login role, the claim across companies, each company's sealed Twilio token opened, one text a
second per company's number) to a loopback Twilio that speaks the API to the official SDK. A
third of the way through the worker is killed with SIGKILL and started again; the figure is the
whole run's wall time, and every text must reach Twilio exactly once. The floor: the same
number of texts sent through the same SDK adapter on as many threads, with no database.

Run: `python -m bench.messages`.
"""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

from app import crypto, migrations
from app.config import DEFAULT_KEY_ID
from app.db import admin_connection
from app.integrations.sms import TwilioAccount, send_sms
from bench.results import Row, row
from jobs.messages import THREADS
from tests.messaging.providers import TwilioServer

NAME = "plenum_bench_messages"
COMPANIES = int(os.environ.get("BENCH_MESSAGE_COMPANIES", 1000))
EACH = int(os.environ.get("BENCH_MESSAGES_EACH", 10))
KEY = bytes(range(32))
TOKEN = "bench-twilio-token-0123456789abcdef"  # noqa: S105 (a benchmark's own)

QUEUE = """
insert into public.messages (tenant_id, channel, kind, to_address, body, subject_id, occasion)
select t.id, 'sms', 'visit_reminder', '+1617' || lpad((t.n * %(each)s + k)::text, 7, '0'),
       'Reminder ' || (t.n * %(each)s + k), t.id, k::text
from (select id, row_number() over (order by id) as n from public.tenants) t,
     generate_series(1, %(each)s) k
"""


def _url(base: str, name: str) -> str:
    return urlsplit(base)._replace(path=f"/{name}").geturl()


def sid(n: int) -> str:
    return f"AC{n:032x}"


def build(admin_url: str, twilio: TwilioServer) -> int:
    """The database with every company connected to Twilio and its reminders queued; returns
    how many."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(NAME))
        )
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(NAME)))
    ring = crypto.Keyring({DEFAULT_KEY_ID: KEY}, DEFAULT_KEY_ID)
    with admin_connection(_url(admin_url, NAME)) as conn:
        migrations.up(conn)
        zone = conn.execute(
            "select name from app.time_zones"
            " where (now() at time zone name)::time between '09:00' and '19:00'"
            " order by name limit 1"
        ).fetchone()
        assert zone is not None, "no time zone is in working hours now"
        with conn.transaction():
            for n in range(COMPANIES):
                twilio.add_account(sid(n), TOKEN)
                tenant = conn.execute(
                    "insert into public.tenants (name, time_zone) values (%s, %s) returning id",
                    [f"Bench Air {n}", zone["name"]],
                ).fetchone()
                assert tenant is not None
                account = conn.execute(
                    "insert into public.messaging_accounts (tenant_id, twilio_account_sid,"
                    " twilio_from_number) values (%s, %s, %s) returning id",
                    [tenant["id"], sid(n), f"+1312{n:07d}"],
                ).fetchone()
                assert account is not None
                place = crypto.TWILIO_AUTH_TOKEN.at(tenant["id"], account["id"])
                conn.execute(
                    "update public.messaging_accounts set twilio_auth_token_encrypted = %s"
                    " where id = %s",
                    [crypto.encrypt(TOKEN, place=place, keyring=ring), account["id"]],
                )
            conn.execute(QUEUE, {"each": EACH})
        conn.execute("vacuum analyze")
    return COMPANIES * EACH


def floor(twilio: TwilioServer, count: int) -> float:
    """Seconds to send `count` texts through the adapter on THREADS threads, no database."""
    account = TwilioAccount(sid(0), TOKEN, "+13120000000", "")
    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as threads:
        list(
            threads.map(
                lambda i: send_sms(
                    account,
                    to=f"+1415{i:07d}",
                    body=f"Floor {i}",
                    status_callback=None,
                    api_base=twilio.url,
                ),
                range(count),
            )
        )
    return time.perf_counter() - started


def sent(admin_url: str) -> int:
    with psycopg.connect(_url(admin_url, NAME)) as conn:
        found = conn.execute("select count(*) from public.messages where status = 'sent'")
        return int(found.fetchone()[0])  # type: ignore[index]


def run() -> list[Row]:
    admin_url = os.environ["DATABASE_ADMIN_URL"]
    twilio = TwilioServer()
    try:
        total = build(admin_url, twilio)
        env = {
            **os.environ,
            "DATABASE_URL": _url(os.environ["DATABASE_URL"], NAME),
            "WORKER_DATABASE_URL": _url(os.environ["WORKER_DATABASE_URL"], NAME),
            "PLENUM_ENV": "development",
            "PUBLIC_URL": "https://plenum.bench",
            "ENCRYPTION_KEY": base64.b64encode(KEY).decode(),
            "TWILIO_API_BASE": twilio.url,
        }
        print(f"messages on {NAME}: {total} reminders across {COMPANIES} companies")
        started = time.perf_counter()
        first = subprocess.Popen([sys.executable, "-m", "jobs"], env=env, stderr=subprocess.DEVNULL)
        while len(twilio.received()) < total // 3:
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_at = len(twilio.received())
        second = subprocess.Popen(
            [sys.executable, "-m", "jobs"], env=env, stderr=subprocess.DEVNULL
        )
        try:
            while sent(admin_url) < total:
                time.sleep(0.2)
            elapsed = time.perf_counter() - started
        finally:
            second.terminate()
            second.wait(timeout=30)
        received = twilio.received()
        duplicates = len(received) - len({(m.to, m.body) for m in received})
        missing = total - len({(m.to, m.body) for m in received})
        baseline = floor(twilio, total)
    finally:
        twilio.close()
    print(
        f"  {elapsed:.1f} s for {total} texts (killed after {killed_at}),"
        f" {duplicates} duplicates, {missing} missing; floor {baseline:.1f} s"
    )
    scenario = f"messages: {total:,} reminders, {COMPANIES:,} companies, SIGKILL mid-run"
    return [
        row(scenario, "s", elapsed, baseline, "< 60 s", note=f"killed after {killed_at} sent"),
        row(scenario, "texts/s", total / elapsed, total / baseline),
        row(scenario, "duplicates", duplicates, target="0", note=f"{missing} missing"),
    ]


if __name__ == "__main__":
    for line in run():
        print(line)
