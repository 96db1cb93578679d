"""The database's clock in tests: `app.now()` reads `app.clock` when a test has set it, so jobs,
sweeps and deadlines are tried at any moment without waiting for it."""

from __future__ import annotations

from datetime import datetime

from app.db import Connection


def set_clock(admin: Connection, at: datetime) -> None:
    admin.execute(
        "insert into app.clock (at) values (%(at)s) on conflict (singleton) do update"
        " set at = excluded.at",
        {"at": at},
    )


def database_now(admin: Connection) -> datetime:
    """The database clock's time (the test's clock when one is set)."""
    row = admin.execute("select app.now() as now").fetchone()
    assert row is not None
    return row["now"]
