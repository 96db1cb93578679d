"""An invoice keeps its totals and what is paid on its own row: they equal the money rule after
any change to its lines and tax rates, and what its payments add up to; no member can write
them."""

from __future__ import annotations

import random
from decimal import Decimal as D
from typing import Any
from uuid import UUID

import psycopg
import pytest

from app import money
from app.db import Connection
from tests.conftest import TestDatabase
from tests.factories import Factory
from tests.policies.identity import acting_as, claims_of


def kept(admin: Connection, invoice: UUID) -> dict[str, Any]:
    row = admin.execute(
        "select subtotal, discount, tax, total, paid from public.invoices where id = %s", [invoice]
    ).fetchone()
    assert row is not None
    return row


def expected(admin: Connection, invoice: UUID) -> money.Totals:
    """The money rule (app/money.py) applied to the lines and rates the invoice has now."""
    lines = [
        money.Line(r["quantity"], r["unit_price"], r["discount_percent"], r["taxable"])
        for r in admin.execute(
            "select quantity, unit_price, discount_percent, taxable from public.invoice_lines"
            " where invoice_id = %s",
            [invoice],
        )
    ]
    rates = [
        money.TaxRate(r["name"], r["percent"])
        for r in admin.execute(
            "select name, percent from public.invoice_tax_rates where invoice_id = %s", [invoice]
        )
    ]
    return money.totals(lines, rates)


def test_the_kept_totals_follow_every_change_of_lines_and_rates(
    admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    draw = random.Random(20261208150000)
    invoice = make.invoice(tenant.id)
    assert kept(admin, invoice)["total"] == D("0.00")
    for position, percent in enumerate(("6.25", "2.875")):
        admin.execute(
            "insert into public.invoice_tax_rates (tenant_id, invoice_id, position, name,"
            " percent) values (%s, %s, %s, %s, %s)",
            [tenant.id, invoice, position, f"Rate {position}", D(percent)],
        )
    lines = []
    for _ in range(12):
        lines.append(
            admin.execute(
                "insert into public.invoice_lines (tenant_id, invoice_id, description, quantity,"
                " unit_price, discount_percent, taxable) values (%s, %s, 'x', %s, %s, %s, %s)"
                " returning id",
                [tenant.id, invoice, D(draw.randint(1, 2000)) / 100,
                 D(draw.randint(0, 500000)) / 100, D(draw.choice(["0", "5", "12.5", "33.33"])),
                 draw.random() < 0.8],
            ).fetchone()["id"]  # type: ignore[index]
        )  # fmt: skip
    changes = [
        ("update public.invoice_lines set quantity = 3.5 where id = %s", [lines[0]]),
        ("update public.invoice_lines set discount_percent = 100 where id = %s", [lines[1]]),
        ("update public.invoice_lines set taxable = not taxable where id = %s", [lines[2]]),
        ("delete from public.invoice_lines where id = %s", [lines[3]]),
        ("update public.invoice_tax_rates set percent = 9.125 where invoice_id = %s", [invoice]),
        ("delete from public.invoice_tax_rates where invoice_id = %s and position = 1", [invoice]),
    ]
    for statement, params in changes:
        admin.execute(statement, params)
        want = expected(admin, invoice)
        have = kept(admin, invoice)
        assert (have["subtotal"], have["discount"], have["tax"], have["total"]) == (
            want.subtotal,
            want.discount,
            want.tax,
            want.total,
        ), statement
    assert kept(admin, invoice)["total"] > 0


def test_what_is_paid_is_the_sum_of_the_payments(admin: Connection, make: Factory) -> None:
    tenant = make.tenant()
    invoice = make.invoice(tenant.id, lines=("120.00", "80.50"), status="sent")
    assert (kept(admin, invoice)["total"], kept(admin, invoice)["paid"]) == (
        D("200.50"),
        D("0.00"),
    )
    for amount in ("50.25", "100.00"):
        admin.execute(
            "insert into public.payments (tenant_id, invoice_id, amount, method, received_on)"
            " values (%s, %s, %s, 'cash', current_date)",
            [tenant.id, invoice, D(amount)],
        )
    assert kept(admin, invoice)["paid"] == D("150.25")
    status = admin.execute("select status from public.invoices where id = %s", [invoice])
    assert status.fetchone() == {"status": "partly_paid"}


@pytest.mark.parametrize(
    "statement",
    [
        "update public.invoices set paid = total where id = %(id)s",
        "update public.invoices set total = 0 where id = %(id)s",
        "insert into public.invoices (tenant_id, issued_on, currency, bill_to_name, number,"
        " total) values (%(tenant)s, current_date, 'USD', 'Someone', 0, 5)",
    ],
)
def test_no_member_writes_the_kept_totals(
    database: TestDatabase, make: Factory, statement: str
) -> None:
    tenant = make.tenant()
    invoice = make.invoice(tenant.id, lines=("100.00",), status="sent")
    owner = make.member(tenant.id, "owner")
    with (
        acting_as(database, claims_of(owner)) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(statement, {"id": invoice, "tenant": tenant.id})
