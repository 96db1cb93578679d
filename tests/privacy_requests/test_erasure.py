"""P-10: erasing a homeowner removes or irreversibly anonymises every personal field of theirs
in every table of the database, their files, their messages' bodies and numbers and their
values in the audit log, while their invoices stay as anonymised financial records (P-12), the
audit chain still verifies (P-08) and a neighbour's data is untouched. A legal hold refuses the
erasure with its reason."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import psycopg
import pytest
from flask import Flask
from psycopg_pool import ConnectionPool

from app.auth.identity import claims_for
from app.db import Connection
from app.integrations.files import LocalFolderFiles
from jobs.discarded_files import sweep
from tests.audit.household import tables_mentioning, text
from tests.audit.support import audit_verify, chain_problems
from tests.conftest import TestDatabase
from tests.factories import Factory
from tests.policies.identity import acting_as
from tests.privacy_requests.support import EMAIL, MARKERS, PHONE, marked, signed_in

pytestmark = pytest.mark.promise("P-10")


def stored_files(admin: Connection, store: LocalFolderFiles, customer: UUID) -> list[str]:
    """Their visit files and request photos, put in the files folder as uploads would."""
    keys = [
        row["key"]
        for row in admin.execute(
            "select f.storage_key as key from public.visit_files f join public.visits v"
            " on v.id = f.visit_id join public.jobs j on j.id = v.job_id"
            " where j.customer_id = %(c)s union all select storage_key from"
            " public.service_request_photos where customer_id = %(c)s",
            {"c": customer},
        ).fetchall()
    ]
    for key in keys:
        store.put(key, b"picture of Zephyrine", "image/jpeg")
    return keys


def count(admin: Connection, statement: str, value: object) -> int:
    row = admin.execute(statement, [value]).fetchone()
    assert row is not None
    return int(row["n"])


def invoices(admin: Connection, tenant_id: UUID) -> list[dict]:
    return admin.execute(
        "select number, total, paid, status from public.invoices where tenant_id = %s"
        " order by number",
        [tenant_id],
    ).fetchall()


def readable_log(database: TestDatabase, tenant, admin: Connection) -> str:
    """The company's whole audit log as its owner reads it (personal values opened)."""
    claims = claims_for(tenant.owner.account_id, tenant.id)
    with acting_as(database, claims) as conn:
        rows = conn.execute(
            "select audit.readable_values(old_values)::text as old,"
            " audit.readable_values(new_values)::text as new from audit.changes"
        ).fetchall()
    return " ".join(f"{r['old']} {r['new']}" for r in rows).lower()


def test_an_erased_customer_is_nowhere_and_their_invoices_remain(
    app: Flask,
    admin: Connection,
    make: Factory,
    database: TestDatabase,
    pool: ConnectionPool,
    files_dir: Path,
) -> None:
    tenant, customer = marked(admin, make)
    neighbour = make.customer(tenant.id, "Nelly", "Neighbour", email="nelly@neighbour.example")
    make.note(tenant.id, neighbour, "Nelly pays by check.")
    store = LocalFolderFiles(files_dir)
    keys = stored_files(admin, store, customer)
    kept = invoices(admin, tenant.id)
    theirs = count(
        admin, "select count(*) as n from public.invoices where customer_id = %s", customer
    )
    before = tables_mentioning(admin, MARKERS)
    assert {"public.customers", "public.messages", "outbox.messages", "public.sms_opt_outs"} <= set(
        before
    )
    assert any(m in readable_log(database, tenant, admin) for m in MARKERS)
    assert keys
    # The populated company's checkpoints are made up (signed by no trusted key): the verdict
    # must not change, and the chain itself must recompute.
    verdict = audit_verify(app)

    owner = signed_in(app, tenant.owner.email)
    response = owner.submit(f"/customers/{customer}/erase")
    assert response.status_code == 302, text(response)
    sweep(pool, store)

    assert tables_mentioning(admin, MARKERS) == {}
    assert not any(m in readable_log(database, tenant, admin) for m in MARKERS)
    assert [k for k in keys if (files_dir / k).exists()] == []
    assert invoices(admin, tenant.id) == kept and kept
    assert (
        count(
            admin,
            "select count(*) as n from public.invoices where tenant_id = %s"
            " and bill_to_name = 'Erased customer' and customer_id is null",
            tenant.id,
        )
        == theirs
        > 0
    )
    assert chain_problems(admin, tenant.id) == []
    assert audit_verify(app) == verdict
    assert (
        count(
            admin,
            "select count(*) as n from public.customer_notes where customer_id = %s",
            neighbour,
        )
        == 1
    )
    handled = admin.execute(
        "select kind, status, details from public.privacy_requests where tenant_id = %s",
        [tenant.id],
    ).fetchall()
    assert handled and all(r["details"] == "" for r in handled)  # kept as proof, no words


