"""Looking at the audit log from behind it (as the database owner), and acting on it as the app
and its jobs do."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import psycopg
from flask import Flask
from psycopg import sql
from psycopg.rows import dict_row

from app import db
from app.audit import verify
from app.db import Connection
from tests.conftest import TestDatabase
from tests.factories import Member

Row = dict[str, Any]
AUDIT_TABLES = ("audit.changes", "audit.transactions", "audit.chain_heads")
# What a row of audit.changes says, without its id, transaction and time.
ENTRY = (
    "tenant_id",
    "table_name",
    "row_key",
    "operation",
    "old_values",
    "new_values",
    "actor_id",
    "actor_label",
    "request_id",
    "client_addr",
)


def last_change_id(admin: Connection) -> int:
    row = admin.execute("select coalesce(max(id), 0) as id from audit.changes").fetchone()
    assert row is not None
    return int(row["id"])


def changes_since(admin: Connection, after_id: int) -> list[Row]:
    """What the log gained after `after_id`, in the order written, as ENTRY fields."""
    rows = admin.execute(
        "select * from audit.changes where id > %(id)s order by id", {"id": after_id}
    ).fetchall()
    return [{field: row[field] for field in ENTRY} for row in rows]


def changes_of(admin: Connection, tenant_id: UUID) -> list[Row]:
    return admin.execute(
        "select * from audit.changes where tenant_id = %(t)s order by id", {"t": tenant_id}
    ).fetchall()


def links_of(admin: Connection, tenant_id: UUID) -> list[Row]:
    """The company's chain, in order: seq, txid (as text), digest, chain_hash, sealed_at."""
    return admin.execute(
        "select seq, txid::text as txid, digest, chain_hash, sealed_at from audit.transactions"
        " where tenant_id = %(t)s order by seq",
        {"t": tenant_id},
    ).fetchall()


def chain_problems(admin: Connection, tenant_id: UUID) -> list[str]:
    return [str(problem) for problem in verify.verify(admin, tenant_id)]


def count_rows(admin: Connection, table: str, tenant_id: UUID) -> int:
    schema, name = table.split(".")
    row = admin.execute(
        sql.SQL("select count(*) as n from {} where tenant_id = %(t)s").format(
            sql.Identifier(schema, name)
        ),
        {"t": tenant_id},
    ).fetchone()
    assert row is not None
    return int(row["n"])


def row_as_json(admin: Connection, table: str, row_id: UUID) -> dict[str, Any]:
    """A row as the trigger sees it: to_jsonb of the whole row."""
    schema, name = table.split(".")
    row = admin.execute(
        sql.SQL("select to_jsonb(r) as row from {} r where r.id = %(id)s").format(
            sql.Identifier(schema, name)
        ),
        {"id": row_id},
    ).fetchone()
    assert row is not None
    return dict(row["row"])


def job_claims(member: Member, actor: str) -> dict[str, str]:
    """The claims a job uses to act in a member's name, labelled with the job's name."""
    return {
        "role": "authenticated",
        "sub": str(member.account_id),
        "tenant_id": str(member.tenant_id),
        "actor": actor,
    }


@contextmanager
def committing(database: TestDatabase, claims: Mapping[str, Any]) -> Iterator[Connection]:
    """A transaction of its own connection as the app's login role with these claims, committed
    at the end (each writer of the concurrency tests needs its own connection)."""
    with psycopg.connect(database.app_url, row_factory=dict_row) as conn, conn.transaction():
        db.begin(conn, claims)
        yield conn


@contextmanager
def as_superuser_without_triggers(admin: Connection) -> Iterator[Connection]:
    """What someone with the database's superuser could do: edit the log with every trigger
    (the append-only guard, the auditing, the sealing) switched off."""
    with admin.transaction():
        admin.execute("set local session_replication_role = replica")
        yield admin


def invite(conn: Connection, tenant_id: UUID, email: str) -> None:
    conn.execute(
        "insert into public.invitations (tenant_id, email, role, token_hash, expires_at)"
        " values (%(t)s, %(email)s, 'technician', sha256(convert_to(%(email)s, 'UTF8')),"
        " now() + interval '7 days')",
        {"t": tenant_id, "email": email},
    )


def audit_verify(app: Flask, *args: str) -> tuple[int, list[str]]:
    """`flask audit verify …`: its exit code and the lines it printed (stdout and stderr)."""
    result = app.test_cli_runner().invoke(args=["audit", "verify", *args])
    return result.exit_code, result.output.splitlines()
