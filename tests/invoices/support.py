"""A company's month of invoices and payments with figures worked by hand, for the reports,
the lists' filters and their CSV files (tests/invoices/test_reports.py, test_list_exports.py)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from app.db import Connection
from tests.factories import Factory, Member, Tenant

DAY = date(2026, 11, 10)  # the day every invoice in the range is dated
RANGE = "starts=2026-11-01&ends=2026-11-30"


@dataclass
class Book:
    tenant: Tenant
    alice: Member
    bob: Member
    place: UUID
    customer: UUID
    repair: UUID  # invoice on a repair job worked by Alice and Bob: 100.01
    install: UUID  # on an install job worked by Alice (Bob's visit canceled): 200.00 + 10% tax
    tune_up: UUID  # on a maintenance job, naming Bob's visit (Alice had another): 30.00
    walk_in: UUID  # no job: 2 x 25.00 less 20% = 40.00
    draft: UUID  # on the repair job, never sent: 500.00
    void: UUID  # on the repair job, sent then void: 700.00
    october: UUID  # on the repair job, dated before the range: 60.00


def csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def technician(make: Factory, tenant_id: UUID, name: str) -> Member:
    return make.member(tenant_id, "technician", make.account(full_name=name))


def invoice(
    make: Factory,
    admin: Connection,
    tenant_id: UUID,
    place: UUID,
    job: UUID | None,
    price: str,
    *,
    status: str = "sent",
    day: date = DAY,
    visit: UUID | None = None,
    tax: str | None = None,
    quantity: str = "1",
    discount: str = "0",
) -> UUID:
    """An invoice of one line dated `day`, naming `visit`, with a taxed line when `tax` is
    given, then sent (and void, when `status` says so) as the office would."""
    row = admin.execute(
        "insert into public.invoices (tenant_id, customer_id, property_id, job_id, visit_id,"
        " issued_on, currency, bill_to_name, number) select p.tenant_id, p.customer_id, p.id,"
        " %s, %s, %s, 'USD', 'Billed Customer', 0 from public.properties p where p.id = %s"
        " returning id",
        [job, visit, day, place],
    ).fetchone()
    assert row is not None
    made = UUID(str(row["id"]))
    admin.execute(
        "update public.invoice_lines set quantity = %s, discount_percent = %s"
        " where invoice_id = %s",
        [quantity, discount, make.invoice_line(tenant_id, made, price) and made],
    )
    if tax is not None:
        admin.execute(
            "insert into public.invoice_tax_rates (tenant_id, invoice_id, name, percent)"
            " values (%s, %s, 'State', %s)",
            [tenant_id, made, tax],
        )
        admin.execute(
            "update public.invoice_lines set taxable = true where invoice_id = %s", [made]
        )
    if status in ("sent", "void"):
        admin.execute(
            "update public.invoices set status = 'sent', sent_at = now() where id = %s", [made]
        )
    if status == "void":
        admin.execute(
            "update public.invoices set status = 'void', voided_at = now(),"
            " void_reason = 'Billed twice' where id = %s",
            [made],
        )
    return made


def pay(
    admin: Connection, tenant_id: UUID, invoice_id: UUID, amount: str, method: str, day: date
) -> None:
    admin.execute(
        "insert into public.payments (tenant_id, invoice_id, amount, method, reference,"
        " received_on) values (%s, %s, %s, %s, %s, %s)",
        [tenant_id, invoice_id, amount, method, "R-1" if method == "cheque" else "", day],
    )


def _at(hour: int) -> datetime:
    return datetime(2026, 11, 9, hour, tzinfo=UTC)


def book(make: Factory, admin: Connection, name: str = "Alpha Air") -> Book:
    tenant = make.tenant(name)
    t = tenant.id
    alice = technician(make, t, "Alice Able")
    bob = technician(make, t, "Bob Best")
    customer = make.customer(t)
    place = make.property(t, customer)
    repair_job = make.job(t, place, kind="repair")
    make.visit(t, repair_job, _at(13), technicians=(alice.account_id, bob.account_id))
    install_job = make.job(t, place, kind="install", summary="New furnace")
    make.visit(t, install_job, _at(15), technicians=(alice.account_id,))
    canceled = make.visit(t, install_job, technicians=(bob.account_id,))
    admin.execute(
        "update public.visits set status = 'canceled', cancel_reason = 'Rain' where id = %s",
        [canceled],
    )
    tune_job = make.job(t, place, kind="maintenance", summary="Tune-up")
    make.visit(t, tune_job, _at(17), technicians=(alice.account_id,))
    bobs_visit = make.visit(t, tune_job, _at(19), technicians=(bob.account_id,))
    return Book(
        tenant,
        alice,
        bob,
        place,
        customer,
        repair=invoice(make, admin, t, place, repair_job, "100.01"),
        install=invoice(make, admin, t, place, install_job, "200.00", tax="10"),
        tune_up=invoice(make, admin, t, place, tune_job, "30.00", visit=bobs_visit),
        walk_in=invoice(make, admin, t, place, None, "25.00", quantity="2", discount="20"),
        draft=invoice(make, admin, t, place, repair_job, "500.00", status="draft"),
        void=invoice(make, admin, t, place, repair_job, "700.00", status="void"),
        october=invoice(make, admin, t, place, repair_job, "60.00", day=date(2026, 10, 31)),
    )


def stripe_payment(
    admin: Connection, tenant_id: UUID, invoice_id: UUID, amount: str, recorded: datetime
) -> UUID:
    """A payment taken through Stripe on the invoice, as the webhook records it: a `stripe`
    payment received on the company's day of `recorded`, and its paid attempt naming it."""
    payment = admin.execute(
        "insert into public.payments (tenant_id, invoice_id, amount, method, received_on,"
        " created_at) values (%s, %s, %s, 'stripe', (%s at time zone 'America/New_York')::date,"
        " %s) returning id",
        [tenant_id, invoice_id, amount, recorded, recorded],
    ).fetchone()
    assert payment is not None
    attempt = admin.execute(
        "insert into public.payment_attempts (tenant_id, kind, invoice_id, amount, currency,"
        " status, paid_amount, payment_id, created_at) values (%s, 'invoice', %s, %s, 'USD',"
        " 'paid', %s, %s, %s) returning id",
        [tenant_id, invoice_id, amount, amount, payment["id"], recorded],
    ).fetchone()
    assert attempt is not None
    return UUID(str(attempt["id"]))


def refund(
    admin: Connection,
    tenant_id: UUID,
    attempt_id: UUID,
    amount: str,
    made: datetime,
    stripe_id: str | None = None,
    reason: str = "",
) -> None:
    """A refund of a Stripe payment made at `made`, recorded as the office's refund is (the
    database's triggers name its invoice and count it on the attempt and the invoice)."""
    admin.execute(
        "insert into public.refunds (tenant_id, attempt_id, amount, stripe_refund_id, reason,"
        " created_at) values (%s, %s, %s, %s, %s, %s)",
        [tenant_id, attempt_id, amount, stripe_id, reason, made],
    )
