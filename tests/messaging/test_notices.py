"""Visit notices (jobs/notices.py): each queued once per occasion in the company's wording, at
the right local time, only when the company sends that kind, and review requests no more than
once per customer every N months and never without consent (the database refuses those)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from psycopg_pool import ConnectionPool

from app import access_log
from app.db import Connection
from app.integrations.sms import TwilioAccount
from jobs import REGISTRY, messages, notices
from tests.clock import set_clock
from tests.conftest import TestDatabase, make_settings
from tests.factories import Factory
from tests.messaging.support import connect

PHONE = "+15085550177"
VISIT_LINK = re.compile(r"/visit/[A-Za-z0-9_-]{40,}")
CHICAGO = ZoneInfo("America/Chicago")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


@dataclass(frozen=True)
class Home:
    company: UUID
    customer: UUID
    place: UUID
    job: UUID
    technician: UUID


def local(zone: ZoneInfo, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=zone)


@pytest.fixture
def home(make: Factory, admin: Connection) -> Home:
    """A company in Chicago with a customer who prefers texts, their house in Chicago, a job
    and a technician called Sam Rivera."""
    tenant = make.tenant("Acme Heating")
    admin.execute(
        "update public.tenants set time_zone = 'America/Chicago', phone = '+13125550100'"
        " where id = %s",
        [tenant.id],
    )
    customer = make.customer(tenant.id, "Pat", phone=PHONE, email="pat@example.com")
    place = make.property(tenant.id, customer)
    admin.execute(
        "update public.properties set time_zone = 'America/Chicago' where id = %s", [place]
    )
    job = make.job(tenant.id, place, kind="maintenance", summary="Furnace tune-up")
    account = make.account(full_name="Sam Rivera")
    technician = make.member(tenant.id, "technician", account_id=account).account_id
    set_clock(admin, local(CHICAGO, 7, 10))  # Monday 10am in Chicago
    return Home(tenant.id, customer, place, job, technician)


def sweep(pool: ConnectionPool, database: TestDatabase) -> int:
    return notices.sweep(pool, make_settings(database))


def sent(admin: Connection, kind: str) -> list[dict]:
    return admin.execute(
        "select channel, to_address, subject, body, occasion, subject_id, urgent, purpose,"
        " status, blocked_reason, not_before from public.messages where kind = %s"
        " order by created_at, occasion",
        [kind],
    ).fetchall()


def visit(make: Factory, home: Home, starts: datetime, hours: float = 2) -> UUID:
    return make.visit(home.company, home.job, starts, hours=hours)


def assign(admin: Connection, make: Factory, home: Home, visit_id: UUID) -> None:
    """Sam on the visit (within his working hours: weekdays 8am-5pm in Chicago)."""
    make.assign(home.company, visit_id, home.technician)


def test_a_booked_visit_is_confirmed_once_however_often_the_worker_sweeps(
    admin, make, home, pool, database
):
    booked = visit(make, home, local(CHICAGO, 8, 9))

    assert sweep(pool, database) == 1
    assert sweep(pool, database) == 0

    (confirmation,) = sent(admin, "booking_confirmation")
    assert confirmation["channel"] == "sms" and confirmation["to_address"] == PHONE
    assert confirmation["subject_id"] == booked
    assert VISIT_LINK.sub("/visit/TOKEN", confirmation["body"]) == (
        "Hi Pat, Acme Heating has you booked for Furnace tune-up on Tue, Dec 8, 9:00-11:00 AM:"
        " http://plenum.test/visit/TOKEN Questions? Call (312) 555-0100."
    )
    assert confirmation["status"] == "queued" and confirmation["purpose"] == "transactional"
    assert "notices" in REGISTRY


def test_a_moved_visit_is_confirmed_again_once_for_its_new_window(
    admin, make, home, pool, database
):
    booked = visit(make, home, local(CHICAGO, 8, 9))
    sweep(pool, database)
    admin.execute(
        "update public.visits set window_starts_at = %(s)s, window_ends_at = %(e)s"
        " where id = %(id)s",
        {"s": local(CHICAGO, 9, 13), "e": local(CHICAGO, 9, 15), "id": booked},
    )
    sweep(pool, database)
    sweep(pool, database)

    bodies = [m["body"] for m in sent(admin, "booking_confirmation")]
    assert len(bodies) == 2
    assert "Wed, Dec 9, 1:00-3:00 PM" in bodies[1]


def test_an_unscheduled_or_past_visit_is_not_confirmed(admin, make, home, pool, database):
    make.visit(home.company, home.job)  # no window
    visit(make, home, local(CHICAGO, 7, 8))  # started two hours ago
    assert sweep(pool, database) == 0
    assert sent(admin, "booking_confirmation") == []


def test_a_kind_the_company_turned_off_is_not_sent(admin, make, home, pool, database):
    admin.execute(
        "insert into public.message_templates (tenant_id, kind, enabled, sms_body, email_subject,"
        " email_body) values (%s, 'booking_confirmation', false, 'x', 'x', 'x')",
        [home.company],
    )
    visit(make, home, local(CHICAGO, 8, 9))
    sweep(pool, database)
    assert sent(admin, "booking_confirmation") == []


def test_the_company_wording_and_the_customers_channel_are_used(admin, make, home, pool, database):
    admin.execute(
        "update public.customers set preferred_contact = 'email' where id = %s", [home.customer]
    )
    admin.execute(
        "insert into public.message_templates (tenant_id, kind, sms_body, email_subject,"
        " email_body) values (%s, 'booking_confirmation', 'sms', 'Booked: {window}',"
        " 'Dear {first_name}, see you {window}.')",
        [home.company],
    )
    visit(make, home, local(CHICAGO, 8, 9))
    sweep(pool, database)
    (mail,) = sent(admin, "booking_confirmation")
    assert mail["channel"] == "email" and mail["to_address"] == "pat@example.com"
    assert mail["subject"] == "Booked: Tue, Dec 8, 9:00-11:00 AM"
    assert mail["body"] == "Dear Pat, see you Tue, Dec 8, 9:00-11:00 AM."


# (the property's zone, the reminder time)
ZONES = [(CHICAGO, "17:00"), (LOS_ANGELES, "17:00"), (LOS_ANGELES, "09:30")]


@pytest.mark.parametrize(("zone", "reminder_time"), ZONES)
def test_the_reminder_goes_the_day_before_at_the_companys_local_time(
    admin, make, home, pool, database, zone, reminder_time
):
    admin.execute(
        "update public.properties set time_zone = %s where id = %s", [zone.key, home.place]
    )
    admin.execute(
        "insert into public.messaging_accounts (tenant_id, reminder_time) values (%s, %s)",
        [home.company, reminder_time],
    )
    hour, minute = map(int, reminder_time.split(":"))
    set_clock(admin, local(zone, 6, 12))  # booked on Sunday
    visit(make, home, local(zone, 8, 10))  # for Tuesday 10am
    sweep(pool, database)

    set_clock(admin, local(zone, 7, hour, minute) - timedelta(minutes=1))
    sweep(pool, database)
    assert sent(admin, "visit_reminder") == []

    set_clock(admin, local(zone, 7, hour, minute))
    sweep(pool, database)
    sweep(pool, database)
    (reminder,) = sent(admin, "visit_reminder")
    assert reminder["occasion"] == "2026-12-08"
    assert reminder["not_before"] == local(zone, 7, hour, minute)
    assert "tomorrow, Tue, Dec 8, 10:00 AM-12:00 PM" in reminder["body"]


def test_a_visit_booked_after_the_reminder_time_gets_only_its_confirmation(
    admin, make, home, pool, database
):
    set_clock(admin, local(CHICAGO, 7, 18))
    visit(make, home, local(CHICAGO, 8, 9))
    sweep(pool, database)
    assert len(sent(admin, "booking_confirmation")) == 1
    assert sent(admin, "visit_reminder") == []


def test_a_rescheduled_visit_is_reminded_for_its_new_day(admin, make, home, pool, database):
    set_clock(admin, local(CHICAGO, 5, 12))
    booked = visit(make, home, local(CHICAGO, 8, 9))
    sweep(pool, database)
    set_clock(admin, local(CHICAGO, 7, 17))
    sweep(pool, database)
    admin.execute(
        "update public.visits set window_starts_at = %(s)s, window_ends_at = %(e)s"
        " where id = %(id)s",
        {"s": local(CHICAGO, 9, 9), "e": local(CHICAGO, 9, 11), "id": booked},
    )
    sweep(pool, database)  # its new window confirmed
    set_clock(admin, local(CHICAGO, 8, 17))
    sweep(pool, database)
    assert [m["occasion"] for m in sent(admin, "visit_reminder")] == ["2026-12-08", "2026-12-09"]


def go_en_route(admin: Connection, make: Factory, home: Home, visit_id: UUID) -> None:
    assign(admin, make, home, visit_id)
    admin.execute("update public.visits set status = 'en_route' where id = %s", [visit_id])


def test_on_my_way_names_the_technician_and_goes_at_once(admin, make, home, pool, database):
    set_clock(admin, local(CHICAGO, 8, 7))  # before 8am: quiet hours do not hold it
    booked = visit(make, home, local(CHICAGO, 8, 8))
    go_en_route(admin, make, home, booked)
    sweep(pool, database)
    sweep(pool, database)

    (text,) = sent(admin, "on_my_way")
    assert text["body"] == "Hi Pat, Sam from Acme Heating is on the way."
    assert text["urgent"] is True
    assert text["not_before"] == local(CHICAGO, 8, 7)


def test_the_eta_reads_well_when_known_and_is_left_out_otherwise():
    assert notices.arriving(None) == ""
    assert notices.arriving(1) == ", arriving in about 1 minute"
    assert notices.arriving(25) == ", arriving in about 25 minutes"
    assert notices.arriving(150) == ", arriving in about 2.5 hours"
    settings = None  # no place known: no travel time asked for
    assert notices.eta_text(settings, None, notices.Position(41.9, -87.6)) == ""  # type: ignore[arg-type]


def test_on_my_way_tells_the_travel_time_from_the_stop_before(admin, make, home, pool, database):
    """From the technician's stop before (both houses placed), the straight-line estimate:
    about 5 km apart, times 1.3 at 30 mph, rounded up."""
    set_clock(admin, local(CHICAGO, 8, 11))
    other = make.property(home.company, make.customer(home.company, "Lee"), street="9 Oak St")
    before = make.visit(home.company, make.job(home.company, other), local(CHICAGO, 8, 9))
    assign(admin, make, home, before)
    for place, lat in ((other, 41.85), (home.place, 41.895)):
        admin.execute(
            "update public.properties set latitude = %s, longitude = -87.65,"
            " geocode_status = 'done' where id = %s",
            [lat, place],
        )
    admin.execute("update public.visits set status = 'en_route' where id = %s", [before])
    admin.execute("update public.visits set status = 'on_site' where id = %s", [before])
    booked = visit(make, home, local(CHICAGO, 8, 13))
    go_en_route(admin, make, home, booked)
    sweep(pool, database)
    (text,) = sent(admin, "on_my_way")
    assert text["body"] == (
        "Hi Pat, Sam from Acme Heating is on the way, arriving in about 9 minutes."
    )


def complete(admin: Connection, make: Factory, home: Home, visit_id: UUID, at: datetime) -> None:
    go_en_route(admin, make, home, visit_id)
    for status in ("on_site", "completed"):
        admin.execute("update public.visits set status = %s where id = %s", [status, visit_id])
    admin.execute("update public.visits set completed_at = %s where id = %s", [at, visit_id])


def consent(admin: Connection, customer: UUID) -> None:
    admin.execute(
        "update public.customers set marketing_consent = true, marketing_consent_at = now(),"
        " marketing_consent_source = 'asked on the phone' where id = %s",
        [customer],
    )


def with_reviews(admin: Connection, company: UUID, every_months: int = 12) -> None:
    admin.execute(
        "insert into public.messaging_accounts (tenant_id, review_url, review_every_months,"
        " review_delay_hours) values (%s, 'https://g.page/r/acme/review', %s, 2)",
        [company, every_months],
    )


def test_a_review_is_asked_once_per_customer_every_n_months(admin, make, home, pool, database):
    with_reviews(admin, home.company, every_months=6)
    consent(admin, home.customer)
    first = visit(make, home, local(CHICAGO, 7, 8))
    complete(admin, make, home, first, local(CHICAGO, 7, 9))

    set_clock(admin, local(CHICAGO, 7, 10, 59))
    sweep(pool, database)
    assert sent(admin, "review_request") == []  # two hours after, not before

    set_clock(admin, local(CHICAGO, 7, 11))
    sweep(pool, database)
    sweep(pool, database)
    (asked,) = sent(admin, "review_request")
    assert asked["purpose"] == "marketing" and asked["status"] == "queued"
    assert "https://g.page/r/acme/review" in asked["body"]

    # Another visit three months later: not asked again; seven months later: asked.
    for weeks, expected in ((13, 1), (30, 2)):  # Mondays in March and July
        later = local(CHICAGO, 7, 10) + timedelta(weeks=weeks)
        again = visit(make, home, later - timedelta(hours=1))
        complete(admin, make, home, again, later)
        set_clock(admin, later + timedelta(hours=3))
        sweep(pool, database)
        assert len(sent(admin, "review_request")) == expected


def test_a_review_request_without_consent_is_refused_by_the_database(
    admin, make, home, pool, database
):
    with_reviews(admin, home.company)
    done = visit(make, home, local(CHICAGO, 7, 8))
    complete(admin, make, home, done, local(CHICAGO, 7, 9))
    set_clock(admin, local(CHICAGO, 7, 12))
    sweep(pool, database)
    sweep(pool, database)
    (refused,) = sent(admin, "review_request")
    assert refused["status"] == "blocked"
    assert refused["blocked_reason"] == "The customer has not consented to marketing."


def test_no_review_is_asked_without_a_review_page(admin, make, home, pool, database):
    consent(admin, home.customer)
    done = visit(make, home, local(CHICAGO, 7, 8))
    complete(admin, make, home, done, local(CHICAGO, 7, 9))
    set_clock(admin, local(CHICAGO, 7, 12))
    sweep(pool, database)
    assert sent(admin, "review_request") == []


def test_a_company_phone_that_does_not_parse_is_written_as_stored(
    admin, make, home, pool, database
):
    admin.execute("update public.tenants set phone = 'ext. 12' where id = %s", [home.company])
    visit(make, home, local(CHICAGO, 8, 9))
    assert sweep(pool, database) == 1
    assert sent(admin, "booking_confirmation")[0]["body"].endswith("Call ext. 12.")


# --- the link to the visit (the page: app/messaging/visit_links.py) -------------------------
# The confirmation and the reminder carry it: it opens the homeowner's visit page without a
# sign-in (the token handed to the session, then a token-free page), only in the browser that
# opened it, and closes when the visit is canceled; once the text has left, the stored copy no
# longer holds a usable link.

LINK = re.compile(r"http://plenum\.test(/visit/[A-Za-z0-9_-]{40,})")


def test_the_confirmation_links_to_the_visit_page_which_needs_no_sign_in(
    admin, make, home, pool, database, client
):
    booked = visit(make, home, local(CHICAGO, 8, 9))
    assign(admin, make, home, booked)
    sweep(pool, database)
    (confirmation,) = sent(admin, "booking_confirmation")
    found = LINK.search(confirmation["body"])
    assert found is not None

    opened = client.get(found.group(1))
    assert opened.status_code == 303
    assert opened.headers["Location"].endswith(f"/visit/view/{booked}")
    assert opened.headers["Referrer-Policy"] == "no-referrer"
    page = client.get(f"/visit/view/{booked}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for shown in (
        "Acme Heating",
        "Tue, Dec 8",
        "9:00",
        "11:00 AM",
        "Booked",
        "Sam",
        "(312) 555-0100",
    ):
        assert shown in text, shown

    other = client.application.test_client()  # another browser: no token in its session
    assert other.get(f"/visit/view/{booked}").status_code == 404
    token = found.group(1).rsplit("/", 1)[1]
    assert token not in access_log.redact(f'"GET {found.group(1)} HTTP/1.1" 303')


def test_a_canceled_visit_closes_its_link(admin, make, home, pool, database, client):
    booked = visit(make, home, local(CHICAGO, 8, 9))
    sweep(pool, database)
    (confirmation,) = sent(admin, "booking_confirmation")
    found = LINK.search(confirmation["body"])
    assert found is not None
    assert client.get(found.group(1)).status_code == 303
    admin.execute(
        "update public.visits set status = 'canceled', cancel_reason = 'Customer called'"
        " where id = %s",
        [booked],
    )
    assert client.get(f"/visit/view/{booked}").status_code == 410
    assert client.get(found.group(1)).status_code == 410
    assert client.get("/visit/not-a-real-token-at-all-0123456789").status_code == 410


def test_the_text_carries_the_link_and_the_stored_copy_keeps_none(
    admin, make, home, pool, database, twilio_server, twilio_account: TwilioAccount
):
    settings = make_settings(database, twilio_api_base=twilio_server.url)
    connect(admin, settings, home.company, twilio_account, rate=100)
    visit(make, home, local(CHICAGO, 8, 9))
    sweep(pool, database)
    messages.sweep(pool, settings)

    (got,) = [t for t in twilio_server.received(to=PHONE) if "booked" in t.body]
    assert LINK.search(got.body) is not None
    (stored,) = sent(admin, "booking_confirmation")
    assert stored["status"] == "sent"
    assert LINK.search(stored["body"]) is None
    assert "http://plenum.test/visit/[link]" in stored["body"]


def test_each_visit_of_a_batch_gets_a_link_of_its_own(admin, make, home, pool, database):
    visits = [visit(make, home, local(CHICAGO, 8 + n, 9)) for n in range(3)]
    assert sweep(pool, database) == 3
    links = {LINK.search(m["body"]).group(1) for m in sent(admin, "booking_confirmation")}  # type: ignore[union-attr]
    assert len(links) == 3
    made = admin.execute(
        "select count(distinct token_hash) as n from public.visit_links where visit_id = any(%s)",
        [visits],
    ).fetchone()
    assert made == {"n": 3}
