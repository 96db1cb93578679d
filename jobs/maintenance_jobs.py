"""Maintenance plans make their tune-up jobs ahead of time, for every company.

One of the few cross-company jobs, hence the service role. The work is the database function
app.generate_maintenance_jobs, which skips a month already made, so running it twice, or on
two workers at once, makes each job once."""

from __future__ import annotations

from psycopg_pool import ConnectionPool

from app.db import service_role_transaction
from app.scheduling.agreements import DAYS_AHEAD
from jobs import Job, register

GENERATE = (
    "select app.generate_maintenance_jobs(null, current_date + %(days_ahead)s::integer) as made"
)


def sweep(pool: ConnectionPool) -> int:
    """Make the tune-up jobs due within the next 60 days; returns how many were made."""
    with service_role_transaction(pool) as conn:
        row = conn.execute(GENERATE, {"days_ahead": DAYS_AHEAD}).fetchone()
    return int(row["made"]) if row else 0


JOB = register(Job("maintenance_jobs", every_seconds=3600, sweep=sweep))
