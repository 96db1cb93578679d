"""P-12: audit logs are kept two years, then the retention sweep deletes them.

One of the few cross-company jobs, hence the service role; the deletion itself happens in the
database function audit.delete_expired, the only path past the log's append-only guard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from psycopg_pool import ConnectionPool

from app.db import service_role_transaction
from jobs import Job, register

AUDIT_RETENTION = timedelta(days=2 * 365)


def sweep(pool: ConnectionPool, now: datetime | None = None) -> int:
    """Delete audit rows of transactions sealed before the retention cutoff; returns how many."""
    cutoff = (now or datetime.now(UTC)) - AUDIT_RETENTION
    with service_role_transaction(pool) as conn:
        row = conn.execute(
            "select audit.delete_expired(%(cutoff)s) as deleted", {"cutoff": cutoff}
        ).fetchone()
    return int(row["deleted"]) if row else 0


JOB = register(Job("audit_retention", every_seconds=6 * 3600, sweep=sweep))
