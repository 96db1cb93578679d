"""Sealed personal values (P-07, P-10): a homeowner's values are in the audit log only encrypted
under a key of their own, readable by the company's owners and admins through the viewer; an
import's file only as a digest; every table that leads to a homeowner is accounted for."""

from __future__ import annotations

import re

import psycopg
import pytest
from flask import Flask
from psycopg.types.json import Jsonb

from app.auth.identity import claims_for
from app.db import Connection
from tests.audit.household import imported, signed_in, tables_mentioning
from tests.audit.support import committing
from tests.conftest import TestDatabase
from tests.factories import Factory


@pytest.mark.promise("P-07")
def test_personal_values_are_sealed_and_an_import_file_is_only_digested(
    app: Flask, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    owner = signed_in(app, tenant.owner.email)
    philippa, _ = imported(owner, admin)

    [inserted] = admin.execute(
        "select new_values from audit.changes where table_name = 'public.customers'"
        " and operation = 'insert' and row_key = %s",
        [str(philippa)],
    ).fetchall()
    values = inserted["new_values"]
    assert set(values["last_name"]) == {"subject", "erasable"}
    assert values["last_name"]["subject"] == str(philippa)
    assert values["kind"] == "residential" and values["tenant_id"] == str(tenant.id)  # in clear
    upload_row = admin.execute(
        "select new_values from audit.changes where table_name = 'public.customer_imports'"
        " and operation = 'insert'"
    ).fetchone()
    assert upload_row is not None
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", upload_row["new_values"]["source_text"])
    # the import's file, and its report of what it saved (deleted with the file)
    assert tables_mentioning(admin, ("quillfeather",)).keys() == {
        "public.customers",
        "public.customer_imports",
        "public.import_items",
    }


def sealed_last_names(admin: Connection) -> list[dict]:
    rows = admin.execute(
        "select new_values -> 'last_name' as v from audit.changes"
        " where table_name = 'public.customers' and operation = 'insert' order by id"
    ).fetchall()
    return [row["v"] for row in rows]


@pytest.mark.promise("P-07")
def test_each_homeowner_has_a_key_and_each_value_its_own_iv(admin: Connection, make: Factory):
    tenant = make.tenant()
    first = make.customer(tenant.id, "Ada", "Lovelace")
    second = make.customer(tenant.id, "Ada", "Lovelace")

    sealed = sealed_last_names(admin)

    assert [v["subject"] for v in sealed] == [str(first), str(second)]
    assert sealed[0]["erasable"] != sealed[1]["erasable"]  # same name, different ciphertext
    keys = admin.execute("select count(distinct key) as n from audit.subject_keys").fetchone()
    assert keys == {"n": 2}


@pytest.mark.promise("P-07")
def test_a_multi_row_insert_seals_each_homeowners_values_under_their_own_key(
    admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    made = admin.execute(
        "insert into public.customers (tenant_id, kind, first_name, last_name)"
        " select %(t)s, 'residential', 'Ada', 'Lovelace' from generate_series(1, 3)"
        " returning id",
        {"t": tenant.id},
    ).fetchall()

    sealed = sealed_last_names(admin)

    assert sorted(v["subject"] for v in sealed) == sorted(str(row["id"]) for row in made)
    assert len({v["erasable"] for v in sealed}) == 3
    keys = admin.execute("select count(distinct key) as n from audit.subject_keys").fetchone()
    assert keys == {"n": 3}


@pytest.mark.promise("P-07")
def test_only_owners_and_admins_of_the_company_can_open_sealed_values(
    admin: Connection, make: Factory, database: TestDatabase
) -> None:
    tenant = make.tenant()
    make.customer(tenant.id, "Ada", "Lovelace")
    [sealed] = sealed_last_names(admin)
    office = make.member(tenant.id, "office")
    other = make.tenant("Other Air")
    opened = "select audit.readable_values(jsonb_build_object('last_name', %s::jsonb)) as v"

    with committing(database, claims_for(tenant.owner.account_id, tenant.id)) as conn:
        assert conn.execute(opened, [Jsonb(sealed)]).fetchone() == {"v": {"last_name": "Lovelace"}}
    with committing(database, claims_for(other.owner.account_id, other.id)) as conn:
        assert conn.execute(opened, [Jsonb(sealed)]).fetchone() == {
            "v": {"last_name": {"subject": sealed["subject"], "erased": True}}
        }
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege),
        committing(database, claims_for(office.account_id, tenant.id)) as conn,
    ):
        conn.execute(opened, [Jsonb(sealed)])


# Tables that lead to a homeowner (they name a customer, property, job or visit) but hold no
# personal value of theirs: ids, times, storage keys, checklist labels.
WITHOUT_PERSONAL_VALUES = {
    "public.estimate_tax_rates",  # a copy of the company's rates: names and percentages
    "public.invoice_tax_rates",  # likewise
    "public.job_equipment",
    "public.visit_assignments",
    "public.visit_files",
    "public.visit_checklist_items",
    # Stripe's ids, amounts, the card's brand and last four, Stripe's words on a failure.
    "public.payment_attempts",
    "public.visit_links",  # a token's hash (kept as a digest) and when the link closes
    "public.online_bookings",  # where a booking came from, the window asked for, its status
}


def test_every_table_that_leads_to_a_homeowner_is_accounted_for(admin: Connection) -> None:
    """A new table with a customer_id, property_id, job_id, visit_id, estimate_id or invoice_id
    column must list its personal columns in audit.personal_tables/personal_columns, or be
    reviewed as holding none."""
    leading = {
        row["name"]
        for row in admin.execute(
            "select distinct format('%I.%I', n.nspname, c.relname) as name"
            " from pg_attribute a join pg_class c on c.oid = a.attrelid"
            " join pg_namespace n on n.oid = c.relnamespace"
            " where c.relkind in ('r', 'p') and n.nspname in ('public', 'outbox')"
            " and a.attname in ('customer_id', 'property_id', 'job_id', 'visit_id', 'estimate_id',"
            " 'invoice_id')"
            " and not a.attisdropped"
        ).fetchall()
    }
    registered = {
        row["table_name"]
        for row in admin.execute("select table_name from audit.personal_tables").fetchall()
    }
    assert "public.customers" in registered
    assert leading - WITHOUT_PERSONAL_VALUES == registered - {"public.customers"}
