"""Exactly once, in the real worker process: `python -m jobs` is killed with SIGKILL in the middle
of sending 1,000 texts through the loopback Twilio and started again; every text reaches Twilio
once, none twice, none never."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
from contextlib import AbstractContextManager

from app.db import Connection
from app.integrations.sms import TwilioAccount
from tests.conftest import TestDatabase, make_settings
from tests.factories import Factory
from tests.messaging.providers import TwilioServer
from tests.messaging.support import connect, daytime_zone
from tests.processes import WORKER, running, wait_until

COMPANIES = 10
PER_COMPANY = 100

QUEUE_MANY = """
insert into public.messages (tenant_id, channel, kind, to_address, body, subject_id, occasion)
select %(tenant)s, 'sms', 'visit_reminder', '+1617' || lpad((%(base)s + n)::text, 7, '0'),
       'Reminder ' || %(base)s + n, %(tenant)s, n::text
from generate_series(1, %(count)s) n
"""


def worker_environment(database: TestDatabase, twilio: TwilioServer) -> dict[str, str]:
    settings = make_settings(database)
    return {
        **os.environ,
        "DATABASE_URL": database.app_url,
        "WORKER_DATABASE_URL": database.worker_url,
        "PLENUM_ENV": "test",
        "PUBLIC_URL": settings.public_url,
        "ENCRYPTION_KEY": base64.b64encode(settings.encryption_key).decode(),
        "TWILIO_API_BASE": twilio.url,
        # The killed worker's lease on the messages job (app.job_schedule) runs out in moments.
        "JOB_LEASE_SECONDS": "2",
    }


def worker(env: dict[str, str]) -> AbstractContextManager[subprocess.Popen[bytes]]:
    return running(WORKER, env, stderr=subprocess.DEVNULL)


def sent(admin: Connection) -> int:
    row = admin.execute(
        "select count(*) as n from public.messages where status = 'sent'"
    ).fetchone()
    assert row is not None
    return int(row["n"])


def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_nothing(
    admin: Connection,
    make: Factory,
    database: TestDatabase,
    twilio_server: TwilioServer,
    twilio_account: TwilioAccount,
) -> None:
    zone = daytime_zone(admin)
    settings = make_settings(database)
    expected: dict[tuple[str, str], int] = {}
    for c in range(COMPANIES):
        tenant = make.tenant()
        admin.execute("update public.tenants set time_zone = %s where id = %s", [zone, tenant.id])
        connect(admin, settings, tenant.id, twilio_account, rate=1000)
        base = 1_000_000 + c * PER_COMPANY
        admin.execute(QUEUE_MANY, {"tenant": tenant.id, "base": base, "count": PER_COMPANY})
        for n in range(1, PER_COMPANY + 1):
            expected[(f"+1617{base + n:07d}", f"Reminder {base + n}")] = 1
    total = COMPANIES * PER_COMPANY

    def reached() -> int:
        return sum(twilio_server.count(to, body) for to, body in expected)

    env = worker_environment(database, twilio_server)
    twilio_server.latency = 0.004
    try:
        with worker(env) as first:
            wait_until(lambda: reached() >= total // 3, 60)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        row = admin.execute(
            "select (select count(*) from app.message_claims where lease_until is not null)"
            " as in_flight, count(*) filter (where status = 'sent') as recorded"
            " from public.messages"
        ).fetchone()
        assert row is not None
        assert row["in_flight"] > 0, "the kill should land while texts are in flight"
        assert row["recorded"] < total

        # A new worker takes over: the dead one's lock went with its connection, and its lease
        # on the job runs out in two seconds.
        with worker(env):
            wait_until(lambda: sent(admin) == total, 120)
    finally:
        twilio_server.latency = 0

    received = {key: twilio_server.count(*key) for key in expected}
    assert received == expected
