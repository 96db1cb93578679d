"""Erasure (P-07, P-08, P-10): erasing a homeowner destroys their audit key and everything of
theirs, after which no table of the database yields their name, email, phone or street, while
the chain still verifies and their neighbour's history still reads."""

from __future__ import annotations

from uuid import UUID

import psycopg
import pytest
from flask import Flask

from app.auth.identity import claims_for
from app.db import Connection
from tests.audit.household import (
    ERASED,
    NEIGHBOUR,
    household,
    signed_in,
    tables_mentioning,
    text,
)
from tests.audit.support import audit_verify, chain_problems, committing
from tests.conftest import TestDatabase
from tests.factories import Factory


@pytest.mark.promise("P-10")
@pytest.mark.promise("P-08")
def test_after_erasure_no_table_yields_the_customer_and_the_chain_still_verifies(
    app: Flask, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant("Quill Heating")
    owner = signed_in(app, tenant.owner.email)
    home = household(owner, admin, make, tenant)
    before = tables_mentioning(admin, ERASED)
    assert {"public.customers", "public.customer_imports", "public.visits"} <= set(before)
    assert "audit.changes" not in before  # sealed from the start, not only after erasure

    response = owner.submit(f"/customers/{home.customer}/erase")

    assert response.status_code == 302, text(response)
    assert tables_mentioning(admin, ERASED) == {}
    assert chain_problems(admin, tenant.id) == []
    assert audit_verify(app)[0] == 0
    erasure = admin.execute(
        "select new_values from audit.changes where operation = 'erasure' and row_key = %s",
        [str(home.customer)],
    ).fetchall()
    assert erasure == [{"new_values": {"imports_discarded": 1}}]
    discarded = admin.execute("select storage_key from app.discarded_files").fetchall()
    assert discarded == [{"storage_key": f"{tenant.id}/signatures/{home.visit}.png"}]


@pytest.mark.promise("P-10")
@pytest.mark.promise("P-07")
def test_the_viewer_shows_erased_for_the_erased_and_the_neighbour_in_clear(
    app: Flask, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant("Quill Heating")
    owner = signed_in(app, tenant.owner.email)
    home = household(owner, admin, make, tenant)
    history = f"/audit/records/public.customers/{home.customer}"
    assert "Quillfeather" in text(owner.get(history))  # readable while she is a customer

    owner.submit(f"/customers/{home.customer}/erase")

    erased = text(owner.get(history))
    assert "Quillfeather" not in erased and "555" not in erased
    assert erased.count('class="muted erased">erased<') >= 8  # first, last, email, phone…
    assert "Erased at the customer's request" in erased
    assert "History of Customer (erased)" in erased  # the record's name is erased too
    log = text(owner.get("/audit?table=public.customers"))
    assert "Quillfeather" not in log and "Customer (erased)" in log
    note_history = text(owner.get(f"/audit/records/public.visit_notes/{home.visit_note}"))
    assert "erased" in note_history and "basement" not in note_history
    neighbour = text(owner.get(f"/audit/records/public.customers/{home.neighbour}"))
    assert all(value in neighbour for value in NEIGHBOUR)
    assert "erased" not in neighbour


@pytest.mark.promise("P-07")
def test_an_ordinary_deletion_keeps_a_readable_history_of_every_row(
    app: Flask, admin: Connection, make: Factory
) -> None:
    """A cascade deletes a visit's note after its visit and job: the note's values are still
    sealed under the customer's key (found through the log), so the owner can read them."""
    tenant = make.tenant("Quill Heating")
    owner = signed_in(app, tenant.owner.email)
    home = household(owner, admin, make, tenant)

    assert owner.submit(f"/customers/{home.customer}/delete").status_code == 302

    deleted = admin.execute(
        "select table_name, old_values::text as old from audit.changes where operation = 'delete'"
        " and table_name in ('public.visits', 'public.visit_notes', 'public.equipment',"
        " 'public.equipment_service_records', 'public.jobs', 'public.properties')"
    ).fetchall()
    assert len(deleted) == 6
    for row in deleted:
        assert f'"subject": "{home.customer}"' in row["old"], row["table_name"]
        assert "Quillfeather" not in row["old"]
    page = text(owner.get(f"/audit/records/public.visit_notes/{home.visit_note}"))
    assert page.count("Philippa Quillfeather showed me the basement.") == 2  # added, removed
    # the import's file and its report of what it saved, both deleted with the file (P-12)
    assert tables_mentioning(admin, ("wisteria",)).keys() == {
        "public.customer_imports",
        "public.import_items",
    }


@pytest.mark.promise("P-10")
def test_an_office_member_cannot_erase(
    app: Flask, admin: Connection, make: Factory, database: TestDatabase
) -> None:
    tenant = make.tenant()
    customer = make.customer(tenant.id, "Philippa", "Quillfeather")
    office = make.member(tenant.id, "office")

    assert signed_in(app, office.email).get(f"/customers/{customer}/erase").status_code == 403
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege),
        committing(database, claims_for(office.account_id, tenant.id)) as conn,
    ):
        conn.execute("select app.erase_customer(%s)", [customer])

    assert still_there(admin, customer)


@pytest.mark.promise("P-10")
@pytest.mark.promise("P-01")
def test_another_companys_owner_cannot_erase(
    app: Flask, admin: Connection, make: Factory, database: TestDatabase
) -> None:
    tenant = make.tenant()
    customer = make.customer(tenant.id, "Philippa", "Quillfeather")
    other = make.tenant("Other Air")

    assert signed_in(app, other.owner.email).get(f"/customers/{customer}/erase").status_code == 404
    with (
        pytest.raises(psycopg.errors.NoDataFound),
        committing(database, claims_for(other.owner.account_id, other.id)) as conn,
    ):
        conn.execute("select app.erase_customer(%s)", [customer])

    assert still_there(admin, customer)


def still_there(admin: Connection, customer: UUID) -> bool:
    """The customer exists and their audit key is whole."""
    row = admin.execute(
        "select (select count(*) from public.customers where id = %(c)s) as customers,"
        " (select count(*) from audit.subject_keys where subject_id = %(c)s and key is not null)"
        " as keys",
        {"c": customer},
    ).fetchone()
    return row == {"customers": 1, "keys": 1}
