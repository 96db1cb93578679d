"""P-10: reminders before a homeowner's privacy request is due (answered within 30 days).

The company's owners and admins get an email 7 days and 1 day before the due date, each once,
by the database clock in the company's time zone. One of the few cross-company jobs, hence the
service role; the work is the database function app.remind_privacy_requests (claimed with
`skip locked`, marked and mailed in one statement), a batch per transaction."""

from __future__ import annotations

from psycopg_pool import ConnectionPool

from jobs import Job, in_batches, register

BATCH = 500
REMIND = "select app.remind_privacy_requests(%(batch)s) as reminded"


def sweep(pool: ConnectionPool, batch: int = BATCH) -> int:
    """Send the reminders that are due; returns how many requests were reminded."""
    return in_batches(pool, "system:privacy-reminders", REMIND, {"batch": batch})


JOB = register(Job("privacy_reminders", every_seconds=3600, sweep=sweep))
