"""The populated company the lifecycle's tests start from has a row in every company table."""

from __future__ import annotations

from psycopg import sql

from app import catalog
from app.db import Connection
from tests.factories import Factory
from tests.lifecycle.support import populate
from tests.policies.identity import table_name


def test_a_populated_company_has_a_row_in_every_company_table(
    admin: Connection, make: Factory
) -> None:
    tenant, _customer = populate(admin, make)
    empty = [
        table
        for table in catalog.tenant_tables(admin)
        if not admin.execute(
            sql.SQL("select 1 from {} where {} = %(t)s limit 1").format(
                table_name(table),
                sql.Identifier("id" if table == "public.tenants" else "tenant_id"),
            ),
            {"t": tenant.id},
        ).fetchone()
    ]
    assert empty == []
