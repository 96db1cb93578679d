"""Estimates: made for a property from a job or on their own, numbered per company without
gaps or races, built from options and lines (from the price book at the member's price, or by
hand), totals by the money rule in Python and SQL alike, fixed once sent, approved once,
declined, revised; reads recorded; technicians limited to their own jobs' estimates."""

from __future__ import annotations

import html
import random
import re
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg
import pytest

from app import money
from app.db import Connection
from tests.conftest import Client, TestDatabase
from tests.factories import Factory, Tenant
from tests.policies.identity import acting_as, claims_of
from tests.technician.support import at, today

D = Decimal


def text(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


class Office:
    def __init__(self, make: Factory, client: Client) -> None:
        self.tenant: Tenant = make.tenant()
        tenant_id = self.tenant.id
        self.customer = make.customer(tenant_id, "Ruth", "Alvarez")
        self.property = make.property(tenant_id, self.customer, street="12 Elm St")
        self.job = make.job(tenant_id, self.property, "install", "Replace the furnace")
        make.tax_rate(tenant_id, "State", "6.25")
        make.tax_rate(tenant_id, "City", "2.25")
        self.furnace = make.price_item(
            tenant_id, "package", "80% furnace, installed", "4200.00", member_price="3990.00"
        )
        self.tune_up = make.price_item(
            tenant_id, "service", "Furnace tune-up", "129.00", member_discount_percent="10"
        )
        client.sign_in(make.member(tenant_id, "office").email)


@pytest.fixture
def office(make: Factory, client: Client) -> Office:
    return Office(make, client)


def start(client: Client, office: Office, **query: str) -> UUID:
    query = query or {"job_id": str(office.job)}
    url = "/estimates/new?" + "&".join(f"{k}={v}" for k, v in query.items())
    valid = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    response = client.submit(url, {"title": "New furnace", "valid_until": valid, "note": ""})
    assert response.status_code == 302, text(response)
    return UUID(response.headers["Location"].rsplit("/", 1)[1])


def options_of(admin: Connection, estimate_id: UUID) -> dict[str, UUID]:
    rows = admin.execute(
        "select name, id from public.estimate_options where estimate_id = %s order by position",
        [estimate_id],
    ).fetchall()
    return {row["name"]: row["id"] for row in rows}


def add_line(client: Client, option_id: UUID, position: int, **fields: str) -> Any:
    prefix = f"o{position}-line-"
    data = {"description": "Haul away the old furnace", "quantity": "1", "unit": "each"}
    data |= {"unit_price": "150.00", "taxable": "y"} | fields
    return client.submit(
        f"/estimates/options/{option_id}/lines", {prefix + k: v for k, v in data.items()}
    )


def add_item(client: Client, option_id: UUID, position: int, item: UUID, quantity: str) -> Any:
    prefix = f"o{position}-item-"
    return client.submit(
        f"/estimates/options/{option_id}/items",
        {prefix + "item": str(item), prefix + "item_quantity": quantity},
    )


def test_an_estimate_from_a_job_is_numbered_and_copies_the_companys_tax_rates(
    client: Client, office: Office, admin: Connection
) -> None:
    form = text(client.get(f"/estimates/new?job_id={office.job}"))
    assert 'value="Replace the furnace"' in form and "Ruth Alvarez" in form
    first, second = start(client, office), start(client, office, property_id=str(office.property))
    rows = admin.execute(
        "select id, number, revision, status, job_id, currency from public.estimates"
        " where tenant_id = %s order by number",
        [office.tenant.id],
    ).fetchall()
    assert [(r["id"], r["number"], r["job_id"]) for r in rows] == [
        (first, 1001, office.job),
        (second, 1002, None),
    ]
    assert {r["status"] for r in rows} == {"draft"} and {r["currency"] for r in rows} == {"USD"}
    rates = admin.execute(
        "select name, percent from public.estimate_tax_rates where estimate_id = %s"
        " order by position",
        [first],
    ).fetchall()
    assert [(r["name"], str(r["percent"])) for r in rates] == [
        ("City", "2.2500"),
        ("State", "6.2500"),
    ]
    page = text(client.get(f"/estimates/{first}"))
    assert "EST-1001" in page and "No lines yet." in page


def test_a_job_at_another_property_or_of_another_company_is_not_found(
    client: Client, office: Office, make: Factory
) -> None:
    elsewhere = make.property(office.tenant.id, office.customer, street="9 Oak Ave")
    assert (
        client.get(f"/estimates/new?job_id={office.job}&property_id={elsewhere}").status_code == 404
    )
    other = make.tenant()
    foreign_job = make.job(other.id, make.property(other.id, make.customer(other.id)))
    assert client.get(f"/estimates/new?job_id={foreign_job}").status_code == 404
    assert client.get("/estimates/new?job_id=nonsense").status_code == 404
    assert client.get("/estimates/new").status_code == 404


def test_options_and_lines_add_up_by_the_money_rule(
    client: Client, office: Office, admin: Connection, make: Factory
) -> None:
    make.agreement(office.tenant.id, office.property)  # Ruth is a member: member prices
    estimate = start(client, office)
    recommended = options_of(admin, estimate)["Recommended"]
    assert add_item(client, recommended, 0, office.furnace, "1").status_code == 302
    assert add_item(client, recommended, 0, office.tune_up, "1").status_code == 302
    assert add_line(client, recommended, 0, discount_percent="10").status_code == 302
    # Member prices: the furnace's own 3,990.00; the tune-up 129.00 less 10% = 116.10.
    # Lines: 3,990.00 + 116.10 + (150.00 - 15.00) = 4,241.10 net.
    # City 2.25%: 89.78 + 2.61 + 3.04 = 95.43 (89.775 rounds up); State 6.25%: 249.38 +
    # 7.26 + 8.44 = 265.08 (249.375, 7.25625, 8.4375 each rounded half-up).
    # Total 4,241.10 + 95.43 + 265.08 = 4,601.61.
    page = text(client.get(f"/estimates/{estimate}"))
    assert "$3,990.00" in page and "$116.10" in page and "$135.00" in page
    assert "$95.43" in page and "$265.08" in page and "$4,601.61" in page
    sql_total = admin.execute(
        "select total, tax from public.estimate_option_totals where option_id = %s", [recommended]
    ).fetchone()
    assert sql_total is not None
    assert (sql_total["total"], sql_total["tax"]) == (D("4601.61"), D("360.51"))


def test_the_database_totals_equal_the_money_rule_for_any_lines(
    admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    estimate = make.estimate(tenant.id)
    rates = [money.TaxRate("A", D("6.25")), money.TaxRate("B", D("2.875"))]
    for position, rate in enumerate(rates):
        admin.execute(
            "insert into public.estimate_tax_rates (tenant_id, estimate_id, position, name,"
            " percent) values (%s, %s, %s, %s, %s)",
            [tenant.id, estimate, position, rate.name, rate.percent],
        )
    draw = random.Random(20261207)
    for position in range(5):
        option = make.estimate_option(tenant.id, estimate, position)
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
                "insert into public.estimate_lines (tenant_id, estimate_id, option_id,"
                " description, quantity, unit_price, discount_percent, taxable)"
                " values (%s, %s, %s, 'x', %s, %s, %s, %s)",
                [tenant.id, estimate, option, line.quantity, line.unit_price,
                 line.discount_percent, line.taxable],
            )  # fmt: skip
        expected = money.totals(lines, rates)
        row = admin.execute(
            "select subtotal, discount, tax, total from public.estimate_option_totals"
            " where option_id = %s",
            [option],
        ).fetchone()
        assert row is not None
        assert (row["subtotal"], row["discount"], row["tax"], row["total"]) == (
            expected.subtotal,
            expected.discount,
            expected.tax,
            expected.total,
        )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"unit_price": "12.345"}, "unit_price", "at most 2 decimals"),
        ({"unit_price": ""}, "unit_price", "Enter the unit price."),
        ({"quantity": "0"}, "quantity", ""),
        ({"discount_percent": "150"}, "discount_percent", ""),
        ({"description": ""}, "description", "Describe the work"),
    ],
)
def test_a_bad_line_is_explained_and_adds_nothing(
    client: Client,
    office: Office,
    admin: Connection,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    estimate = start(client, office)
    option = options_of(admin, estimate)["Recommended"]
    response = add_line(client, option, 0, **fields)
    assert response.status_code == 422
    error = re.search(rf'id="o0-line-{field}-error">([^<]+)<', text(response))
    assert error, f"no error next to {field}"
    assert message.lower() in error.group(1).lower()
    count = admin.execute("select count(*) as n from public.estimate_lines").fetchone()
    assert count is not None and count["n"] == 0


def test_good_better_best_and_the_last_option_stays(
    client: Client, office: Office, admin: Connection
) -> None:
    estimate = start(client, office)
    for name in ("Better", "Best"):
        added = client.submit(f"/estimates/{estimate}/options", {"new-option-name": name})
        assert added.status_code == 302
    options = options_of(admin, estimate)
    assert list(options) == ["Recommended", "Better", "Best"]
    renamed = client.submit(
        f"/estimates/options/{options['Recommended']}/edit", {"name": "Good", "description": ""}
    )
    assert renamed.status_code == 302
    for name in ("Better", "Best"):
        client.submit(f"/estimates/options/{options[name]}/remove")
    assert client.submit(f"/estimates/options/{options['Recommended']}/remove").status_code == 302
    assert list(options_of(admin, estimate)) == ["Good"]


def sent_estimate(client: Client, office: Office, admin: Connection) -> tuple[UUID, UUID]:
    estimate = start(client, office)
    option = options_of(admin, estimate)["Recommended"]
    assert add_line(client, option, 0).status_code == 302
    assert client.submit(f"/estimates/{estimate}/sent").status_code == 302
    return estimate, option


def test_an_empty_estimate_is_not_sent_and_a_sent_one_never_changes(
    client: Client, office: Office, admin: Connection
) -> None:
    empty = start(client, office)
    client.submit(f"/estimates/{empty}/sent")
    status = admin.execute("select status from public.estimates where id = %s", [empty]).fetchone()
    assert status is not None and status["status"] == "draft"
    estimate, option = sent_estimate(client, office, admin)
    assert add_line(client, option, 0).status_code == 409
    assert client.get(f"/estimates/{estimate}/edit").status_code == 302
    with pytest.raises(psycopg.errors.CheckViolation, match="only a draft"):
        admin.execute(
            "insert into public.estimate_lines (tenant_id, estimate_id, option_id, description,"
            " quantity, unit_price) values (%s, %s, %s, 'Sneaked in', 1, 1)",
            [office.tenant.id, estimate, option],
        )
    with pytest.raises(psycopg.errors.CheckViolation, match="only a draft"):
        admin.execute("update public.estimates set note = 'changed' where id = %s", [estimate])
    with pytest.raises(psycopg.errors.CheckViolation, match="keeps its number"):
        admin.execute("update public.estimates set number = 7 where id = %s", [estimate])


@pytest.mark.promise("P-07")
def test_approval_happens_once(client: Client, office: Office, admin: Connection) -> None:
    estimate, option = sent_estimate(client, office, admin)
    first = client.submit(f"/estimates/{estimate}/approve", {"option": str(option)})
    assert first.status_code == 302
    again = client.submit(
        f"/estimates/{estimate}/approve", {"option": str(option)}, follow_redirects=True
    )
    assert "not open for approval" in text(again)
    row = admin.execute(
        "select status, approved_option_id, approved_at from public.estimates where id = %s",
        [estimate],
    ).fetchone()
    assert row is not None and (row["status"], row["approved_option_id"]) == ("approved", option)
    changes = admin.execute(
        "select count(*) as n from audit.changes where table_name = 'public.estimates'"
        " and row_key = %s and operation = 'update' and new_values ? 'approved_at'",
        [str(estimate)],
    ).fetchone()
    assert changes is not None and changes["n"] == 1


def test_another_estimates_option_cannot_be_approved(
    client: Client, office: Office, admin: Connection
) -> None:
    estimate, _ = sent_estimate(client, office, admin)
    other = options_of(admin, start(client, office))["Recommended"]
    refused = client.submit(f"/estimates/{estimate}/approve", {"option": str(other)})
    assert refused.status_code == 422
    with pytest.raises(psycopg.errors.ForeignKeyViolation), admin.transaction():
        admin.execute(
            "update public.estimates set status = 'approved', approved_option_id = %s,"
            " approved_at = now() where id = %s",
            [other, estimate],
        )


def test_an_expired_estimate_is_not_approved_and_a_declined_one_keeps_its_reason(
    client: Client, office: Office, admin: Connection
) -> None:
    estimate, option = sent_estimate(client, office, admin)
    admin.execute("alter table public.estimates disable trigger estimates_keep_their_place")
    admin.execute(
        "update public.estimates set valid_until = current_date - 2 where id = %s", [estimate]
    )
    admin.execute("alter table public.estimates enable trigger estimates_keep_their_place")
    assert "Expired" in text(client.get(f"/estimates/{estimate}"))
    client.submit(f"/estimates/{estimate}/approve", {"option": str(option)})
    row = admin.execute("select status from public.estimates where id = %s", [estimate]).fetchone()
    assert row is not None and row["status"] == "sent"
    declined, _ = sent_estimate(client, office, admin)
    client.submit(f"/estimates/{declined}/decline", {"reason": "Went with a cheaper quote"})
    page = text(client.get(f"/estimates/{declined}"))
    assert "Declined" in page and "Went with a cheaper quote" in page


def test_a_revision_keeps_the_number_and_copies_the_lines(
    client: Client, office: Office, admin: Connection
) -> None:
    estimate, _ = sent_estimate(client, office, admin)
    revised = client.submit(f"/estimates/{estimate}/revise")
    assert revised.status_code == 302
    new_id = UUID(revised.headers["Location"].rsplit("/", 1)[1])
    rows = admin.execute(
        "select id, number, revision, status from public.estimates where number = 1001"
        " and tenant_id = %s order by revision",
        [office.tenant.id],
    ).fetchall()
    assert [(r["id"], r["revision"], r["status"]) for r in rows] == [
        (estimate, 1, "revised"),
        (new_id, 2, "draft"),
    ]
    lines = admin.execute(
        "select description from public.estimate_lines where estimate_id = %s", [new_id]
    ).fetchall()
    assert [r["description"] for r in lines] == ["Haul away the old furnace"]
    assert "EST-1001 rev. 2" in text(client.get(f"/estimates/{new_id}"))
    assert "see the newer revision" in text(client.get(f"/estimates/{estimate}"))
    listed = re.findall(r">(EST-[^<]+)</a>", text(client.get("/estimates")))
    assert listed == ["EST-1001 rev. 2"]


def test_two_estimates_made_at_once_get_consecutive_numbers_and_a_rollback_leaves_no_gap(
    database: TestDatabase, make: Factory, admin: Connection
) -> None:
    tenant = make.tenant()
    customer = make.customer(tenant.id)
    prop = make.property(tenant.id, customer)
    office = make.member(tenant.id, "office")
    statement = (
        "insert into public.estimates (tenant_id, customer_id, property_id, title, valid_until,"
        " currency, number) values (%s, %s, %s, 'Race', current_date + 1, 'USD', 0)"
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


@pytest.mark.promise("P-07")
def test_lists_filters_and_the_customer_timeline(
    client: Client, office: Office, admin: Connection
) -> None:
    draft = start(client, office)
    client.get(f"/estimates/{draft}")
    sent, _ = sent_estimate(client, office, admin)
    assert re.findall(r"EST-(\d+)</a>", text(client.get("/estimates"))) == ["1002", "1001"]
    assert re.findall(r"EST-(\d+)</a>", text(client.get("/estimates?status=sent"))) == ["1002"]
    assert re.findall(r"EST-(\d+)</a>", text(client.get("/estimates?q=EST-1001"))) == ["1001"]
    assert len(re.findall(r"EST-(\d+)</a>", text(client.get("/estimates?q=alvarez")))) == 2
    assert "No estimate matches." in text(client.get("/estimates?q=nobody"))
    assert client.get("/estimates?status=lost").status_code == 422
    assert client.get("/estimates?page=0").status_code == 422
    timeline = text(client.get(f"/customers/{office.customer}"))
    assert "Estimate EST-1001" in timeline and "Estimate EST-1002" in timeline
    recorded = admin.execute(
        "select row_key from audit.changes where table_name = 'public.estimates'"
        " and operation = 'access' order by id"
    ).fetchall()
    keys = {r["row_key"] for r in recorded}
    assert {str(draft), str(sent), "list"} <= keys


@pytest.mark.promise("P-02")
def test_technicians_see_only_their_own_jobs_estimates(
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
    own = make.estimate(tenant.id, prop, job_id=mine)
    make.estimate(tenant.id, prop, job_id=theirs)
    make.estimate(tenant.id, prop)
    make.estimate_option(tenant.id, own)
    with acting_as(database, claims_of(tech)) as conn:
        seen = [r["id"] for r in conn.execute("select id from public.estimates")]
        assert seen == [own]
        options = conn.execute("select estimate_id from public.estimate_options").fetchall()
        assert [r["estimate_id"] for r in options] == [own]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "insert into public.estimates (tenant_id, customer_id, property_id, job_id, title,"
                " valid_until, currency, number) values (%s, %s, %s, %s, 'Not mine',"
                " current_date + 1, 'USD', 0)",
                [tenant.id, customer, prop, theirs],
            )
