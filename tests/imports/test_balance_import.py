"""Open balances of an old system become sent invoices the office collects as any other; a
balance of nothing, a credit, or one for a customer not found is left out with the reason, and
a balance already brought forward is never brought forward twice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from psycopg_pool import ConnectionPool

from app.db import Connection
from app.imports import csvfile, fields
from app.imports.kinds import KINDS
from app.imports.plan import Written
from tests.conftest import Client
from tests.factories import Factory, Tenant
from tests.imports.kinds_support import applied, file_text, imported, left_out, planned, undone

KIND = KINDS["balances"]
FILE = "balances_quickbooks_open.csv"
MAPPING = ["customer_name", "customer_email", "amount", "as_of", "reference"]
OPTIONS = {"system": "QuickBooks", "as_of": "2026-12-01"}


@pytest.fixture
def ada(make: Factory, company: Tenant) -> UUID:
    ada = make.customer(company.id, "Ada", "Lovelace", email="ada@example.com")
    make.property(company.id, ada, street="12 Elm St")
    return ada


@pytest.fixture
def grace(make: Factory, company: Tenant) -> UUID:
    return make.customer(company.id, "Grace", "Hopper", email="grace@example.com")


def invoices(admin: Connection) -> list[dict[str, object]]:
    return admin.execute(
        "select i.number, i.status, i.issued_on, i.due_on, i.total, i.paid, i.currency,"
        " i.bill_to_name, i.bill_to_address, i.sent_at is not null as sent, i.customer_id,"
        " l.description, l.taxable"
        " from public.invoices i join public.invoice_lines l on l.invoice_id = i.id"
        " order by i.number"
    ).fetchall()


def _file_applied(pool: ConnectionPool, company: Tenant) -> list[Written]:
    plan = planned(pool, company, KIND, file_text(FILE), MAPPING, OPTIONS)
    return applied(pool, company, KIND, plan)


def test_the_columns_are_guessed_from_the_headers() -> None:
    headers, _ = csvfile.read(file_text(FILE), ",")
    assert fields.guess_mapping(headers, KIND.targets, KIND.synonyms) == MAPPING


def test_the_preview_leaves_out_what_cannot_be_collected(
    pool: ConnectionPool, company, ada, grace
) -> None:
    plan = planned(pool, company, KIND, file_text(FILE), MAPPING, OPTIONS)

    assert left_out(plan) == {
        3: "Nothing to collect: a balance of 0.00.",
        4: "No customer matches 'Zed Unknown': import the customers first.",
        5: "Nothing to collect: a balance of -45.00.",
        7: "'1.234,50' is not an amount (like $1,234.50).",
    }
    assert [(i.lines, i.data["amount"], i.data["issued_on"]) for i in plan.items] == [
        ([2], "1234.50", "2026-11-30"),
        ([6], "80.00", "2026-12-01"),  # no date in the row: the import's as-of date
    ]
    assert plan.items[0].data["description"] == "Balance brought forward from QuickBooks (ref 1088)"


def test_a_balance_becomes_a_sent_invoice(
    pool: ConnectionPool, admin: Connection, company, ada, grace
) -> None:
    written = _file_applied(pool, company)

    assert (
        sorted(w.table for w in written) == ["public.invoice_lines"] * 2 + ["public.invoices"] * 2
    )
    first, second = invoices(admin)
    assert first == {
        "number": 1001,
        "status": "sent",
        "issued_on": date(2026, 11, 30),
        "due_on": date(2026, 11, 30),
        "total": Decimal("1234.50"),
        "paid": Decimal("0.00"),
        "currency": "USD",
        "bill_to_name": "Ada Lovelace",
        "bill_to_address": "12 Elm St\nSpringfield, IL 62701",
        "sent": True,
        "customer_id": ada,
        "description": "Balance brought forward from QuickBooks (ref 1088)",
        "taxable": False,
    }
    assert (second["number"], second["customer_id"], second["total"]) == (
        1002,
        grace,
        Decimal("80.00"),
    )
    # Nothing was sent to anyone.
    assert admin.execute("select count(*) as n from outbox.messages").fetchone() == {"n": 0}


def test_the_office_sees_it_unpaid_in_the_list_and_by_age(
    pool: ConnectionPool, office: Client, company, ada, grace
) -> None:
    _file_applied(pool, company)

    listed = office.get("/invoices?status=sent").get_data(as_text=True)
    ageing = office.get("/invoices/ageing").get_data(as_text=True)

    assert "INV-1001" in listed and "Ada Lovelace" in listed and "$1,234.50" in listed
    assert "INV-1001" in ageing and "$1,314.50" in ageing  # both balances are owed


def test_the_same_file_again_changes_nothing(
    pool: ConnectionPool, admin: Connection, company, ada, grace
) -> None:
    _file_applied(pool, company)

    again = planned(pool, company, KIND, file_text(FILE), MAPPING, OPTIONS)

    assert [i.action for i in again.items] == ["unchanged", "unchanged"]
    assert applied(pool, company, KIND, again) == []
    assert len(invoices(admin)) == 2


def test_another_amount_for_the_same_reference_is_not_collected_twice(
    pool: ConnectionPool, company, ada, grace
) -> None:
    _file_applied(pool, company)
    changed = file_text(FILE).replace('"$1,234.50"', "$1000.00")

    again = planned(pool, company, KIND, changed, MAPPING, OPTIONS)

    assert left_out(again)[2] == (
        "INV-1001 already brings forward $1,234.50 for this reference: void it first to bring"
        " forward another amount."
    )


def test_a_payment_on_the_balance_counts_as_on_any_invoice(
    pool: ConnectionPool, admin: Connection, company, ada, grace
) -> None:
    _file_applied(pool, company)
    admin.execute(
        "insert into public.payments (tenant_id, invoice_id, amount, method, received_on)"
        " select tenant_id, id, 234.50, 'cheque', '2026-12-02' from public.invoices"
        " where number = 1001"
    )

    assert invoices(admin)[0]["status"] == "partly_paid"


def test_undoing_a_balance_import_voids_its_invoices(
    pool: ConnectionPool, admin: Connection, company, ada, grace
) -> None:
    import_id = imported(pool, admin, company, KIND, file_text(FILE), MAPPING, OPTIONS)

    assert undone(pool, company, import_id) is None
    # A sent invoice is never deleted (P-12): undone, it is void, keeping its number.
    assert [(i["number"], i["status"]) for i in invoices(admin)] == [(1001, "void"), (1002, "void")]