def test_an_erased_numbers_stop_still_holds_back_texts(
    app: Flask, admin: Connection, make: Factory
) -> None:
    tenant, customer = marked(admin, make)
    signed_in(app, tenant.owner.email).submit(f"/customers/{customer}/erase")
    again = make.customer(tenant.id, "New", "Owner", phone=PHONE)  # the number, on file anew

    row = admin.execute(
        "insert into public.messages (tenant_id, channel, kind, customer_id, to_address, body,"
        " time_zone) values (%s, 'sms', 'reminder', %s, %s, 'Your visit', 'UTC')"
        " returning status, blocked_reason",
        [tenant.id, again, PHONE],
    ).fetchone()

    assert row == {"status": "blocked", "blocked_reason": "The number texted STOP."}


def test_a_legal_hold_refuses_erasure_with_its_reason(
    app: Flask, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    customer = make.customer(tenant.id, "Dora", "Dispute", email=EMAIL)
    owner = signed_in(app, tenant.owner.email)
    response = owner.submit(
        f"/customers/{customer}/legal-hold", {"reason": "Open dispute over invoice 12"}
    )
    assert response.status_code == 302, text(response)

    refused = owner.submit(f"/customers/{customer}/erase")

    assert refused.status_code == 409
    assert "Open dispute over invoice 12" in text(refused)
    assert admin.execute(
        "select legal_hold from public.customers where id = %s", [customer]
    ).fetchone() == {"legal_hold": "Open dispute over invoice 12"}
    deleted = owner.submit(f"/customers/{customer}/delete")
    assert admin.execute("select 1 from public.customers where id = %s", [customer]).fetchone()
    assert deleted.status_code == 409

    owner.submit(f"/customers/{customer}/legal-hold", {"reason": ""})
    assert owner.submit(f"/customers/{customer}/erase").status_code == 302
    assert (
        admin.execute("select 1 from public.customers where id = %s", [customer]).fetchone() is None
    )


def test_only_owners_and_admins_set_a_legal_hold(
    app: Flask, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    customer = make.customer(tenant.id, "Dora", "Dispute")
    clerk = make.member(tenant.id, "office")
    office = signed_in(app, clerk.email)

    response = office.submit(f"/customers/{customer}/legal-hold", {"reason": "Mine"})

    assert response.status_code in (403, 404)
    assert admin.execute(
        "select legal_hold from public.customers where id = %s", [customer]
    ).fetchone() == {"legal_hold": ""}


def test_an_answered_request_keeps_a_neutral_answer_after_the_erasure(
    app: Flask, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    customer = make.customer(tenant.id, "Ann", "Answered")
    admin.execute(
        "insert into public.privacy_requests (tenant_id, customer_id, kind, details, source,"
        " status, answer, answered_at) values (%s, %s, 'access', 'Ann wants a copy', 'email',"
        " 'done', 'Sent to ann@answered.example', now())",
        [tenant.id, customer],
    )

    signed_in(app, tenant.owner.email).submit(f"/customers/{customer}/erase")

    row = admin.execute(
        "select status, details, answer from public.privacy_requests where tenant_id = %s",
        [tenant.id],
    ).fetchone()
    assert row == {
        "status": "done",
        "details": "",
        "answer": "Answered. The homeowner has been erased since.",
    }


def test_the_database_refuses_a_hold_set_by_office_staff_and_a_delete_under_hold(
    database: TestDatabase, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    customer = make.customer(tenant.id, "Hal", "Held")
    clerk = make.member(tenant.id, "office")
    with (
        acting_as(database, claims_for(clerk.account_id, tenant.id)) as conn,
        pytest.raises(psycopg.errors.CheckViolation, match="only owners and admins"),
    ):
        conn.execute("update public.customers set legal_hold = 'x' where id = %s", [customer])
    with (
        acting_as(database, claims_for(clerk.account_id, tenant.id)) as conn,
        pytest.raises(psycopg.errors.CheckViolation, match="only owners and admins"),
    ):
        conn.execute(
            "insert into public.customers (tenant_id, first_name, legal_hold)"
            " values (%s, 'New', 'x')",
            [tenant.id],
        )
    with acting_as(database, claims_for(clerk.account_id, tenant.id)) as conn:
        conn.execute(  # an ordinary new customer is no hold
            "insert into public.customers (tenant_id, first_name) values (%s, 'New')", [tenant.id]
        )
    admin.execute(
        "update public.customers set legal_hold = 'Insurance claim' where id = %s", [customer]
    )
    with (
        acting_as(database, claims_for(tenant.owner.account_id, tenant.id)) as conn,
        pytest.raises(psycopg.errors.CheckViolation, match="Insurance claim"),
    ):
        conn.execute("delete from public.customers where id = %s", [customer])
