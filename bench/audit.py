"""What the audit log costs: (1) writes to an audited company table against an identical table
without the audit trigger, and (2) the audit viewer's queries on a company with 1,000,000 log
rows. Both run through the real tenant transaction: the app's login role, `app.db.begin()` with
an owner's claims, row-level security on every table involved.

Run: `make bench` (or `python -m bench.audit` with DATABASE_URL/DATABASE_ADMIN_URL set).
Reproducible: fixed seeds, data rebuilt in its own database each run (BENCH_REUSE=1 keeps it
and runs the viewer only).
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

import psycopg
from psycopg.rows import dict_row

from app.db import Connection, admin_connection
from bench import audit_viewer, audit_writes, scale
from bench.audit_viewer import md5_uuid
from bench.results import Row

NAME = "plenum_bench_audit"
COMPANIES = 52  # 0: the viewed company; 1-50: the others in the log; 51: the writer
MEMBERS = audit_viewer.MEMBERS  # slot 0 is the owner, 1-2 admins, 3-5 office, 6-7 dispatchers


def _url(base: str, name: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def company(index: int) -> UUID:
    return md5_uuid(f"tenant-{index}")


def account(index: int, slot: int) -> UUID:
    return md5_uuid(f"account-{index}-{slot}")


SEED_COMPANIES = """
insert into public.tenants (id, name)
select md5('tenant-' || t)::uuid, 'Company ' || t from generate_series(0, {last}) t;
insert into iam.accounts (id, email, full_name, password_hash)
select md5('account-' || t || '-' || s)::uuid, 'm' || t || '-' || s || '@bench.example',
       'Member ' || t || '-' || s, '$argon2id$bench'
from generate_series(0, {last}) t, generate_series(0, {slots}) s;
insert into public.memberships (tenant_id, account_id, full_name, email, role)
select md5('tenant-' || t)::uuid, md5('account-' || t || '-' || s)::uuid,
       'Member ' || t || '-' || s, 'm' || t || '-' || s || '@bench.example',
       case when s = 0 then 'owner' when s < 3 then 'admin' when s < 6 then 'office'
            when s < 8 then 'dispatcher' else 'technician' end
from generate_series(0, {last}) t, generate_series(0, {slots}) s;
"""


def build(admin_url: str) -> None:
    """A fresh database: migrations, the two note tables, the companies and their members."""
    scale.fresh_database(admin_url, NAME)
    with admin_connection(_url(admin_url, NAME)) as conn:
        audit_writes.create_tables(conn)
        seed = SEED_COMPANIES.format(last=COMPANIES - 1, slots=MEMBERS - 1)
        with conn.transaction():
            conn.execute(seed.encode())
        conn.execute("analyze")


def owner_claims(index: int) -> dict[str, str]:
    return {
        "role": "authenticated",
        "sub": str(account(index, 0)),
        "tenant_id": str(company(index)),
    }


def app_connection(app_url: str) -> Connection:
    """As the app's pool makes them: no autocommit, dict rows, prepared after 5 uses."""
    return psycopg.connect(_url(app_url, NAME), row_factory=dict_row, prepare_threshold=5)


def run_writes() -> list[Row]:
    """Only the write overhead (BENCH_ONLY=audit_writes): a fresh database, no log to load."""
    admin_url, app_url = os.environ["DATABASE_ADMIN_URL"], os.environ["DATABASE_URL"]
    build(admin_url)
    with app_connection(app_url) as audited, app_connection(app_url) as plain:
        claims, writer = owner_claims(COMPANIES - 1), company(COMPANIES - 1)
        return audit_writes.run(audited, plain, claims, writer)


def run() -> list[Row]:
    admin_url, app_url = os.environ["DATABASE_ADMIN_URL"], os.environ["DATABASE_URL"]
    started = time.perf_counter()
    reuse = bool(os.environ.get("BENCH_REUSE"))
    rows: list[Row] = []
    if not reuse:
        build(admin_url)
        print(f"built {NAME} in {time.perf_counter() - started:.0f} s")
        with app_connection(app_url) as audited, app_connection(app_url) as plain:
            claims, writer = owner_claims(COMPANIES - 1), company(COMPANIES - 1)
            rows += audit_writes.run(audited, plain, claims, writer)
        print(f"\n(writes done at {time.perf_counter() - started:.0f} s)\n")
        audit_viewer.load(_url(admin_url, NAME))
        print(f"(log loaded at {time.perf_counter() - started:.0f} s)\n")
    with app_connection(app_url) as conn:
        rows += audit_viewer.run(
            conn,
            owner_claims(0),
            tenant=company(0),
            technician=account(0, 10),
            day=datetime.fromisoformat("2025-03-12T00:00:00-04:00"),
        )
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return rows


def main() -> None:
    run()


if __name__ == "__main__":
    main()
