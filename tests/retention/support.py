"""The database clock and the rules, as the retention tests use them."""

from __future__ import annotations

from datetime import datetime

from app.db import Connection


def periodic_kinds(admin: Connection) -> list[str]:
    rows = admin.execute(
        "select record_kind from app.retention_rules where period is not null order by 1"
    ).fetchall()
    return [row["record_kind"] for row in rows]


def cutoff_at(admin: Connection, record_kind: str, now: datetime) -> datetime:
    """The rule's cutoff at `now`, by the database's calendar arithmetic."""
    row = admin.execute(
        "select %(now)s::timestamptz - period as cutoff from app.retention_rules"
        " where record_kind = %(kind)s",
        {"now": now, "kind": record_kind},
    ).fetchone()
    assert row is not None
    return row["cutoff"]
