"""The dashboard's count of today's visits: the company's for the office, one's own for a
technician."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from tests.conftest import Client
from tests.factories import Factory

NEW_YORK = ZoneInfo("America/New_York")


def counts(client: Client) -> str:
    page = client.get("/").get_data(as_text=True)
    match = re.search(r"<h2>Today's visits</h2>\s*<p>(.*?)</p>", page, re.S)
    assert match, page
    return re.sub(r"<[^>]+>", "", match.group(1))


def test_today_counts_the_companys_visits_for_the_office_and_ones_own_for_a_technician(
    client: Client, make: Factory
):
    tenant = make.tenant()
    terry, tina = (make.member(tenant.id, "technician") for _ in range(2))
    place = make.property(tenant.id, make.customer(tenant.id))
    today = datetime.now(NEW_YORK).date()
    # Any hour of today fits when the technicians work around the clock, weekends included.
    for technician in (terry, tina):
        for weekday in range(1, 8):
            make.conn.execute(
                "insert into public.working_hours (tenant_id, technician_id, weekday, starts_at,"
                " ends_at) values (%s, %s, %s, '00:00', '23:59')",
                [tenant.id, technician.account_id, weekday],
            )
    starts = datetime.combine(today, time(0, 5), NEW_YORK)
    for n, technician in enumerate((terry, terry, tina)):
        make.visit(
            tenant.id,
            make.job(tenant.id, place),
            starts + timedelta(minutes=20 * n),
            hours=0.25,
            minutes=15,
            technicians=(technician.account_id,),
        )
    make.visit(tenant.id, make.job(tenant.id, place))  # waiting in the queue

    client.sign_in(tenant.owner.email)
    assert counts(client) == "3 to do · 0 completed · 1 waiting to be scheduled"

    client.post("/sign-out", data={"csrf_token": client.csrf_token()})
    client.sign_in(terry.email)
    assert counts(client) == "2 to do · 0 completed"


def money_card(client: Client) -> str | None:
    page = client.get("/").get_data(as_text=True)
    match = re.search(r"<h2>Money</h2>(.*?)</section>", page, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip() if match else None


def test_the_money_card_sums_open_estimates_unpaid_invoices_and_todays_payments(
    app, client: Client, make: Factory, admin
):
    tenant = make.tenant()
    place = make.property(tenant.id, make.customer(tenant.id))
    # An estimate sent with options of 1,200.00 and 3,400.00: up to 3,400.00 if approved.
    estimate = make.estimate(tenant.id, place)
    for position, price in enumerate(("1200.00", "3400.00")):
        option = make.estimate_option(tenant.id, estimate, position)
        admin.execute(
            "insert into public.estimate_lines (tenant_id, estimate_id, option_id, description,"
            " quantity, unit_price) values (%s, %s, %s, 'Work', 1, %s)",
            [tenant.id, estimate, option, price],
        )
    admin.execute(
        "update public.estimates set status = 'sent', sent_at = now() where id = %s", [estimate]
    )
    make.estimate(tenant.id, place)  # a draft: not open
    # Two invoices of 500.00 and 250.00 sent, 200.00 paid today on the first.
    paid = make.invoice(tenant.id, place, lines=("500.00",), status="sent")
    make.invoice(tenant.id, place, lines=("250.00",), status="sent")
    today = admin.execute(
        "select (now() at time zone t.time_zone)::date as d from public.tenants t where t.id = %s",
        [tenant.id],
    ).fetchone()
    admin.execute(
        "insert into public.payments (tenant_id, invoice_id, amount, method, received_on)"
        " values (%s, %s, 200, 'cash', %s)",
        [tenant.id, paid, today["d"]],
    )
    client.sign_in(make.member(tenant.id, "office").email)
    assert money_card(client) == (
        "Open estimates 1 · up to $3,400.00 Unpaid invoices 2 · $550.00 due Paid today $200.00"
    )
    technician = app.test_client()
    technician.sign_in(make.member(tenant.id, "technician").email)
    assert money_card(technician) is None


def test_a_new_company_s_money_card_says_nothing_is_owed(client: Client, make: Factory):
    tenant = make.tenant()
    client.sign_in(tenant.owner.email)
    assert money_card(client) == "Open estimates 0 Unpaid invoices 0 Paid today $0.00"
