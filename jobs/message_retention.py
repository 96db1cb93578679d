"""P-12: message logs are kept three years, then deleted, by the database clock.

One of the few cross-company jobs, hence the service role. The deletion is the database function
app.delete_expired_messages (messages made more than three years ago, and the conversations
left with none), a batch per transaction so other work is not held back. The opt-out records
stay: dropping one would let texts reach a number that said STOP."""

from __future__ import annotations

from psycopg_pool import ConnectionPool

from app.db import service_role_transaction
from jobs import Job, register

BATCH = 5000
DELETE = "select app.delete_expired_messages(%(batch)s) as deleted"


def sweep(pool: ConnectionPool, batch: int = BATCH) -> int:
    """Delete the messages past their three years; returns how many."""
    deleted = 0
    while True:
        with service_role_transaction(pool, "system:retention") as conn:
            row = conn.execute(DELETE, {"batch": batch}).fetchone()
        done = int(row["deleted"]) if row else 0
        deleted += done
        if done < batch:
            return deleted


JOB = register(Job("message_retention", every_seconds=6 * 3600, sweep=sweep))
