"""P-12: audit logs are kept two years, then the retention sweep deletes them.

One of the few cross-company jobs, hence the service role; the deletion itself happens in the
database function audit.delete_expired, the only path past the log's append-only guard."""

from __future__ import annotations

from datetime import UTC, datetime

from psycopg_pool import ConnectionPool

from app.db import service_role_transaction
from jobs import Job, register

AUDIT_RETENTION_YEARS = 2


def retention_cutoff(now: datetime) -> datetime:
    """Two calendar years before `now` (not 730 days, which is a day short across a 29 February);
    from 29 February it is the 28th, so nothing goes before its two years are up."""
    year = now.year - AUDIT_RETENTION_YEARS
    if now.month == 2 and now.day == 29:
        return now.replace(year=year, day=28)
    return now.replace(year=year)


def sweep(pool: ConnectionPool, now: datetime | None = None) -> int:
    """Delete audit rows of transactions sealed before the retention cutoff; returns how many."""
    cutoff = retention_cutoff(now or datetime.now(UTC))
    with service_role_transaction(pool) as conn:
        row = conn.execute(
            "select audit.delete_expired(%(cutoff)s) as deleted", {"cutoff": cutoff}
        ).fetchone()
    return int(row["deleted"]) if row else 0


JOB = register(Job("audit_retention", every_seconds=6 * 3600, sweep=sweep))
