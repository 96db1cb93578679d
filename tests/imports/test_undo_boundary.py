"""What undo acts on cannot be forged: the records of what an import wrote are written only by
the import's own run, for rows that run wrote; an import's status moves only along its steps;
a member who may not remove customers cannot undo an import of customers; undone imports are
swept and erased like the others."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.types.json import Jsonb

from app.auth.identity import claims_for
from app.db import transaction
from tests.imports.support import import_id_of, text, upload

FILE = b"First Name,Last Name,Email\nAnn,Lee,ann@example.com\nBo,Park,bo@example.com\n"


def _imported(client) -> str:
    import_id = import_id_of(upload(client, FILE))
    assert client.submit(f"/customers/import/{import_id}/mapping").status_code == 302
    assert client.submit(f"/customers/import/{import_id}/confirm").status_code == 302
    return import_id


def test_a_member_cannot_write_the_records_undo_acts_on(office, admin, make, company, pool):
    import_id = _imported(office)
    lead = make.customer(company.id, "Lead", "Only")  # a customer the import did not write
    admin.execute(
        "update public.customer_imports set status = 'running' where id = %s", [import_id]
    )
    claims = claims_for(company.owner.account_id, company.id)
    forged = [{"table_name": "public.customers", "row_id": str(lead), "action": "created"}]

    with pytest.raises(psycopg.errors.InsufficientPrivilege), transaction(pool, claims) as conn:
        conn.execute(
            "insert into public.import_records (tenant_id, import_id, table_name, row_id, action)"
            " values (%s, %s, 'public.customers', %s, 'created')",
            [company.id, import_id, lead],
        )
    refused = pytest.raises(psycopg.errors.InsufficientPrivilege, match="not written by this")
    with refused, transaction(pool, claims) as conn:
        conn.execute("select app.record_import_writes(%s, %s)", [import_id, Jsonb(forged)])
    recorded = admin.execute(
        "select count(*) as n from public.import_records where row_id = %s", [lead]
    ).fetchone()
    assert recorded == {"n": 0}


def test_a_finished_import_cannot_be_sent_back_to_run_again(office, company, pool):
    import_id = _imported(office)
    claims = claims_for(company.owner.account_id, company.id)

    refused = pytest.raises(psycopg.errors.CheckViolation, match="cannot go from done to queued")
    with refused, transaction(pool, claims) as conn:
        conn.execute(
            "update public.customer_imports set status = 'queued' where id = %s", [import_id]
        )


def test_a_member_who_may_not_remove_customers_cannot_undo_them(app, admin, make, company):
    dispatcher = make.member(company.id, "dispatcher")
    client = app.test_client()
    client.sign_in(dispatcher.email)
    import_id = _imported(client)

    client.submit(f"/customers/import/{import_id}/undo")

    page = text(client.get(f"/customers/import/{import_id}"))
    assert "ask one of them to undo it" in page
    assert "This import was undone" not in page
    counted = admin.execute(
        "select count(*) as n from public.customers where tenant_id = %s", [company.id]
    ).fetchone()
    assert counted == {"n": 2}  # nothing undone, customers and all


def test_the_owner_undoes_what_a_dispatcher_imported_and_is_named_for_it(
    app, office, admin, make, company
):
    dispatcher = make.member(company.id, "dispatcher")
    client = app.test_client()
    client.sign_in(dispatcher.email)
    import_id = _imported(client)

    office.submit(f"/customers/import/{import_id}/undo")

    row = admin.execute(
        "select status, undone_by, confirmed_by from public.customer_imports where id = %s",
        [import_id],
    ).fetchone()
    assert row == {
        "status": "undone",
        "undone_by": company.owner.account_id,
        "confirmed_by": dispatcher.account_id,
    }


def test_erasing_a_customer_named_in_an_undone_import_keeps_it_undone(office, admin, make, company):
    make.customer(company.id, "Ann", "Lee", email="ann@example.com")
    import_id = _imported(office)  # updates Ann (her email), adds Bo
    office.submit(f"/customers/import/{import_id}/undo")
    ann = admin.execute(
        "select id from public.customers where email = 'ann@example.com'"
    ).fetchone()["id"]

    admin.execute("select app.discard_imports_mentioning(%s, %s)", [company.id, ann])

    row = admin.execute(
        "select status, source_text from public.customer_imports where id = %s", [import_id]
    ).fetchone()
    assert row == {"status": "undone", "source_text": ""}
