"""Maintenance plans make their tune-up jobs ahead of time, for every company.

One of the few cross-company jobs, hence the service role. The work is the database function
app.generate_maintenance_jobs, company by company (open ones only), which skips a month already
made, so running it twice, or on two workers at once, makes each job once."""

from __future__ import annotations

from psycopg_pool import ConnectionPool

from app.db import service_role_transaction
from app.scheduling.agreements import DAYS_AHEAD
from jobs import Job, register

# Open companies only: a closed company is read-only (P-11), and service_role, which this job
# needs to reach every company, is not refused its writes.
GENERATE = (
    "select coalesce(sum(app.generate_maintenance_jobs(t.id,"
    " current_date + %(days_ahead)s::integer)), 0) as made"
    " from public.tenants t where t.status = 'active'"
)


def sweep(pool: ConnectionPool) -> int:
    """Make the tune-up jobs due within the next 60 days; returns how many were made."""
    with service_role_transaction(pool) as conn:
        row = conn.execute(GENERATE, {"days_ahead": DAYS_AHEAD}).fetchone()
    return int(row["made"]) if row else 0


JOB = register(Job("maintenance_jobs", every_seconds=3600, sweep=sweep))
