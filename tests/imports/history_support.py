"""Planning and applying the service history, open balance and invoice history imports as the
engine does: in a transaction as the company's owner, with the import actor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from psycopg_pool import ConnectionPool

from app.auth.identity import claims_for
from app.db import transaction
from app.imports import csvfile
from app.imports.kinds import KINDS
from app.imports.plan import Plan, Written
from tests.factories import Tenant

FILES = Path(__file__).parent / "files"


def file_text(name: str) -> str:
    return (FILES / name).read_text()


def planned(
    pool: ConnectionPool,
    company: Tenant,
    kind: str,
    text: str,
    mapping: list[str],
    options: dict[str, Any] | None = None,
) -> Plan:
    _, records = csvfile.read(text, ",")
    claims = claims_for(company.owner.account_id, company.id) | {"actor": "system:import"}
    with transaction(pool, claims) as conn:
        return KINDS[kind].plan(conn, company.id, records, mapping, options or {})


def applied(pool: ConnectionPool, company: Tenant, kind: str, plan: Plan) -> list[Written]:
    claims = claims_for(company.owner.account_id, company.id) | {"actor": "system:import"}
    with transaction(pool, claims) as conn:
        return KINDS[kind].apply(conn, company.id, plan.items)


def reasons(plan: Plan) -> dict[int, str]:
    return {left.line: left.reason for left in plan.left_out}
