"""Acting as someone exactly as the app does: the login role, then `app.db.begin` with claims."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from app import db
from app.db import Connection
from tests.conftest import TestDatabase
from tests.factories import Member

ROLES = ("owner", "admin", "dispatcher", "office", "technician")
Params = Mapping[str, Any]
Statement = str | sql.SQL | sql.Composed


def claims_of(member: Member, tenant_id: UUID | None = None) -> dict[str, str]:
    """The claims of a signed-in member working in their company (or in `tenant_id`)."""
    return {
        "role": "authenticated",
        "sub": str(member.account_id),
        "tenant_id": str(tenant_id or member.tenant_id),
    }


@contextmanager
def acting_as(
    database: TestDatabase, claims: Mapping[str, Any], *, may_look_behind: bool = False
) -> Iterator[Connection]:
    """A request-like transaction with these claims, always rolled back: as the web's login
    role, or the worker's for `service_role` (the only one that may become it). With
    `may_look_behind` it is the worker's login role whatever the claims, so that a check can
    switch to `service_role` in the same transaction; the claims decide what the actor may do
    either way, because neither login role has any privilege of its own."""
    use_worker = may_look_behind or claims.get("role") == "service_role"
    url = database.worker_url if use_worker else database.app_url
    with (
        psycopg.connect(url, row_factory=dict_row) as conn,
        conn.transaction(force_rollback=True),
    ):
        db.begin(conn, claims)
        yield conn


def table_name(table: str) -> sql.Identifier:
    """`schema.table` as the catalog names it, as an identifier."""
    schema, name = table.split(".")
    return sql.Identifier(schema, name)


def rows_changed(conn: Connection, statement: Statement, params: Params) -> int | None:
    """Rows a write affected, in a savepoint that is rolled back; None when the database refused
    it for lack of privilege (a missing grant or a row-level-security check)."""
    try:
        with conn.transaction(force_rollback=True):
            return conn.execute(statement, params).rowcount
    except psycopg.errors.InsufficientPrivilege:
        return None


def rows_counted(conn: Connection, statement: Statement, params: Params) -> int | None:
    """The value of a `select count(*) as n …`; None when refused for lack of privilege."""
    try:
        with conn.transaction(force_rollback=True):
            row = conn.execute(statement, params).fetchone()
    except psycopg.errors.InsufficientPrivilege:
        return None
    assert row is not None
    return int(row["n"])
