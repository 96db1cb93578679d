"""P-01: the migrations alone fail closed. Applied without `supabase/policies/` (without the
policies migrations that `flask db policies` writes from it), every table denies `anon` and
`authenticated`, whatever claims they carry, until the policies arrive.

The database here gets only what Supabase itself provides (supabase/local: roles, `auth`) and
the other migrations in order: no audit triggers, no policies.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from psycopg import sql

from app import migrations
from app.db import ANON, Connection, admin_connection
from tests.conftest import TestDatabase, _drop_database, new_database
from tests.factories import Factory, Tenant
from tests.policies.identity import acting_as, claims_of, rows_counted, table_name
from tests.policies.test_rls_matrix import AUDIT_LOG, ROW_BUILDERS, insert

# Every relation a role might select from, in every schema but the system's.
RELATIONS = """
    select format('%I.%I', n.nspname, c.relname) as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p', 'v', 'm', 'f')
      and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
    order by 1
"""


@pytest.fixture(scope="module")
def migrations_alone() -> Iterator[TestDatabase]:
    """A new database with the local bootstrap and the migrations but the policies ones."""
    database = new_database(f"plenum_test_{os.getpid()}_migrations_alone")
    with admin_connection(database.admin_url) as conn:
        migrations.bootstrap(conn)
        for migration in migrations.migrations():
            if migration.name == migrations.POLICIES:
                continue
            with conn.transaction():
                conn.execute(migration.path.read_text().encode())
    yield database
    _drop_database(database.name)


@pytest.fixture(scope="module")
def company(migrations_alone: TestDatabase) -> Iterator[tuple[Tenant, Connection]]:
    """A company with a row in every company table, inserted by the superuser."""
    with admin_connection(migrations_alone.admin_url) as admin:
        make = Factory(admin)
        tenant = make.tenant("Company A")
        for table, build in ROW_BUILDERS.items():
            if table not in AUDIT_LOG:  # written by audit triggers, which are not attached here
                row = build(make, tenant.id)
                admin.execute(insert(table, row), row)
        yield tenant, admin


def rows_seen(database: TestDatabase, claims: dict[str, str], tables: list[str]) -> list[str]:
    seen = []
    with acting_as(database, claims) as conn:
        for table in tables:
            statement = sql.SQL("select count(*) as n from {}").format(table_name(table))
            counted = rows_counted(conn, statement, {})
            if counted:
                seen.append(f"{table}: {counted} row(s)")
    return seen


@pytest.mark.promise("P-01")
def test_the_migrations_alone_leave_every_table_closed(
    migrations_alone: TestDatabase, company: tuple[Tenant, Connection]
) -> None:
    tenant, admin = company
    policies = admin.execute("select count(*) as n from pg_policies").fetchone()
    assert policies == {"n": 0}, "this database must not have the policies"
    tables = [row["name"] for row in admin.execute(RELATIONS).fetchall()]
    filled = [
        t
        for t in tables
        if rows_counted(admin, sql.SQL("select count(*) as n from {}").format(table_name(t)), {})
    ]
    # The control: the superuser sees the company's rows, so a zero below means refusal.
    assert {"public.tenants", "public.customers", "iam.accounts", "outbox.messages"} <= set(filled)

    assert rows_seen(migrations_alone, dict(ANON), tables) == []
    assert rows_seen(migrations_alone, claims_of(tenant.owner), tables) == []


@pytest.mark.promise("P-01")
def test_the_migrations_alone_enable_rls_on_every_managed_table(
    company: tuple[Tenant, Connection],
) -> None:
    _, admin = company
    open_tables = admin.execute(
        "select format('%%I.%%I', n.nspname, c.relname) as name from pg_class c"
        " join pg_namespace n on n.oid = c.relnamespace"
        " where c.relkind in ('r', 'p') and not c.relrowsecurity and n.nspname = any(%(s)s)",
        {"s": list(migrations.MANAGED_SCHEMAS)},
    ).fetchall()
    assert open_tables == []
