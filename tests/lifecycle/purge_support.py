"""What the purge's tests share: closing a company some days ago by the database clock, a purge
sweep with the test's key and file store, and checksums of every table."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from psycopg import sql
from psycopg_pool import ConnectionPool

from app import catalog
from app.config import DEV_AUDIT_SIGNING_KEY
from app.db import Connection
from app.integrations import files
from app.migrations import MANAGED_SCHEMAS
from jobs import purge

SEED = DEV_AUDIT_SIGNING_KEY
PUBLIC_URL = "http://plenum.test"
# Where the purge itself writes, outside the company's own tables.
PURGE_RECORDS = ("app.purges", "app.purge_steps", "app.deletion_certificates")


def close(admin: Connection, company: UUID, days_ago: float, now: datetime) -> None:
    """The company closed `days_ago` days before `now` (the database clock's time)."""
    closed_at = now - timedelta(days=days_ago)
    admin.execute(
        "update public.tenants set status = 'closed', closed_at = %(at)s,"
        " purge_after = %(at)s + interval '30 days' where id = %(id)s",
        {"at": closed_at, "id": company},
    )


def sweep(pool: ConnectionPool, store_root: Path, batch: int = purge.BATCH) -> int:
    return purge.sweep(
        pool,
        seed=SEED,
        store=files.LocalFolderFiles(store_root),
        public_url=PUBLIC_URL,
        batch=batch,
    )


def all_tables(admin: Connection) -> list[str]:
    rows = admin.execute(
        "select format('%%I.%%I', n.nspname, c.relname) as name from pg_class c"
        " join pg_namespace n on n.oid = c.relnamespace"
        " where c.relkind in ('r', 'p') and n.nspname = any(%(schemas)s) order by 1",
        {"schemas": list(MANAGED_SCHEMAS)},
    ).fetchall()
    return [row["name"] for row in rows]


def checksums(admin: Connection, but: UUID) -> dict[str, str]:
    """Every table's rows that do not mention company `but` (its id appears nowhere in them),
    digested; the purge's own records and the certificate's email to the former owners aside."""
    sums = {}
    for table in all_tables(admin):
        if table in PURGE_RECORDS:
            continue
        schema, _, name = table.partition(".")
        rows = admin.execute(
            sql.SQL(
                "select to_jsonb(x)::text as r from {} x"
                " where strpos(to_jsonb(x)::text, %(but)s) = 0"
                " and (to_jsonb(x) ->> 'kind') is distinct from 'deletion_certificate'"
                " order by 1"
            ).format(sql.Identifier(schema, name)),
            {"but": str(but)},
        ).fetchall()
        sums[table] = hashlib.sha256("\n".join(r["r"] for r in rows).encode()).hexdigest()
    return sums


def rows_of(admin: Connection, company: UUID) -> dict[str, int]:
    """How many rows the company has in each company table."""
    counts = {}
    for table in catalog.tenant_tables(admin):
        schema, _, name = table.partition(".")
        column = "id" if table == "public.tenants" else "tenant_id"
        row = admin.execute(
            sql.SQL("select count(*) as n from {} where {} = %(c)s").format(
                sql.Identifier(schema, name), sql.Identifier(column)
            ),
            {"c": company},
        ).fetchone()
        counts[table] = int(row["n"]) if row else 0
    return counts


def grow(admin: Connection, company: UUID, customers: int) -> None:
    """`customers` more customers, each with a note and an address: three rows apiece."""
    admin.execute(
        "insert into public.customers (tenant_id, first_name, last_name, email)"
        " select %(c)s, 'Many', 'Customer ' || n, 'many' || n || '@example.com'"
        " from generate_series(1, %(n)s) n",
        {"c": company, "n": customers},
    )
    admin.execute(
        "insert into public.customer_notes (tenant_id, customer_id, body)"
        " select tenant_id, id, 'A note' from public.customers where tenant_id = %(c)s",
        {"c": company},
    )
    admin.execute(
        "insert into public.properties (tenant_id, customer_id, street, city, region, postal_code)"
        " select tenant_id, id, '1 Main St', 'Springfield', 'IL', '62701'"
        " from public.customers where tenant_id = %(c)s",
        {"c": company},
    )


def stored_certificate(admin: Connection, company: UUID) -> UUID:
    """A deletion certificate of `company` as a purge leaves it (its data aside); the one it
    has when it has one."""
    row = (
        admin.execute(
            "select id from app.deletion_certificates where company_id = %(c)s", {"c": company}
        ).fetchone()
        or admin.execute(
            "with p as (insert into app.purges (company_id, status, company_name, closed_at,"
            " scheduled_for, started_at, finished_at) select id, 'done', name, now(), now(), now(),"
            " now() from public.tenants where id = %(c)s returning id, company_id, company_name)"
            " insert into app.deletion_certificates (company_id, purge_id, company_name, document,"
            " digest, signature, key_id, issued_at)"
            " select company_id, id, company_name, '{}', repeat('0', 64), '\\x00', 'k', now()"
            " from p"
            " returning id",
            {"c": company},
        ).fetchone()
    )
    assert row is not None
    return UUID(str(row["id"]))


def certificate_of(admin: Connection, company: UUID) -> dict[str, Any]:
    """The company's certificate as its download has it: document, digest, signature, key id
    and the document read (`certificate`)."""
    row = admin.execute(
        "select document, digest, translate(encode(signature, 'base64'), E'\\n', '')"
        " as signature, key_id from app.deletion_certificates where company_id = %(c)s",
        {"c": company},
    ).fetchone()
    assert row is not None, "no deletion certificate"
    return {**row, "certificate": json.loads(row["document"])}
