"""Invoices: made from a job (with its approved estimate's lines) or for a property, numbered
per company without gaps or races, totals by the money rule in Python and SQL alike, fixed once
sent, voided (never deleted) keeping their number; offline payments that move the status and
never overpay, even at the same moment; no card number in a reference (P-16); kept, anonymised,
after the customer's erasure (P-10, P-12); technicians limited to their own jobs' invoices."""

from __future__ import annotations

import html
import random
import re
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
import pytest
from flask import Flask

from app import money
from app.db import Connection
from tests.audit.household import next_wednesday_at_ten
from tests.audit.support import audit_verify, chain_problems, committing
from tests.conftest import Client, TestDatabase
from tests.factories import Factory, Tenant
from tests.policies.identity import acting_as, claims_of
from tests.technician.support import at, today

D = Decimal
NEW_YORK = ZoneInfo("America/New_York")  # the zone of companies made by the factories


def text(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


class Office:
    def __init__(self, make: Factory, client: Client) -> None:
        self.make = make
        self.tenant: Tenant = make.tenant()
        tenant_id = self.tenant.id
        self.customer = make.customer(tenant_id, "Ruth", "Alvarez", email="ruth@example.com")
        self.property = make.property(tenant_id, self.customer, street="12 Elm St")
        self.job = make.job(tenant_id, self.property, "install", "Replace the furnace")
        make.tax_rate(tenant_id, "State", "6.25")
        make.tax_rate(tenant_id, "City", "2.25")
        self.tune_up = make.price_item(
            tenant_id, "service", "Furnace tune-up", "129.00", member_discount_percent="10"
        )
        self.member = make.member(tenant_id, "office")
        client.sign_in(self.member.email)


@pytest.fixture
def office(make: Factory, client: Client) -> Office:
    return Office(make, client)


def start(client: Client, office: Office, **query: str) -> UUID:
    query = query or {"job_id": str(office.job)}
    url = "/invoices/new?" + "&".join(f"{k}={v}" for k, v in query.items())
    today = datetime.now(NEW_YORK).date().isoformat()
    response = client.submit(url, {"terms": "net_30", "issued_on": today, "note": ""})
    assert response.status_code == 302, text(response)
    return UUID(response.headers["Location"].rsplit("/", 1)[1])


def add_line(client: Client, invoice: UUID, **fields: str) -> Any:
    data = {"description": "Haul away the old furnace", "quantity": "1", "unit": "each"}
    data |= {"unit_price": "150.00", "taxable": "y"} | fields
    return client.submit(f"/invoices/{invoice}/lines", {f"line-{k}": v for k, v in data.items()})


def pay(client: Client, invoice: UUID, amount: str, **fields: str) -> Any:
    data = {"amount": amount, "method": "cheque", "reference": "Cheque 1042"}
    data |= {"received_on": datetime.now(NEW_YORK).date().isoformat()} | fields
    return client.submit(f"/invoices/{invoice}/payments", data)


def row_of(admin: Connection, invoice: UUID) -> dict[str, Any]:
    row = admin.execute(
        "select i.*, t.total, t.paid, t.balance from public.invoices i"
        " join public.invoice_totals t on t.invoice_id = i.id where i.id = %s",
        [invoice],
    ).fetchone()
    assert row is not None
    return row


def sent_invoice(client: Client, office: Office, price: str = "100.00") -> UUID:
    """An invoice of one untaxed line, sent."""
    invoice = start(client, office, property_id=str(office.property))
    assert add_line(client, invoice, unit_price=price, taxable="").status_code == 302
    assert client.submit(f"/invoices/{invoice}/sent").status_code == 302
    return invoice


def approved_estimate(make: Factory, admin: Connection, office: Office) -> UUID:
    """An estimate of the job with two options; the second, approved, has two lines."""
    tenant_id = office.tenant.id
    estimate = make.estimate(tenant_id, office.property, job_id=office.job)
    good, better = (make.estimate_option(tenant_id, estimate, n) for n in (0, 1))
    for option, description, price in (
        (good, "Repair the old furnace", "400.00"),
        (better, "96% furnace, installed", "4200.00"),
        (better, "Haul away the old furnace", "150.00"),
    ):
        admin.execute(
            "insert into public.estimate_lines (tenant_id, estimate_id, option_id, position,"
            " description, quantity, unit_price) values (%s, %s, %s, %s, %s, 1, %s)",
            [tenant_id, estimate, option, int(price == "150.00"), description, price],
        )
    admin.execute(
        "update public.estimates set status = 'sent', sent_at = now() where id = %s", [estimate]
    )
    admin.execute(
        "update public.estimates set status = 'approved', approved_option_id = %s,"
        " approved_at = now() where id = %s",
        [better, estimate],
    )
    return estimate


def test_an_invoice_from_a_job_copies_the_approved_option_the_rates_and_the_bill_to(
    client: Client, office: Office, admin: Connection, make: Factory
) -> None:
    estimate = approved_estimate(make, admin, office)
    tech = make.member(office.tenant.id, "technician")
    starts = next_wednesday_at_ten(admin, office.tenant.id)
    visit = make.visit(office.tenant.id, office.job, starts, technicians=(tech.account_id,))
    for status in ("en_route", "on_site", "completed"):
        admin.execute("update public.visits set status = %s where id = %s", [status, visit])
    job_page = text(client.get(f"/jobs/{office.job}"))
    assert f"/invoices/new?job_id={office.job}" in job_page
    assert "EST-1001" in text(client.get(f"/invoices/new?job_id={office.job}"))

    invoice = start(client, office)

    row = row_of(admin, invoice)
    assert (row["number"], row["status"], row["currency"]) == (1001, "draft", "USD")
    assert (row["customer_id"], row["property_id"], row["job_id"]) == (
        office.customer,
        office.property,
        office.job,
    )
    assert (row["visit_id"], row["estimate_id"]) == (visit, estimate)
    assert (row["bill_to_name"], row["bill_to_email"]) == ("Ruth Alvarez", "ruth@example.com")
    assert row["bill_to_address"] == "12 Elm St\nSpringfield, IL 62701"
    assert row["due_on"] == row["issued_on"] + timedelta(days=30)
    lines = admin.execute(
        "select description, unit_price from public.invoice_lines where invoice_id = %s"
        " order by position",
        [invoice],
    ).fetchall()
    assert [(r["description"], r["unit_price"]) for r in lines] == [
        ("96% furnace, installed", D("4200.00")),
        ("Haul away the old furnace", D("150.00")),
    ]
    rates = admin.execute(
        "select name, percent from public.invoice_tax_rates where invoice_id = %s"
        " order by position",
        [invoice],
    ).fetchall()
    assert [(r["name"], str(r["percent"])) for r in rates] == [
        ("City", "2.2500"),
        ("State", "6.2500"),
    ]
    # 4,350.00 net; City 94.50 + 3.38 = 97.88 (3.375 rounds up); State 262.50 + 9.38 = 271.88.
    page = text(client.get(f"/invoices/{invoice}"))
    assert "INV-1001" in page and "Ruth Alvarez" in page and "$4,719.76" in page
    assert row["total"] == D("4719.76")


def test_an_invoice_for_a_property_starts_empty_and_takes_lines_at_member_prices(
    client: Client, office: Office, admin: Connection, make: Factory
) -> None:
    make.agreement(office.tenant.id, office.property)  # Ruth is a member
    invoice = start(client, office, property_id=str(office.property))
    assert "No lines yet." in text(client.get(f"/invoices/{invoice}"))
    added = client.submit(
        f"/invoices/{invoice}/items",
        {"item-item": str(office.tune_up), "item-item_quantity": "2"},
    )
    assert added.status_code == 302
    line = admin.execute(
        "select unit_price, quantity, price_item_id, job_id from public.invoice_lines l"
        " join public.invoices i on i.id = l.invoice_id where l.invoice_id = %s",
        [invoice],
    ).fetchone()
    assert line is not None
    assert (line["unit_price"], line["quantity"]) == (D("116.10"), D("2.00"))  # 129 less 10%
    assert line["price_item_id"] == office.tune_up and line["job_id"] is None


def test_another_companys_job_or_a_job_elsewhere_is_not_found(
    client: Client, office: Office, make: Factory
) -> None:
    elsewhere = make.property(office.tenant.id, office.customer, street="9 Oak Ave")
    assert (
        client.get(f"/invoices/new?job_id={office.job}&property_id={elsewhere}").status_code == 404
    )
    other = make.tenant()
    foreign_job = make.job(other.id, make.property(other.id, make.customer(other.id)))
    assert client.get(f"/invoices/new?job_id={foreign_job}").status_code == 404
    assert client.get("/invoices/new?job_id=nonsense").status_code == 404


def test_the_database_refuses_references_that_do_not_agree(
    admin: Connection, make: Factory, office: Office
) -> None:
    someone_else = make.customer(office.tenant.id)
    with pytest.raises(psycopg.errors.CheckViolation, match="must agree"), admin.transaction():
        admin.execute(
            "insert into public.invoices (tenant_id, customer_id, property_id, job_id, issued_on,"
            " currency, bill_to_name, number) values (%s, %s, %s, %s, current_date, 'USD',"
            " 'X', 0)",
            [office.tenant.id, someone_else, office.property, office.job],
        )


def test_two_invoices_made_at_once_get_consecutive_numbers_and_a_rollback_leaves_no_gap(
    database: TestDatabase, make: Factory
) -> None:
    tenant = make.tenant()
    customer = make.customer(tenant.id)
    prop = make.property(tenant.id, customer)
    office = make.member(tenant.id, "office")
    statement = (
        "insert into public.invoices (tenant_id, customer_id, property_id, issued_on, currency,"
        " bill_to_name, number) values (%s, %s, %s, current_date, 'USD', 'Race', 0)"
        " returning number"
    )
    numbers: list[int] = []
    ready = threading.Barrier(2)

    def make_one(keep: bool) -> None:
        with acting_as(database, claims_of(office)) as conn:
            ready.wait()
            row = conn.execute(statement, [tenant.id, customer, prop]).fetchone()
            assert row is not None
            numbers.append(row["number"])
            if keep:
                conn.execute("commit")

    threads = [threading.Thread(target=make_one, args=(True,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == [1001, 1002]
    ready = threading.Barrier(1)
    make_one(False)  # rolled back: its number is given again
    make_one(True)
    assert numbers[-2:] == [1003, 1003]


def test_the_database_totals_equal_the_money_rule_for_any_lines(
    admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    rates = [money.TaxRate("A", D("6.25")), money.TaxRate("B", D("2.875"))]
    draw = random.Random(20261207130000)
    for _ in range(5):
        invoice = make.invoice(tenant.id)
        for position, rate in enumerate(rates):
            admin.execute(
                "insert into public.invoice_tax_rates (tenant_id, invoice_id, position, name,"
                " percent) values (%s, %s, %s, %s, %s)",
                [tenant.id, invoice, position, rate.name, rate.percent],
            )
        lines = []
        for _ in range(40):
            line = money.Line(
                D(draw.randint(1, 2000)) / 100,
                D(draw.randint(0, 500000)) / 100,
                D(draw.choice([0, 0, 5, 12.5, 33.33, 100])).quantize(D("0.01")),
                draw.random() < 0.8,
            )
            lines.append(line)
            admin.execute(
                "insert into public.invoice_lines (tenant_id, invoice_id, description, quantity,"
                " unit_price, discount_percent, taxable) values (%s, %s, 'x', %s, %s, %s, %s)",
                [tenant.id, invoice, line.quantity, line.unit_price, line.discount_percent,
                 line.taxable],
            )  # fmt: skip
        expected = money.totals(lines, rates)
        row = admin.execute(
            "select subtotal, discount, tax, total, paid, balance from public.invoice_totals"
            " where invoice_id = %s",
            [invoice],
        ).fetchone()
        assert row is not None
        assert (row["subtotal"], row["discount"], row["tax"], row["total"]) == (
            expected.subtotal,
            expected.discount,
            expected.tax,
            expected.total,
        )
        assert (row["paid"], row["balance"]) == (D("0.00"), expected.total)


def test_only_a_draft_changes_and_the_database_says_so(
    client: Client, office: Office, admin: Connection
) -> None:
    empty = start(client, office)
    client.submit(f"/invoices/{empty}/sent")
    assert row_of(admin, empty)["status"] == "draft"  # nothing to send
    edited = client.submit(
        f"/invoices/{empty}/edit",
        {
            "terms": "net_15",
            "issued_on": datetime.now(UTC).date().isoformat(),
            "bill_to_name": "Ruth and Tom Alvarez",
            "bill_to_email": "",
            "bill_to_address": "PO Box 12\nSpringfield",
        },
    )
    assert edited.status_code == 302
    assert row_of(admin, empty)["bill_to_name"] == "Ruth and Tom Alvarez"

    invoice = sent_invoice(client, office)
    assert add_line(client, invoice).status_code == 409
    assert client.get(f"/invoices/{invoice}/edit").status_code == 302
    for statement in (
        "insert into public.invoice_lines (tenant_id, invoice_id, description, quantity,"
        " unit_price) select tenant_id, id, 'Sneaked in', 1, 1 from public.invoices where id = %s",
        "update public.invoice_lines set unit_price = 1 where invoice_id = %s",
        "delete from public.invoice_tax_rates where invoice_id = %s",
        "update public.invoices set bill_to_name = 'Someone else' where id = %s",
        "update public.invoices set terms = 'net_15' where id = %s",
    ):
        with pytest.raises(psycopg.errors.CheckViolation, match="only a draft"):
            admin.execute(statement, [invoice])
    with pytest.raises(psycopg.errors.CheckViolation, match="keeps its number"):
        admin.execute("update public.invoices set number = 7 where id = %s", [invoice])
    with pytest.raises(psycopg.errors.CheckViolation, match="by its payments"):
        admin.execute("update public.invoices set status = 'paid' where id = %s", [invoice])


def test_a_void_invoice_keeps_its_number_and_no_invoice_is_ever_deleted(
    client: Client, office: Office, admin: Connection, database: TestDatabase
) -> None:
    draft = start(client, office)
    invoice = sent_invoice(client, office)
    with pytest.raises(psycopg.errors.CheckViolation, match="never deleted"):
        admin.execute("delete from public.invoices where id = %s", [invoice])
    refused = client.submit(f"/invoices/{invoice}/void", {"void_reason": ""})
    assert refused.status_code == 422 and 'id="void_reason-error"' in text(refused)
    assert client.submit(f"/invoices/{invoice}/void", {"void_reason": "Billed twice"}).status_code
    row = row_of(admin, invoice)
    assert (row["status"], row["number"], row["void_reason"]) == ("void", 1002, "Billed twice")
    assert "Billed twice" in text(client.get(f"/invoices/{invoice}"))
    # A draft given up is voided too, keeping its number: the numbers have no gap.
    given_up = client.submit(f"/invoices/{draft}/void", {"void_reason": "Made by mistake"})
    assert given_up.status_code == 302
    assert (row_of(admin, draft)["status"], row_of(admin, draft)["number"]) == ("void", 1001)
    numbers = admin.execute(
        "select number from public.invoices where tenant_id = %s order by number",
        [office.tenant.id],
    ).fetchall()
    assert [r["number"] for r in numbers] == [1001, 1002]
    # Not even an office member's own draft can be deleted through the database.
    another = start(client, office)
    with (
        acting_as(database, claims_of(office.member)) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("delete from public.invoices where id = %s", [another])


def test_payments_move_the_invoice_to_partly_paid_then_paid_and_never_past_the_total(
    client: Client, office: Office, admin: Connection
) -> None:
    invoice = sent_invoice(client, office)
    assert 'value="100.00"' in text(client.get(f"/invoices/{invoice}"))  # the balance
    assert pay(client, invoice, "40.00").status_code == 302
    assert (row_of(admin, invoice)["status"], row_of(admin, invoice)["balance"]) == (
        "partly_paid",
        D("60.00"),
    )
    refused = pay(client, invoice, "60.01")
    assert refused.status_code == 422
    assert "more than the balance due" in text(refused)
    with pytest.raises(psycopg.errors.CheckViolation, match="more than the balance"):
        admin.execute(
            "insert into public.payments (tenant_id, invoice_id, amount, method, received_on)"
            " select tenant_id, id, 60.01, 'cash', current_date from public.invoices"
            " where id = %s",
            [invoice],
        )
    count = admin.execute(
        "select count(*) as n from public.payments where invoice_id = %s", [invoice]
    )
    assert count.fetchone() == {"n": 1}
    assert (
        pay(client, invoice, "60.00", method="card_terminal", reference="Receipt 88812").status_code
        == 302
    )
    row = row_of(admin, invoice)
    assert (row["status"], row["paid"], row["balance"]) == ("paid", D("100.00"), D("0.00"))
    page = text(client.get(f"/invoices/{invoice}"))
    assert "Receipt 88812" in page and "Card terminal" in page and "Record a payment" not in page


def test_two_payments_recorded_at_once_never_overpay(database: TestDatabase, make: Factory) -> None:
    tenant = make.tenant()
    office = make.member(tenant.id, "office")
    invoice = make.invoice(tenant.id, lines=("100.00",), status="sent")
    statement = (
        "insert into public.payments (tenant_id, invoice_id, amount, method, received_on)"
        " values (%s, %s, 60, 'cash', current_date)"
    )
    outcomes: list[str] = []
    ready = threading.Barrier(2)

    def record() -> None:
        with acting_as(database, claims_of(office)) as conn:
            ready.wait()
            try:
                conn.execute(statement, [tenant.id, invoice])
                conn.execute("commit")
                outcomes.append("recorded")
            except psycopg.errors.CheckViolation:
                outcomes.append("refused")

    threads = [threading.Thread(target=record) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["recorded", "refused"]
    with acting_as(database, claims_of(office)) as conn:
        row = conn.execute(
            "select i.status, t.paid from public.invoices i join public.invoice_totals t"
            " on t.invoice_id = i.id where i.id = %s",
            [invoice],
        ).fetchone()
    assert row == {"status": "partly_paid", "paid": D("60.00")}


@pytest.mark.promise("P-16")
@pytest.mark.parametrize(
    "reference", ["4242 4242 4242 4242", "Card 4111-1111-1111-1111", "378282246310005"]
)
def test_a_reference_that_looks_like_a_card_number_is_refused(
    client: Client, office: Office, admin: Connection, reference: str
) -> None:
    invoice = sent_invoice(client, office)
    refused = pay(client, invoice, "10.00", method="card_terminal", reference=reference)
    assert refused.status_code == 422
    error = re.search(r'id="reference-error">([^<]+)<', text(refused))
    assert error and "card number" in error.group(1)
    assert row_of(admin, invoice)["paid"] == D("0.00")
    # Not a card number: a run that fails the Luhn check, a long transfer reference.
    for fine in ("4242 4242 4242 4241", "DE89370400440532013000"):
        assert pay(client, invoice, "1.00", reference=fine).status_code == 302


@pytest.mark.parametrize(
    ("path", "fields", "field", "message"),
    [
        ("payments", {"amount": "12.345"}, "amount", "at most 2 decimals"),
        ("payments", {"amount": "10", "method": "bitcoin"}, "method", "how the payment"),
        ("payments", {"amount": "10", "received_on": "2999-01-01"}, "received_on", "earlier"),
        ("lines", {"line-description": ""}, "line-description", "Describe the work"),
        ("lines", {"line-unit_price": "12.345"}, "line-unit_price", "at most 2 decimals"),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_saves_nothing(
    client: Client,
    office: Office,
    admin: Connection,
    path: str,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    invoice = sent_invoice(client, office) if path == "payments" else start(client, office)
    if path == "payments":
        response = pay(client, invoice, **{"amount": "1", **fields})
    else:
        response = add_line(
            client, invoice, **{k.removeprefix("line-"): v for k, v in fields.items()}
        )
    assert response.status_code == 422
    error = re.search(rf'id="{field}-error">([^<]+)<', text(response))
    assert error, f"no error next to {field}"
    assert message.lower() in error.group(1).lower()
    saved = admin.execute(
        "select (select count(*) from public.payments) as payments,"
        " (select count(*) from public.invoice_lines where invoice_id = %s) as lines",
        [invoice],
    ).fetchone()
    assert saved == {"payments": 0, "lines": 1 if path == "payments" else 0}


@pytest.mark.promise("P-10")
@pytest.mark.promise("P-12")
def test_after_erasure_the_invoice_and_its_payments_remain_anonymised(
    app: Flask, client: Client, office: Office, admin: Connection, database: TestDatabase
) -> None:
    invoice = sent_invoice(client, office)
    assert pay(client, invoice, "25.00").status_code == 302
    before = row_of(admin, invoice)

    with committing(database, claims_of(office.tenant.owner)) as conn:
        conn.execute("select app.erase_customer(%s)", [office.customer])

    after = row_of(admin, invoice)
    assert (after["number"], after["issued_on"], after["due_on"], after["sent_at"]) == (
        before["number"],
        before["issued_on"],
        before["due_on"],
        before["sent_at"],
    )
    assert (after["total"], after["paid"], after["status"]) == (
        D("100.00"),
        D("25.00"),
        "partly_paid",
    )
    assert (after["customer_id"], after["property_id"], after["job_id"]) == (None, None, None)
    assert (after["bill_to_name"], after["bill_to_email"], after["bill_to_address"]) == (
        "Erased customer",
        "",
        "",
    )
    payments = admin.execute(
        "select amount, reference from public.payments where invoice_id = %s", [invoice]
    ).fetchall()
    # The amount stays; the payer's reference (a cheque's number, a name) goes with them.
    assert payments == [{"amount": D("25.00"), "reference": ""}]
    mentions = admin.execute(
        "select count(*) as n from public.invoices where bill_to_name ilike '%alvarez%'"
        " or bill_to_email like 'ruth@%' or bill_to_address like '%Elm%'"
    ).fetchone()
    assert mentions == {"n": 0}
    logged = admin.execute(
        "select count(*) as n from audit.changes where table_name = 'public.invoices'"
        " and (coalesce(old_values::text, '') || coalesce(new_values::text, '')) ilike '%alvarez%'"
    ).fetchone()
    assert logged == {"n": 0}
    assert chain_problems(admin, office.tenant.id) == []
    assert audit_verify(app)[0] == 0
    page = text(client.get(f"/invoices/{invoice}"))
    assert "Erased customer" in page and "$25.00" in page


@pytest.mark.promise("P-02")
def test_technicians_see_only_their_own_jobs_invoices(
    database: TestDatabase, make: Factory, admin: Connection
) -> None:
    tenant = make.tenant()
    tech = make.member(tenant.id, "technician")
    customer = make.customer(tenant.id)
    prop = make.property(tenant.id, customer)
    mine, theirs = make.job(tenant.id, prop, summary="Mine"), make.job(tenant.id, prop)
    admin.execute(  # every day, so that the visit below can be booked whatever today is
        "insert into public.working_hours (tenant_id, technician_id, weekday, starts_at,"
        " ends_at) select %s, %s, d, '00:00', '23:59' from generate_series(1, 7) d",
        [tenant.id, tech.account_id],
    )
    make.visit(tenant.id, mine, at(today() + timedelta(days=1), 12), technicians=(tech.account_id,))
    own = make.invoice(tenant.id, prop, mine, lines=("80.00",), status="sent")
    make.invoice(tenant.id, prop, theirs, lines=("90.00",))
    make.invoice(tenant.id, prop, lines=("70.00",))
    with acting_as(database, claims_of(tech)) as conn:
        assert [r["id"] for r in conn.execute("select id from public.invoices")] == [own]
        lines = conn.execute("select invoice_id from public.invoice_lines").fetchall()
        assert [r["invoice_id"] for r in lines] == [own]
        conn.execute(
            "insert into public.payments (tenant_id, invoice_id, amount, method, received_on)"
            " values (%s, %s, 80, 'cash', current_date)",
            [tenant.id, own],
        )
        status = conn.execute("select status from public.invoices where id = %s", [own])
        assert status.fetchone() == {"status": "paid"}
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "insert into public.invoices (tenant_id, customer_id, property_id, job_id,"
                " issued_on, currency, bill_to_name, number) values (%s, %s, %s, %s,"
                " current_date, 'USD', 'Not mine', 0)",
                [tenant.id, customer, prop, theirs],
            )


def test_lists_filters_and_the_customer_timeline(
    client: Client, office: Office, admin: Connection, make: Factory
) -> None:
    draft = start(client, office)
    sent = sent_invoice(client, office)
    other = make.customer(office.tenant.id, "Zed", "Zimmer")
    make.invoice(office.tenant.id, make.property(office.tenant.id, other))
    assert re.findall(r"INV-(\d+)</a>", text(client.get("/invoices"))) == ["1003", "1002", "1001"]
    assert re.findall(r"INV-(\d+)</a>", text(client.get("/invoices?status=sent"))) == ["1002"]
    assert re.findall(r"INV-(\d+)</a>", text(client.get("/invoices?q=INV-1001"))) == ["1001"]
    assert re.findall(r"INV-(\d+)</a>", text(client.get("/invoices?q=alvarez"))) == [
        "1002",
        "1001",
    ]
    today = datetime.now(UTC).date()
    later = (today + timedelta(days=5)).isoformat()
    assert "No invoice matches." in text(client.get(f"/invoices?starts={later}"))
    assert client.get("/invoices?status=lost").status_code == 422
    assert client.get(f"/invoices?starts={later}&ends={today.isoformat()}").status_code == 422
    assert client.get("/invoices?page=0").status_code == 422
    listed = text(client.get("/invoices?status=sent"))
    assert "$100.00" in listed  # the balance due
    timeline = text(client.get(f"/customers/{office.customer}"))
    assert "Invoice INV-1001" in timeline and "Invoice INV-1002" in timeline
    assert "INV-1003" not in timeline
    client.get(f"/invoices/{draft}")
    recorded = admin.execute(
        "select row_key from audit.changes where table_name = 'public.invoices'"
        " and operation = 'access'"
    ).fetchall()
    assert {str(draft), str(sent), "list"} <= {r["row_key"] for r in recorded}
