"""P-10 (access): the copy of one customer's data holds every row linked to them in every
company table, and nothing of another customer or company. The rows linked to a customer are
found independently of the export: those that deleting the customer would take or detach."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any
from uuid import UUID

import pytest
from flask import Flask
from psycopg import sql

from app import catalog
from app.db import Connection
from tests.factories import Factory
from tests.lifecycle.support import populate
from tests.policies.identity import table_name
from tests.privacy_requests.support import signed_in
from tests.requests.support import make_privacy_request

pytestmark = pytest.mark.promise("P-10")


def ids_by_table(admin: Connection, tables: list[str], tenant_id: UUID) -> dict[str, dict]:
    """Each table's rows of the company (with an `id`), as id → the row as JSON text."""
    found: dict[str, dict] = {}
    for table in tables:
        rows = admin.execute(
            sql.SQL(
                "select t.id::text as id, to_jsonb(t)::text as row from {} t where t.tenant_id = %s"
            ).format(table_name(table)),
            [tenant_id],
        ).fetchall()
        found[table] = {r["id"]: r["row"] for r in rows}
    return found


def linked_rows(admin: Connection, tables: list[str], tenant_id: UUID, customer: UUID) -> dict:
    """The rows deleting the customer would take or change (found, then rolled back)."""
    before = ids_by_table(admin, tables, tenant_id)
    with admin.transaction(force_rollback=True):
        admin.execute("delete from public.customers where id = %s", [customer])
        after = ids_by_table(admin, tables, tenant_id)
    linked = {
        table: {i for i, row in rows.items() if after[table].get(i) != row}
        for table, rows in before.items()
    }
    return {table: ids for table, ids in linked.items() if ids}


def with_ids(admin: Connection) -> list[str]:
    return [
        t
        for t in catalog.tenant_tables(admin)
        if t != "public.tenants"
        and admin.execute(
            "select 1 from information_schema.columns where table_schema || '.' || table_name"
            " = %s and column_name = 'id'",
            [t],
        ).fetchone()
    ]


def exported(app: Flask, admin: Connection, tenant: Any, customer: UUID) -> dict[str, Any]:
    request = make_privacy_request(admin, tenant.id, customer, "access")
    owner = signed_in(app, tenant.owner.email)
    response = owner.get(f"/privacy-requests/{request}/data.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("data.json"))["tables"]
    for table in data:
        assert f"{table}.csv" in archive.namelist()
    return data


def test_the_copy_holds_every_row_linked_to_the_customer_and_nobody_elses(
    app: Flask, admin: Connection, make: Factory
) -> None:
    tenant, customer = populate(admin, make)
    neighbour = make.customer(tenant.id, "Nora", "Neighbour", email="nora@neighbour.example")
    make.note(tenant.id, neighbour, "Nora's note.")
    make.job(tenant.id, make.property(tenant.id, neighbour))
    other_company, other_customer = populate(admin, make, "Other Company")
    tables = with_ids(admin)
    theirs = linked_rows(admin, tables, tenant.id, customer)
    not_theirs = linked_rows(admin, tables, tenant.id, neighbour)
    assert len(theirs) > 20

    data = exported(app, admin, tenant, customer)

    readable = {t for t in theirs if t in data}  # tables the company's members may read
    assert {"public.customers", "public.jobs", "public.visits", "public.invoices"} <= readable
    missing = {
        table: ids - {str(r["id"]) for r in data.get(table, [])}
        for table, ids in theirs.items()
        if table in data
    }
    assert {t: ids for t, ids in missing.items() if ids} == {}
    hidden = set(theirs) - set(data)
    assert hidden <= {"iam.portal_sessions", "app.message_claims"}, hidden
    company_ids = ids_by_table(admin, tables, tenant.id)
    for table, rows in data.items():
        for row in rows:
            assert row.get("tenant_id") == str(tenant.id)
            if "id" in row and table in company_ids:
                assert str(row["id"]) in company_ids[table]
                assert str(row["id"]) not in not_theirs.get(table, set())
    text = json.dumps(data)
    assert "Nora" not in text and str(other_customer) not in text
    assert str(other_company.id) not in text
    assert "token_hash" not in text and "_encrypted" not in text


def test_the_copy_holds_their_other_numbers_and_emails_and_what_was_sent_to_them(
    app: Flask, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    customer = make.customer(tenant.id, "Dana", "Reyes", phone="+12175550140")
    neighbour = make.customer(tenant.id, "Nora", "Neighbour")
    for statement in (
        "insert into public.customer_phones (tenant_id, customer_id, kind, number, extension)"
        " values (%(t)s, %(c)s, 'work', '+12175550143', '12'),"
        " (%(t)s, %(n)s, 'home', '+12175550199', '')",
        "insert into public.customer_emails (tenant_id, customer_id, kind, email)"
        " values (%(t)s, %(c)s, 'work', 'dana.work@example.com')",
        "insert into public.messages (tenant_id, channel, kind, to_address, body, time_zone)"
        " values (%(t)s, 'sms', 'reply', '+12175550143', 'At your office at ten', 'UTC'),"
        " (%(t)s, 'email', 'reply', 'dana.work@example.com', 'Your invoice', 'UTC'),"
        " (%(t)s, 'sms', 'reply', '+12175550199', 'Nora''s text', 'UTC')",
    ):
        admin.execute(statement, {"t": tenant.id, "c": customer, "n": neighbour})

    data = exported(app, admin, tenant, customer)

    phones = [(r["kind"], r["number"], r["extension"]) for r in data["public.customer_phones"]]
    assert phones == [("work", "+12175550143", "12")]
    assert [r["email"] for r in data["public.customer_emails"]] == ["dana.work@example.com"]
    bodies = sorted(r["body"] for r in data["public.messages"])
    assert bodies == ["At your office at ten", "Your invoice"]
