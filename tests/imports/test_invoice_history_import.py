"""Past invoices of an old system are kept as history on the customer's page, never collected:
the preview says that an unpaid balance comes in with the open balances import."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from psycopg_pool import ConnectionPool

from app.db import Connection
from app.imports import csvfile, fields
from app.imports.kinds import KINDS
from tests.conftest import Client
from tests.factories import Factory, Tenant
from tests.imports.kinds_support import applied, file_text, imported, left_out, planned, undone

KIND = KINDS["invoices"]
FILE = "invoices_jobber_history.csv"
MAPPING = [
    "number",
    "customer_name",
    "issued_on",
    "due_on",
    "total",
    "paid",
    "balance",
    "status",
    "description",
]


@pytest.fixture
def ada(make: Factory, company: Tenant) -> UUID:
    return make.customer(company.id, "Ada", "Lovelace", email="ada@example.com")


@pytest.fixture
def grace(make: Factory, company: Tenant) -> UUID:
    return make.customer(company.id, "Grace", "Hopper", email="grace@example.com")


def test_the_columns_are_guessed_from_the_headers() -> None:
    headers, _ = csvfile.read(file_text(FILE), ",")
    assert fields.guess_mapping(headers, KIND.targets, KIND.synonyms) == MAPPING


def test_the_preview_reads_amounts_and_statuses(pool: ConnectionPool, company, ada, grace) -> None:
    plan = planned(pool, company, KIND, file_text(FILE), MAPPING)

    assert left_out(plan) == {
        5: "No customer matches 'Zed Unknown': import the customers first.",
        6: "No invoice date.",
        7: "No total: an invoice needs its total.",
    }
    summary = [
        (i.data["number"], i.data["status"], i.data["paid"], i.data["balance"]) for i in plan.items
    ]
    assert summary == [
        ("5001", "paid", "300.00", "0.00"),
        ("5002", "partly_paid", "200.00", "300.00"),  # the balance the file left blank
        ("5003", "void", None, None),
    ]
    assert [f.note for f in plan.items[1].flags] == [
        "Kept as history, not collected: open balances are imported by the Open balances import."
    ]
    assert plan.items[0].flags == [] and plan.items[2].flags == []


def test_applying_keeps_them_on_the_customer_and_makes_no_invoice(
    pool: ConnectionPool, admin: Connection, company, ada, grace
) -> None:
    written = applied(pool, company, KIND, planned(pool, company, KIND, file_text(FILE), MAPPING))

    assert [w.table for w in written] == ["public.invoice_history"] * 3
    rows = admin.execute(
        "select number, issued_on, due_on, total, status, description from public.invoice_history"
        " where customer_id = %s order by number",
        [ada],
    ).fetchall()
    assert rows[1] == {
        "number": "5002",
        "issued_on": date(2025, 6, 1),
        "due_on": date(2025, 7, 1),
        "total": Decimal("500.00"),
        "status": "partly_paid",
        "description": "AC install deposit",
    }
    assert admin.execute("select count(*) as n from public.invoices").fetchone() == {"n": 0}


def test_the_same_file_again_changes_nothing_and_a_new_status_updates(
    pool: ConnectionPool, company, ada, grace
) -> None:
    applied(pool, company, KIND, planned(pool, company, KIND, file_text(FILE), MAPPING))

    again = planned(pool, company, KIND, file_text(FILE), MAPPING)
    assert [i.action for i in again.items] == ["unchanged"] * 3
    assert applied(pool, company, KIND, again) == []

    paid = file_text(FILE).replace("$500.00,$200.00,,Partial", "$500.00,$500.00,,Paid")
    later = planned(pool, company, KIND, paid, MAPPING)
    written = applied(pool, company, KIND, later)
    assert [i.action for i in later.items] == ["unchanged", "update", "unchanged"]
    assert [(w.action, w.before and w.before["status"]) for w in written] == [
        ("updated", "partly_paid")
    ]


def test_the_customer_page_shows_the_old_invoices(
    pool: ConnectionPool, office: Client, company, ada, grace
) -> None:
    applied(pool, company, KIND, planned(pool, company, KIND, file_text(FILE), MAPPING))

    page = office.get(f"/customers/{ada}").get_data(as_text=True)

    section = page[page.index('id="history"') : page.index('id="timeline"')]
    assert "Invoices from the old system" in section
    assert section.index("Invoice 5002") < section.index("Invoice 5001")  # newest first
    assert "$300.00 unpaid then" in section and "Partly paid" in section
    assert "Duplicate invoice" not in section  # Grace's


def test_an_import_of_invoice_history_is_undone_as_a_whole(
    pool: ConnectionPool, admin: Connection, company, ada, grace
) -> None:
    import_id = imported(pool, admin, company, KIND, file_text(FILE), MAPPING)
    assert old_invoices(admin) == 3

    assert undone(pool, company, import_id) is None
    assert old_invoices(admin) == 0


def old_invoices(admin: Connection) -> int:
    row = admin.execute("select count(*) as n from public.invoice_history").fetchone()
    assert row is not None
    return int(row["n"])
