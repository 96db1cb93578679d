"""The office's money reports, against figures worked by hand (tests/invoices/support.py):
payments by day and method, revenue by technician and by job kind (drafts, void invoices, tax
and other months left out; an invoice shared between technicians to the cent), the accounting
export in QuickBooks Online's layouts; refunds on the company's day they were made, subtracted
into the day's net, exported as refund receipts and shown on the customer's timeline; another
company's money never shows; technicians are refused; the customer page's timeline shows
payments."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from app.db import Connection
from tests.conftest import Client
from tests.factories import Factory
from tests.invoices.support import (
    RANGE,
    Book,
    book,
    csv_rows,
    invoice,
    pay,
    refund,
    stripe_payment,
)

REFUNDS_FILE = "/invoices/reports/accounting/refunds.csv"
REPORT_ROUTES = (
    "/invoices/reports",
    "/invoices/reports/payments",
    "/invoices/reports/payments.csv",
    "/invoices/reports/revenue",
    "/invoices/reports/revenue.csv",
    "/invoices/reports/accounting",
    "/invoices/reports/accounting/invoices.csv",
    "/invoices/reports/accounting/payments.csv",
    REFUNDS_FILE,
    "/invoices/export.csv",
    "/estimates/export.csv",
)


def text(response: Any) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def books(make: Factory, admin: Connection) -> tuple[Book, Book]:
    """Alpha Air's month, with its payments, and Beta Heat's, on the same days."""
    mine, theirs = book(make, admin), book(make, admin, "Beta Heat")
    t = mine.tenant.id
    pay(admin, t, mine.repair, "100.01", "cash", date(2026, 11, 3))
    pay(admin, t, mine.install, "50.25", "cheque", date(2026, 11, 3))
    pay(admin, t, mine.install, "20.00", "cash", date(2026, 11, 5))
    pay(admin, t, mine.walk_in, "40.00", "stripe", date(2026, 11, 30))
    pay(admin, t, mine.tune_up, "30.00", "card_terminal", date(2026, 12, 1))  # after the range
    pay(admin, theirs.tenant.id, theirs.install, "99.99", "cash", date(2026, 11, 3))
    return mine, theirs


def office(client: Client, make: Factory, found: Book) -> Client:
    client.sign_in(make.member(found.tenant.id, "office").email)
    return client


@pytest.mark.promise("P-01")
def test_payments_by_day_has_a_row_per_day_and_a_column_per_method(
    client: Client, make: Factory, books: tuple[Book, Book]
) -> None:
    office(client, make, books[0])
    page = text(client.get(f"/invoices/reports/payments?{RANGE}"))
    assert "4 payments received" in page
    assert "$210.26 in all." in page
    rows = csv_rows(client.get(f"/invoices/reports/payments.csv?{RANGE}"))
    assert rows[0] == [
        "Day", "Cash", "Cheque", "Card terminal", "Bank transfer", "Stripe", "Total", "Refunds",
        "Net",
    ]  # fmt: skip
    days = {row[0]: row[1:] for row in rows[1:]}
    assert len(rows) == 1 + 30 + 1  # every day of November, then the totals
    assert " ".join(days["2026-11-03"]) == "100.01 50.25 0.00 0.00 0.00 150.26 0.00 150.26"
    assert days["2026-11-04"] == ["0.00"] * 8
    assert " ".join(days["2026-11-05"]) == "20.00 0.00 0.00 0.00 0.00 20.00 0.00 20.00"
    assert " ".join(days["2026-11-30"]) == "0.00 0.00 0.00 0.00 40.00 40.00 0.00 40.00"
    assert " ".join(rows[-1]) == "Total 120.01 50.25 0.00 0.00 40.00 210.26 0.00 210.26"
    assert "99.99" not in page  # Beta Heat's payment on the same day
    assert "refunds made" not in page and "refund made" not in page  # none made


def test_payments_by_day_covers_this_month_by_default_and_refuses_odd_ranges(
    client: Client, make: Factory
) -> None:
    tenant = make.tenant()
    client.sign_in(tenant.owner.email)
    today = datetime.now(ZoneInfo("America/New_York")).date()
    page = text(client.get("/invoices/reports/payments"))
    assert f'<time datetime="{today.replace(day=1).isoformat()}">' in page
    assert "No payments on these days" in page
    backwards = client.get("/invoices/reports/payments?starts=2026-11-30&ends=2026-11-01")
    assert backwards.status_code == 422
    assert "The end date is before the start date." in text(backwards)
    too_long = client.get("/invoices/reports/payments.csv?starts=2024-01-01&ends=2026-11-01")
    assert too_long.status_code == 422
    assert "Choose at most a year of days." in text(too_long)
    assert client.get("/invoices/reports/revenue?starts=soon").status_code == 422


@pytest.mark.promise("P-01")
def test_revenue_by_technician_and_job_kind_leaves_out_drafts_voids_tax_and_other_months(
    client: Client, make: Factory, books: tuple[Book, Book]
) -> None:
    office(client, make, books[0])
    page = text(client.get(f"/invoices/reports/revenue?{RANGE}"))
    assert "4 invoices dated" in page
    assert "$370.01 of revenue." in page
    rows = csv_rows(client.get(f"/invoices/reports/revenue.csv?{RANGE}"))
    assert rows == [
        ["By", "Name", "Invoices", "Revenue"],
        # 100.01 shared by Alice and Bob (the odd cent to Alice, first by name), and the
        # install's 200.00 before its tax (Bob's visit there was canceled).
        ["Technician", "Alice Able", "2", "250.01"],
        # His half of the repair and the tune-up that names his visit.
        ["Technician", "Bob Best", "2", "80.00"],
        ["Technician", "No technician", "1", "40.00"],
        ["Job kind", "Install", "1", "200.00"],
        ["Job kind", "Repair", "1", "100.01"],
        ["Job kind", "No job", "1", "40.00"],
        ["Job kind", "Maintenance", "1", "30.00"],
        ["Total", "", "4", "370.01"],
    ]
    shown = re.findall(r'<td data-label="Technician">([^<]+)</td>', page)
    assert shown == ["Alice Able", "Bob Best", "No technician"]


def test_accounting_export_is_in_quickbooks_onlines_layouts(
    client: Client, make: Factory, books: tuple[Book, Book], admin: Connection
) -> None:
    mine = books[0]
    office(client, make, mine)
    assert "QuickBooks Online" in text(client.get(f"/invoices/reports/accounting?{RANGE}"))
    rows = csv_rows(client.get(f"/invoices/reports/accounting/invoices.csv?{RANGE}"))
    assert ",".join(rows[0]) == (
        "InvoiceNo,Customer,InvoiceDate,DueDate,Terms,Memo,Item(Product/Service),"
        "ItemDescription,ItemQuantity,ItemRate,ItemAmount,Taxable,TaxRate"
    )
    numbers = {
        r["id"]: f"INV-{r['number']}"
        for r in admin.execute(
            "select id, number from public.invoices where tenant_id = %s", [mine.tenant.id]
        ).fetchall()
    }
    by_number = {row[0]: row for row in rows[1:]}
    assert set(by_number) == {
        numbers[mine.repair],
        numbers[mine.install],
        numbers[mine.tune_up],
        numbers[mine.walk_in],
    }  # not the draft, the void one, October's, nor Beta Heat's
    assert by_number[numbers[mine.install]][1:] == [
        "Billed Customer", "11/10/2026", "11/10/2026", "Due on receipt", "", "Service",
        "Service call", "1", "200.00", "200.00", "Y", "10%",
    ]  # fmt: skip
    assert by_number[numbers[mine.walk_in]][7:] == [
        "Service call (20% off)", "2", "25.00", "40.00", "N", "",
    ]  # fmt: skip
    payments = csv_rows(client.get(f"/invoices/reports/accounting/payments.csv?{RANGE}"))
    assert payments[0] == [
        "Payment date", "Customer", "Payment method", "Reference no", "Deposit to",
        "Invoice no", "Amount", "Memo",
    ]  # fmt: skip
    assert [row[:7] for row in payments[1:]] == [
        ["11/03/2026", "Billed Customer", "Cash", "", "Undeposited Funds",
         numbers[mine.repair], "100.01"],
        ["11/03/2026", "Billed Customer", "Cheque", "R-1", "Undeposited Funds",
         numbers[mine.install], "50.25"],
        ["11/05/2026", "Billed Customer", "Cash", "", "Undeposited Funds",
         numbers[mine.install], "20.00"],
        ["11/30/2026", "Billed Customer", "Stripe", "", "Undeposited Funds",
         numbers[mine.walk_in], "40.00"],
    ]  # fmt: skip
    recorded = admin.execute(
        "select count(*) as n from audit.changes where table_name = 'public.payments'"
        " and operation = 'access' and row_key = 'export'"
    ).fetchone()
    assert recorded is not None and recorded["n"] >= 1


@pytest.mark.promise("P-02")
def test_technicians_are_refused_every_report_and_export(
    app: Any, make: Factory, books: tuple[Book, Book]
) -> None:
    technician: Client = app.test_client()
    technician.sign_in(books[0].alice.email)
    for route in REPORT_ROUTES:
        assert technician.get(f"{route}?{RANGE}").status_code in (403, 404), route


def test_the_reports_page_leads_to_every_report(client: Client, make: Factory) -> None:
    tenant = make.tenant()
    client.sign_in(tenant.owner.email)
    page = text(client.get("/invoices/reports"))
    for target in ("payments", "revenue", "accounting"):
        assert f'href="/invoices/reports/{target}"' in page
    assert 'href="/invoices/ageing"' in page
    assert 'href="/invoices/reports"' in text(client.get("/invoices"))


def test_the_customer_timeline_shows_payments_with_links(
    client: Client, make: Factory, books: tuple[Book, Book], admin: Connection
) -> None:
    mine = books[0]
    office(client, make, mine)
    page = text(client.get(f"/customers/{mine.customer}"))
    assert page.count("Payment of ") == 5
    assert f'href="/invoices/{mine.install}#payments">Payment of $50.25' in page
    assert "Cheque · received" in page
    assert f'href="/invoices/{mine.repair}"' in page  # its invoices, as before
    assert "$99.99" not in page


def test_an_invoice_shared_by_three_spreads_its_odd_cents_by_name(
    client: Client, make: Factory, admin: Connection
) -> None:
    found = book(make, admin)
    t = found.tenant.id
    carol = make.member(t, "technician", make.account(full_name="Carol Cole"))
    job = make.job(t, found.place, kind="repair")
    make.visit(t, job, technicians=(found.alice.account_id, found.bob.account_id,
                                    carol.account_id))  # fmt: skip
    invoice(make, admin, t, found.place, job, "0.05")
    client.sign_in(found.tenant.owner.email)
    rows = csv_rows(client.get(f"/invoices/reports/revenue.csv?{RANGE}"))
    shares = {row[1]: row[3] for row in rows if row[0] == "Technician"}
    # 5 cents among three: 1 each, the 2 left over to Alice and Bob.
    assert shares == {
        "Alice Able": "250.03", "Bob Best": "80.02", "Carol Cole": "0.01", "No technician": "40.00"
    }  # fmt: skip


def _utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def refunded(books: tuple[Book, Book], admin: Connection) -> tuple[Book, Book]:
    """Alpha Air's month with Stripe payments and refunds (the company is in New York):

    - install: 80.00 paid on Nov 4; refunds of 30.00 at 03:30 UTC on Nov 5 (Nov 4, 22:30 in New
      York), 12.50 on Nov 10, 5.00 at 04:00 UTC on Dec 1 (Nov 30, 23:00 in New York) and 7.00
      at 06:00 UTC on Dec 1 (Dec 1 in New York: after the range);
    - install again: 20.00 credited on Nov 20 from a deposit of which 3.00 was refunded on
      Nov 19, before it reached the invoice (the 20.00 is what was left: no payment refunded);
    - Beta Heat: 10.00 refunded of a 50.00 Stripe payment on Nov 4 (another company's)."""
    mine, theirs = books
    t = mine.tenant.id
    install = stripe_payment(admin, t, mine.install, "80.00", _utc(11, 4, 15))
    refund(admin, t, install, "30.00", _utc(11, 5, 3, 30), "re_first", "Thermostat returned")
    refund(admin, t, install, "12.50", _utc(11, 10, 14))
    refund(admin, t, install, "5.00", _utc(12, 1, 4))
    refund(admin, t, install, "7.00", _utc(12, 1, 6))
    deposit = stripe_payment(admin, t, mine.install, "20.00", _utc(11, 20, 15))
    refund(admin, t, deposit, "3.00", _utc(11, 19, 15))
    other = stripe_payment(admin, theirs.tenant.id, theirs.repair, "50.00", _utc(11, 4, 15))
    refund(admin, theirs.tenant.id, other, "10.00", _utc(11, 4, 16))
    return books


def test_refunds_count_on_the_day_made_and_leave_the_net(
    client: Client, make: Factory, refunded: tuple[Book, Book]
) -> None:
    office(client, make, refunded[0])
    rows = csv_rows(client.get(f"/invoices/reports/payments.csv?{RANGE}"))
    days = {row[0]: row[1:] for row in rows[1:]}
    # Day: cash, cheque, card terminal, bank transfer, Stripe, total, refunds, net.
    assert " ".join(days["2026-11-03"]) == "100.01 50.25 0.00 0.00 0.00 150.26 0.00 150.26"
    assert " ".join(days["2026-11-04"]) == "0.00 0.00 0.00 0.00 80.00 80.00 30.00 50.00"
    assert " ".join(days["2026-11-05"][-3:]) == "20.00 0.00 20.00"  # no refund moved to UTC's day
    assert " ".join(days["2026-11-10"]) == "0.00 0.00 0.00 0.00 0.00 0.00 12.50 -12.50"
    assert days["2026-11-19"] == ["0.00"] * 8  # the deposit's refund, before it was a payment
    assert " ".join(days["2026-11-20"][-4:]) == "20.00 20.00 0.00 20.00"
    assert " ".join(days["2026-11-30"][-4:]) == "40.00 40.00 5.00 35.00"
    # 120.01 + 50.25 + 140.00 = 310.26; refunds 30.00 + 12.50 + 5.00 = 47.50; 310.26 - 47.50.
    assert " ".join(rows[-1]) == "Total 120.01 50.25 0.00 0.00 140.00 310.26 47.50 262.76"
    page = text(client.get(f"/invoices/reports/payments?{RANGE}"))
    assert "6 payments received" in page and "$310.26 in all." in page
    assert "3 refunds made: $47.50, leaving $262.76." in page
    assert "10.00" not in page  # Beta Heat's refund


def test_refunds_are_exported_as_refund_receipts(
    client: Client, make: Factory, refunded: tuple[Book, Book], admin: Connection
) -> None:
    install = refunded[0].install
    rows = csv_rows(office(client, make, refunded[0]).get(f"{REFUNDS_FILE}?{RANGE}"))
    found = admin.execute("select number from public.invoices where id = %s", [install])
    inv = f"INV-{found.fetchone()['number']}"  # type: ignore[index]
    assert rows[0] == [
        "RefundReceiptNo", "Customer", "RefundReceiptDate", "PaymentMethod", "ReferenceNo",
        "RefundFrom", "Item(Product/Service)", "ItemDescription", "ItemAmount", "Memo",
    ]  # fmt: skip
    described = f"Refund of a payment on {inv}"
    assert rows[1:] == [
        [
            f"{inv}-R1",
            "Billed Customer",
            "11/04/2026",
            "Stripe",
            "re_first",
            "Undeposited Funds",
            "Refund",
            described,
            "30.00",
            "Thermostat returned",
        ],
        [
            f"{inv}-R2",
            "Billed Customer",
            "11/10/2026",
            "Stripe",
            "",
            "Undeposited Funds",
            "Refund",
            described,
            "12.50",
            "",
        ],
        [
            f"{inv}-R3",
            "Billed Customer",
            "11/30/2026",
            "Stripe",
            "",
            "Undeposited Funds",
            "Refund",
            described,
            "5.00",
            "",
        ],
    ]  # fmt: skip  (not December's R4, the deposit's refund, nor Beta Heat's)
    december = csv_rows(client.get(f"{REFUNDS_FILE}?starts=2026-12-01&ends=2026-12-31"))
    assert [row[0] for row in december[1:]] == [f"{inv}-R4"]  # its number kept
    recorded = admin.execute(
        "select count(*) as n from audit.changes where table_name = 'public.refunds'"
        " and operation = 'access' and row_key = 'export'"
    ).fetchone()
    assert recorded is not None and recorded["n"] >= 1
    assert "refunds.csv" in text(client.get(f"/invoices/reports/accounting?{RANGE}"))


def test_the_customer_timeline_shows_refunds(
    client: Client, make: Factory, refunded: tuple[Book, Book]
) -> None:
    mine = refunded[0]
    office(client, make, mine)
    page = text(client.get(f"/customers/{mine.customer}"))
    assert page.count("Refund of ") == 5  # every refund on the customer's invoices
    assert f'href="/invoices/{mine.install}#online">Refund of $30.00' in page
    assert "Thermostat returned" in page
    assert f'href="/invoices/{mine.install}#online">Refund of $3.00' in page
    assert "$10.00" not in page  # Beta Heat's
