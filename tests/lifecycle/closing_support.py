"""Closing a company in tests: as its owner would (claims through app.db.begin), or directly,
and the outcome of a write, named as a person would notice it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import psycopg

from app import db
from app.db import Connection
from tests.clock import set_clock
from tests.conftest import TestDatabase
from tests.factories import Member
from tests.policies.identity import Params, Statement, acting_as, claims_of

CLOSED_MESSAGE = "This company is closed: its records can be read and exported, not changed."


def close_as(database: TestDatabase, owner: Member) -> datetime:
    """The owner closes their company, confirming with its name; returns purge_after."""
    with (
        psycopg.connect(database.app_url, row_factory=psycopg.rows.dict_row) as conn,
        conn.transaction(),
    ):
        db.begin(conn, claims_of(owner))
        name = conn.execute(
            "select name from public.tenants where id = %(t)s", {"t": owner.tenant_id}
        ).fetchone()
        assert name is not None
        row = conn.execute(
            "select app.close_company(%(name)s) as purge_after", {"name": name["name"]}
        ).fetchone()
    assert row is not None
    return row["purge_after"]


def reopen_as(database: TestDatabase, owner: Member) -> None:
    with (
        psycopg.connect(database.app_url, row_factory=psycopg.rows.dict_row) as conn,
        conn.transaction(),
    ):
        db.begin(conn, claims_of(owner))
        conn.execute("select app.reopen_company()")


def outcome(conn: Connection, statement: Statement, params: Params) -> str:
    """What became of a write, in a savepoint rolled back: "changed", "no rows" (none visible),
    "closed" (refused: the company is closed), "not allowed" (no privilege, or a policy),
    "refused" (a constraint or a trigger: the write reached the table and was refused by its
    rules), or "unwritable" (a statement the table does not take, e.g. a generated column)."""
    try:
        with conn.transaction(force_rollback=True):
            return "changed" if conn.execute(statement, params).rowcount else "no rows"
    except psycopg.Error as error:
        if error.sqlstate == db.COMPANY_CLOSED:
            assert error.diag.message_primary == CLOSED_MESSAGE
            return "closed"
        if isinstance(error, psycopg.errors.InsufficientPrivilege):
            return "not allowed"
        if error.sqlstate and error.sqlstate[:2] in ("22", "23", "P0"):
            return "refused"
        return f"unwritable {error.sqlstate}"  # e.g. a generated column: before any trigger


def status_of(admin: Connection, tenant_id: UUID) -> dict[str, object]:
    row = admin.execute(
        "select status, closed_at, purge_after, closed_reason from public.tenants where id = %(t)s",
        {"t": tenant_id},
    ).fetchone()
    assert row is not None
    return dict(row)


__all__ = ["acting_as", "set_clock"]
