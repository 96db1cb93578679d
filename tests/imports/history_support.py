"""Planning and applying the service history, open balance and invoice history imports as the
engine does: in a transaction as the company's owner, with the import actor; and whole imports
through the engine (preview, run, undo)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from app.auth.identity import claims_for
from app.db import Connection, transaction
from app.imports import csvfile, engine
from app.imports.kinds import KINDS
from app.imports.plan import Plan, Written
from tests.factories import Tenant

FILES = Path(__file__).parent / "files"


def file_text(name: str) -> str:
    return (FILES / name).read_text()


def _claims(company: Tenant) -> dict[str, Any]:
    return claims_for(company.owner.account_id, company.id) | {"actor": "system:import"}


def planned(
    pool: ConnectionPool,
    company: Tenant,
    kind: str,
    text: str,
    mapping: list[str],
    options: dict[str, Any] | None = None,
) -> Plan:
    _, records = csvfile.read(text, ",")
    with transaction(pool, _claims(company)) as conn:
        return KINDS[kind].plan(conn, company.id, records, mapping, options or {})


def applied(pool: ConnectionPool, company: Tenant, kind: str, plan: Plan) -> list[Written]:
    with transaction(pool, _claims(company)) as conn:
        return KINDS[kind].apply(conn, company.id, plan.items)


def reasons(plan: Plan) -> dict[int, str]:
    return {left.line: left.reason for left in plan.left_out}


def imported(
    pool: ConnectionPool,
    admin: Connection,
    company: Tenant,
    kind: str,
    text: str,
    mapping: list[str],
    options: dict[str, Any] | None = None,
) -> UUID:
    """An import of `text` through the engine: previewed, then run as the worker runs it."""
    headers, records = csvfile.read(text, ",")
    row = admin.execute(
        "insert into public.customer_imports (tenant_id, kind, status, file_name, source_text,"
        " encoding, delimiter, headers, total_rows) values (%s, %s, 'uploaded', 'old.csv', %s,"
        " 'utf-8', ',', %s, %s) returning id",
        [company.id, kind, text, Jsonb(headers), len(records)],
    ).fetchone()
    assert row is not None
    with transaction(pool, _claims(company)) as conn:
        assert engine.save_preview(conn, company.id, row["id"], mapping, options or {})
    admin.execute(
        "update public.customer_imports set status = 'running', attempts = 1 where id = %s",
        [row["id"]],
    )
    with transaction(pool, _claims(company)) as conn:
        engine.run(conn, company.id, row["id"], 1)
    return UUID(str(row["id"]))


def undone(pool: ConnectionPool, company: Tenant, import_id: UUID) -> str | None:
    """Why the import was not undone, or None when it was."""
    with transaction(pool, _claims(company)) as conn:
        return engine.undo(conn, company.id, import_id)
