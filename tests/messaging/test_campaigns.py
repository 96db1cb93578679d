"""Maintenance campaigns (P-15): the preview counts who is excluded and why with the database's own
rule, scheduling is on the company's clock, the worker queues each customer once at the
campaign's pace, and what the rules refuse is blocked and counted, never sent."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from psycopg_pool import ConnectionPool

from app.db import Connection
from app.messaging.campaigns import with_stop_line
from jobs import REGISTRY
from jobs import campaigns as campaign_job
from jobs import messages as message_job
from tests.clock import set_clock
from tests.conftest import Client, TestDatabase, make_settings
from tests.factories import Factory, Tenant
from tests.messaging.campaign_support import (
    campaign,
    cell,
    company,
    customer,
    tune_up_due,
)

CHICAGO = ZoneInfo("America/Chicago")
REASONS = {
    "Cal": "The customer has not consented to marketing.",
    "Dee": "The customer asked not to be contacted.",
    "Eve": "Processing of this customer is restricted.",
    "Fay": "The number texted STOP.",
    "Gus": "No mobile number.",
}


@pytest.fixture
def acme(make: Factory, admin: Connection) -> Tenant:
    return company(make, admin)


@pytest.fixture
def audience_of_seven(make: Factory, admin: Connection, acme: Tenant) -> dict[str, UUID]:
    """Seven customers whose tune-up is due: two may be sent to, five each excluded for a
    reason; and Hal, whose is not due."""
    people = {
        "Ann": customer(make, admin, acme.id, "Ann", phone="+15085550001"),
        "Ben": customer(make, admin, acme.id, "Ben", phone="+15085550002"),
        "Cal": customer(make, admin, acme.id, "Cal", phone="+15085550003", consent=False),
        "Dee": customer(make, admin, acme.id, "Dee", phone="+15085550004", do_not_contact=True),
        "Eve": customer(
            make, admin, acme.id, "Eve", phone="+15085550005", restrict_processing=True
        ),
        "Fay": customer(make, admin, acme.id, "Fay", phone="+15085550006"),
        "Gus": customer(make, admin, acme.id, "Gus"),
    }
    for person in people.values():
        tune_up_due(make, admin, acme.id, person)
    admin.execute(
        "insert into public.sms_opt_outs (tenant_id, phone) values (%s, '+15085550006')", [acme.id]
    )
    customer(make, admin, acme.id, "Hal", phone="+15085550008")
    return people


def signed_in(app: Flask, email: str) -> Client:
    browser: Client = app.test_client()  # type: ignore[assignment]
    browser.sign_in(email)
    return browser


def tomorrow_at(hour: int) -> datetime:
    day = datetime.now(CHICAGO).date() + timedelta(days=1)
    return datetime.combine(day, time(hour), CHICAGO)


@pytest.mark.promise("P-15")
def test_excluded_customers_are_counted_with_their_reason_and_never_sent(
    app: Flask,
    admin: Connection,
    make: Factory,
    acme: Tenant,
    audience_of_seven: dict[str, UUID],
    pool: ConnectionPool,
    database: TestDatabase,
):
    office = signed_in(app, make.member(acme.id, "office").email)
    made = office.submit(
        "/campaigns/new",
        {
            "name": "Furnace tune-up reminder",
            "audience": "tune_up_due",
            "due_within_days": "30",
            "channel": "sms",
            "sms_body": (
                "Hi {first_name}, {company} here: your tune-up is due. Call {company_phone}."
            ),
            "per_minute": "60",
        },
    )
    assert made.status_code == 302
    page = office.get(made.headers["Location"]).get_data(as_text=True)

    assert cell(page, "goes-to") == "2"
    assert "of 7 customer(s)" in page
    for reason in REASONS.values():
        assert re.search(rf"<td>{re.escape(reason)}</td><td>1</td>", page), reason
    assert "Hi Ann, Acme Heating here: your tune-up is due. Call (312) 555-0100. Reply STOP to" in (
        page
    )
    assert "segment(s) (GSM-7)" in page
    # Office staff draft; only owners and admins schedule.
    campaign_id = made.headers["Location"].rsplit("/", 1)[1]
    at = tomorrow_at(10)
    when = {"day": at.date().isoformat(), "start": "10:00", "per_minute": "60"}
    assert office.submit(f"/campaigns/{campaign_id}/schedule", when).status_code == 403

    owner = signed_in(app, acme.owner.email)
    assert owner.submit(f"/campaigns/{campaign_id}/schedule", when).status_code == 302
    set_clock(admin, at)
    assert campaign_job.sweep(pool) == 6  # Gus has no number
    assert campaign_job.sweep(pool) == 0  # once per customer per campaign
    message_job.sweep(pool, make_settings(database))

    sent = admin.execute(
        "select to_address, body_text from outbox.messages where tenant_id = %s order by 1",
        [acme.id],
    ).fetchall()
    assert [m["to_address"] for m in sent] == ["+15085550001", "+15085550002"]
    assert sent[0]["body_text"].startswith("Hi Ann, Acme Heating here")
    assert sent[0]["body_text"].endswith("Reply STOP to opt out.")
    report = owner.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    assert (cell(report, "sent"), cell(report, "blocked")) == ("2", "4")
    for name, reason in REASONS.items():
        if name != "Gus":
            assert f"{reason}: 1" in report
    campaign_job.sweep(pool)
    done = admin.execute("select status from public.campaigns where id = %s", [campaign_id])
    assert done.fetchone() == {"status": "done"}
    assert REGISTRY["campaigns"].sweep is campaign_job.sweep


def test_each_audience_finds_its_customers(
    admin: Connection, make: Factory, acme: Tenant, audience_of_seven: dict[str, UUID]
):
    from tests.messaging.campaign_support import audience, property_of

    # Equipment: furnaces installed 15 years ago or more (Ann's is; Ben's is new; Cal's is an AC).
    for name, kind, years in (("Ann", "furnace", 16), ("Ben", "furnace", 3), ("Cal", "boiler", 20)):
        equipment = make.equipment(acme.id, property_of(admin, audience_of_seven[name]), kind)
        admin.execute(
            "update public.equipment set installed_on = current_date - %s * interval '1 year'"
            " where id = %s",
            [years, equipment],
        )
    furnaces = campaign(
        admin, acme.id, audience="equipment", equipment_kind="furnace", older_than_years=15
    )
    assert audience(admin, acme.id, furnaces) == {"Ann": ""}
    any_old = campaign(admin, acme.id, audience="equipment", older_than_years=15)
    assert set(audience(admin, acme.id, any_old)) == {"Ann", "Cal"}

    # Tune-up due: Ben's is booked now, so he is no longer reminded.
    admin.execute(
        "update public.visits v set status = 'scheduled', window_starts_at = now() + interval '3"
        " days', window_ends_at = now() + interval '3 days 2 hours' from public.jobs j"
        " where j.id = v.job_id and j.customer_id = %s",
        [audience_of_seven["Ben"]],
    )
    due = campaign(admin, acme.id)
    assert "Ben" not in audience(admin, acme.id, due)
    assert "Ann" in audience(admin, acme.id, due)


def test_no_visit_for_months_needs_a_past_visit_and_none_since(
    admin: Connection, make: Factory, acme: Tenant
):
    from tests.messaging.campaign_support import audience, property_of

    technician = make.member(acme.id, "technician").account_id

    def visited(name: str, days_ago: int) -> UUID:
        person = customer(make, admin, acme.id, name, phone="+15085550100")
        job = make.job(acme.id, property_of(admin, person))
        day = datetime.now(CHICAGO).date() - timedelta(days=days_ago)
        while day.isoweekday() > 5:  # inside the technician's working week
            day -= timedelta(days=1)
        starts = datetime.combine(day, time(9), CHICAGO)
        visit = make.visit(acme.id, job, starts, technicians=(technician,))
        for status in ("en_route", "on_site", "completed"):
            admin.execute("update public.visits set status = %s where id = %s", [status, visit])
        admin.execute(
            "update public.visits set completed_at = window_starts_at where id = %s", [visit]
        )
        return person

    visited("Lapsed", 400)
    visited("Recent", 30)
    customer(make, admin, acme.id, "Never", phone="+15085550101")
    booked = visited("Booked", 410)
    job = make.job(acme.id, property_of(admin, booked))
    make.visit(acme.id, job, datetime.now(CHICAGO) + timedelta(days=5))

    lapsed = campaign(admin, acme.id, audience="no_visit", no_visit_months=12)
    assert audience(admin, acme.id, lapsed) == {"Lapsed": ""}


def test_a_campaign_is_scheduled_on_the_company_clock_and_released_at_its_pace(
    app: Flask,
    admin: Connection,
    make: Factory,
    acme: Tenant,
    audience_of_seven: dict[str, UUID],
    pool: ConnectionPool,
):
    admin.execute(
        "update public.customers set marketing_consent = true, marketing_consent_at = now(),"
        " do_not_contact = false, restrict_processing = false where tenant_id = %s",
        [acme.id],
    )
    admin.execute("delete from public.sms_opt_outs where tenant_id = %s", [acme.id])
    made = campaign(admin, acme.id)
    owner = signed_in(app, acme.owner.email)
    at = tomorrow_at(9)
    response = owner.submit(
        f"/campaigns/{made}/schedule",
        {"day": at.date().isoformat(), "start": "09:00", "per_minute": "2"},
    )
    assert response.status_code == 302
    row = admin.execute("select scheduled_at from public.campaigns where id = %s", [made])
    assert row.fetchone() == {"scheduled_at": at}  # 9am in Chicago, whatever the server's zone

    set_clock(admin, at - timedelta(minutes=1))
    assert campaign_job.sweep(pool) == 0  # not yet
    set_clock(admin, at)
    assert campaign_job.sweep(pool) == 6
    offsets = admin.execute(
        "select extract(epoch from not_before - %s)::integer / 60 as minute from public.messages"
        " where campaign_id = %s order by not_before",
        [at, made],
    ).fetchall()
    assert [r["minute"] for r in offsets] == [0, 0, 1, 1, 2, 2]


def test_a_time_that_has_passed_is_refused_and_nothing_changes(
    app: Flask, admin: Connection, acme: Tenant
):
    made = campaign(admin, acme.id)
    owner = signed_in(app, acme.owner.email)
    yesterday = datetime.now(CHICAGO).date() - timedelta(days=1)
    response = owner.submit(
        f"/campaigns/{made}/schedule", {"day": yesterday.isoformat(), "start": "10:00"}
    )
    assert response.status_code == 422
    assert "Choose a time that has not passed." in response.get_data(as_text=True)
    row = admin.execute("select status from public.campaigns where id = %s", [made])
    assert row.fetchone() == {"status": "draft"}


def test_canceling_a_campaign_cancels_its_messages_not_yet_sent(
    app: Flask,
    admin: Connection,
    make: Factory,
    acme: Tenant,
    audience_of_seven: dict[str, UUID],
    pool: ConnectionPool,
):
    made = campaign(admin, acme.id, per_minute=1)
    owner = signed_in(app, acme.owner.email)
    at = tomorrow_at(10)
    owner.submit(f"/campaigns/{made}/schedule", {"day": at.date().isoformat(), "start": "10:00"})
    set_clock(admin, at)
    campaign_job.sweep(pool)
    office = signed_in(app, make.member(acme.id, "office").email)
    assert office.submit(f"/campaigns/{made}/cancel").status_code == 403

    assert owner.submit(f"/campaigns/{made}/cancel").status_code == 302
    statuses = admin.execute(
        "select status, count(*)::integer as n from public.messages where campaign_id = %s"
        " group by status order by status",
        [made],
    ).fetchall()
    assert {r["status"]: r["n"] for r in statuses} == {"blocked": 4, "canceled": 2}
    row = admin.execute("select status from public.campaigns where id = %s", [made])
    assert row.fetchone() == {"status": "canceled"}


def test_the_report_counts_delivery_replies_and_bookings(
    app: Flask,
    admin: Connection,
    make: Factory,
    acme: Tenant,
    audience_of_seven: dict[str, UUID],
    pool: ConnectionPool,
    database: TestDatabase,
):
    admin.execute(
        "update public.customers set marketing_consent = true, marketing_consent_at = now(),"
        " do_not_contact = false, restrict_processing = false where tenant_id = %s",
        [acme.id],
    )
    made = campaign(admin, acme.id, per_minute=100)
    admin.execute(
        "update public.campaigns set status = 'scheduled', scheduled_at = %s where id = %s",
        [tomorrow_at(10), made],
    )
    set_clock(admin, tomorrow_at(10))
    campaign_job.sweep(pool)
    message_job.sweep(pool, make_settings(database))
    sent = {
        r["to_address"]: r
        for r in admin.execute(
            "select id, to_address, customer_id, sent_at from public.messages"
            " where campaign_id = %s and status = 'sent'",
            [made],
        ).fetchall()
    }
    assert set(sent) == {f"+1508555000{n}" for n in (1, 2, 3, 4, 5)}  # Fay said STOP
    admin.execute(
        "update public.messages set status = 'delivered', delivered_at = sent_at"
        " where to_address in ('+15085550001', '+15085550002') and campaign_id = %s",
        [made],
    )
    admin.execute(
        "update public.messages set status = 'undelivered' where to_address = '+15085550003'"
        " and campaign_id = %s",
        [made],
    )
    first = sent["+15085550001"]
    for number, after in (("+15085550001", "2 days"), ("+15085550002", "15 days")):
        admin.execute(
            "insert into public.messages (tenant_id, direction, channel, kind, purpose,"
            " to_address, from_address, body, time_zone, status, created_at)"
            " values (%s, 'in', 'sms', 'inbound', 'conversation', '+15550000000', %s, 'Yes!',"
            " 'UTC', 'received', %s::timestamptz + %s::interval)",
            [acme.id, number, first["sent_at"], after],
        )
    for number, after in (("+15085550004", "3 days"), ("+15085550005", "40 days")):
        person = sent[number]["customer_id"]
        admin.execute(
            "update public.visits v set status = 'scheduled', window_starts_at = now(),"
            " window_ends_at = now() + interval '2 hours'"
            " from public.jobs j where j.id = v.job_id and j.customer_id = %s",
            [person],
        )
        admin.execute(  # booked that long after the campaign's text
            "update public.visits v set scheduled_at = %s::timestamptz + %s::interval"
            " from public.jobs j where j.id = v.job_id and j.customer_id = %s",
            [first["sent_at"], after, person],
        )

    report = signed_in(app, acme.owner.email).get(f"/campaigns/{made}").get_data(as_text=True)
    assert [cell(report, k) for k in ("sent", "delivered", "failed", "blocked")] == [
        "5",
        "2",
        "1",
        "1",
    ]
    assert (cell(report, "replied"), cell(report, "booked")) == ("1", "1")


def test_a_marketing_text_says_how_to_opt_out_once():
    assert with_stop_line("Tune-up time!") == "Tune-up time! Reply STOP to opt out."
    assert with_stop_line("Text STOP to end.") == "Text STOP to end."


def test_other_companies_and_technicians_see_no_campaign(
    app: Flask, admin: Connection, make: Factory, acme: Tenant
):
    made = campaign(admin, acme.id)
    other = company(make, admin, "Beta Boilers")
    assert signed_in(app, other.owner.email).get(f"/campaigns/{made}").status_code == 404
    technician = signed_in(app, make.member(acme.id, "technician").email)
    assert technician.get(f"/campaigns/{made}").status_code == 403
    assert technician.get("/campaigns").status_code == 403


def test_the_demo_company_has_a_campaign_to_preview(app: Flask, admin: Connection):
    from app.demo import seed

    seed.demo(admin)
    seed.customers(admin)
    assert seed.campaign(admin) is False  # made once
    owner: Client = app.test_client()  # type: ignore[assignment]
    owner.sign_in(seed.DEMO_STAFF[0][0], seed.DEMO_PASSWORD)
    listed = owner.get("/campaigns").get_data(as_text=True)
    found = re.search(r'href="/campaigns/([0-9a-f-]{36})">Furnace tune-up reminder<', listed)
    assert found is not None
    page = owner.get(f"/campaigns/{found.group(1)}").get_data(as_text=True)
    assert int(cell(page, "goes-to")) + page.count("<td>The customer") >= 1
    assert "Reply STOP to opt out." in page


@pytest.mark.promise("P-15")
def test_an_email_campaign_needs_an_address_and_the_companys_postal_address(
    admin: Connection, make: Factory, acme: Tenant
):
    from tests.messaging.campaign_support import audience

    for name, email in (("Ann", "ann@example.com"), ("Ben", "")):
        tune_up_due(make, admin, acme.id, customer(make, admin, acme.id, name, email=email))
    by_email = campaign(
        admin, acme.id, channel="email", email_subject="Tune-up", email_body="Book now."
    )
    assert audience(admin, acme.id, by_email) == {"Ann": "", "Ben": "No email address."}
    admin.execute("update public.tenants set address = '' where id = %s", [acme.id])
    assert audience(admin, acme.id, by_email)["Ann"] == (
        "Add the company's postal address before sending marketing email."
    )
