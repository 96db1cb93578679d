"""P-11: a closed company is read-only for everyone, enforced by the database on every company
table, until it is reopened; the purge (service_role) may still delete its rows."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from app import catalog, migrations
from app.db import Connection
from tests.conftest import TestDatabase
from tests.factories import Factory
from tests.lifecycle.closing_support import close_as, outcome, reopen_as
from tests.lifecycle.support import populate
from tests.policies.identity import acting_as, claims_of, table_name


def company_column(table: str) -> sql.Identifier:
    return sql.Identifier("id" if table == "public.tenants" else "tenant_id")


def writable_column(admin: Connection, table: str) -> str | None:
    """A column the app's users may update in `table` (by their grants), if any."""
    row = admin.execute(
        "select attname from pg_attribute where attrelid = %(t)s::regclass and attnum > 0"
        " and not attisdropped and has_column_privilege('authenticated', attrelid, attnum,"
        " 'UPDATE') order by attnum limit 1",
        {"t": table},
    ).fetchone()
    return row["attname"] if row else None


def writes(admin: Connection, table: str) -> dict[str, sql.Composed]:
    """An insert (a copy of one of the company's rows: the trigger runs before the keys are
    checked), an update of a column users may write, and a delete, of the company's rows."""
    where = sql.SQL("{} = %(t)s").format(company_column(table))
    found = {
        "insert": sql.SQL("insert into {t} select * from {t} where {w} limit 1").format(
            t=table_name(table), w=where
        ),
        "delete": sql.SQL("delete from {t} where {w}").format(t=table_name(table), w=where),
    }
    column = writable_column(admin, table)
    if column:
        found["update"] = sql.SQL("update {t} set {c} = {c} where {w}").format(
            t=table_name(table), c=sql.Identifier(column), w=where
        )
    return found


def company_tables(admin: Connection) -> list[str]:
    return [
        table
        for table in catalog.tenant_tables(admin)
        if table.startswith("public.") and table not in migrations.READ_ONLY_EXEMPT
    ]


def outcomes(database: TestDatabase, admin: Connection, owner_claims: dict[str, str], tenant_id):
    found = {}
    with acting_as(database, owner_claims) as conn:
        for table in company_tables(admin):
            for operation, statement in writes(admin, table).items():
                found[(table, operation)] = outcome(conn, statement, {"t": tenant_id})
    return found


def counts(database: TestDatabase, admin: Connection, owner_claims: dict[str, str], tenant_id):
    with acting_as(database, owner_claims) as conn:
        return {
            table: conn.execute(
                sql.SQL("select count(*) as n from {} where {} = %(t)s").format(
                    table_name(table), company_column(table)
                ),
                {"t": tenant_id},
            ).fetchall()[0]["n"]
            for table in company_tables(admin)
        }


@pytest.mark.promise("P-11")
def test_every_write_the_owner_could_make_is_refused_while_closed_and_works_once_reopened(
    database: TestDatabase, admin: Connection, make: Factory
) -> None:
    tenant, _customer = populate(admin, make)
    owner = claims_of(tenant.owner)
    before = outcomes(database, admin, owner, tenant.id)
    seen_before = counts(database, admin, owner, tenant.id)
    assert "closed" not in before.values()
    # The writes that reached the table while open: changed it, or were refused by its rules.
    reached = {key for key, result in before.items() if result in ("changed", "refused")}
    assert len({table for table, _ in reached}) >= 30  # the proof covers the tables, not a few

    close_as(database, tenant.owner)
    while_closed = outcomes(database, admin, owner, tenant.id)
    assert {key: while_closed[key] for key in reached} == dict.fromkeys(reached, "closed")
    # Nothing else became possible, and every row can still be read.
    assert "changed" not in while_closed.values()
    assert counts(database, admin, owner, tenant.id) == seen_before

    reopen_as(database, tenant.owner)
    assert outcomes(database, admin, owner, tenant.id) == before


@pytest.mark.promise("P-11")
def test_service_role_may_delete_a_closed_companys_rows(
    database: TestDatabase, admin: Connection, make: Factory
) -> None:
    tenant, _customer = populate(admin, make)
    close_as(database, tenant.owner)
    with acting_as(database, {"role": "service_role", "actor": "system:purge"}) as conn:
        deleted = {
            table: outcome(conn, writes(admin, table)["delete"], {"t": tenant.id})
            for table in company_tables(admin)
        }
    assert "closed" not in deleted.values()
    assert deleted["public.customers"] == "changed"


@pytest.mark.promise("P-11")
def test_every_company_table_has_the_trigger_and_the_export_has_none(admin: Connection) -> None:
    triggered = {
        row["name"]
        for row in admin.execute(
            "select format('%I.%I', n.nspname, c.relname) as name from pg_trigger t"
            " join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace"
            " where t.tgname = '_read_only_when_closed' and t.tgenabled <> 'D'"
        ).fetchall()
    }
    assert set(company_tables(admin)) <= triggered
    assert triggered.isdisjoint(migrations.READ_ONLY_EXEMPT)


def test_a_user_cannot_close_the_company_by_writing_its_row(
    database: TestDatabase, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    with (
        acting_as(database, claims_of(tenant.owner)) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(
            "update public.tenants set status = 'closed', closed_at = now(),"
            " purge_after = now() where id = %(t)s",
            {"t": tenant.id},
        )


@pytest.mark.promise("P-03")
@pytest.mark.promise("P-15")
def test_what_withdraws_still_works_while_closed_and_nothing_else(
    database: TestDatabase, admin: Connection, make: Factory
) -> None:
    """A fired employee is removed, a homeowner's consent withdrawn or processing restricted,
    even in a closed company; giving consent back, or any other change, waits for reopening."""
    tenant = make.tenant()
    leaving = make.member(tenant.id, "technician")
    customer = make.customer(tenant.id, "Ada", "Lovelace")
    admin.execute(
        "update public.customers set marketing_consent = true, marketing_consent_at = now(),"
        " marketing_by_email = false where id = %s",
        [customer],
    )
    close_as(database, tenant.owner)
    member = {"m": leaving.membership_id}
    ada = {"c": customer}
    with acting_as(database, claims_of(tenant.owner)) as conn:
        assert {
            "remove the member": outcome(
                conn,
                "update public.memberships set status = 'removed', removed_at = now(),"
                " updated_at = now() where id = %(m)s",
                member,
            ),
            "remove and rename": outcome(
                conn,
                "update public.memberships set status = 'removed', role = 'admin' where id = %(m)s",
                member,
            ),
            "withdraw marketing": outcome(
                conn,
                "update public.customers set marketing_consent = false, marketing_by_sms = false,"
                " updated_at = now() where id = %(c)s",
                ada,
            ),
            "restrict processing": outcome(
                conn, "update public.customers set restrict_processing = true where id = %(c)s", ada
            ),
            "withdraw and rename": outcome(
                conn,
                "update public.customers set marketing_consent = false, first_name = 'X'"
                " where id = %(c)s",
                ada,
            ),
            "change nothing": outcome(
                conn, "update public.customers set first_name = first_name where id = %(c)s", ada
            ),
        } == {
            "remove the member": "changed",
            "remove and rename": "closed",
            "withdraw marketing": "changed",
            "restrict processing": "changed",
            "withdraw and rename": "closed",
            "change nothing": "closed",
        }
        assert (
            outcome(
                conn, "update public.customers set marketing_by_email = true where id = %(c)s", ada
            )
            == "closed"
        )  # giving consent back waits for the company to reopen
