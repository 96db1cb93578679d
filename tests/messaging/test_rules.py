"""P-15 at the database: what may be sent, and when, is decided by app.messages_guard and
app.claim_messages for every code path, with the database clock (app.clock) set by the test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import UUID

import pytest

from app.db import Connection
from app.messaging.outgoing import Draft, queue
from tests.clock import set_clock
from tests.factories import Factory

PHONE = "+15085550101"


WORKER = 4242  # the key of the worker these tests claim as (an advisory lock it holds)


@pytest.fixture(autouse=True)
def live_worker(admin: Connection) -> Iterator[None]:
    admin.execute("select pg_advisory_lock(7341, %s)", [WORKER])
    yield
    admin.execute("select pg_advisory_unlock_all()")


def claim(admin: Connection) -> list[UUID]:
    rows = admin.execute(
        "select id from app.claim_messages(1000, interval '2 minutes', %s)", [WORKER]
    ).fetchall()
    return [row["id"] for row in rows]


def message(admin: Connection, message_id: UUID) -> dict:
    row = admin.execute(
        "select status, blocked_reason, not_before, time_zone from public.messages"
        " where id = %(id)s",
        {"id": message_id},
    ).fetchone()
    assert row is not None
    return row


@pytest.fixture
def company(make: Factory, admin: Connection) -> UUID:
    tenant = make.tenant()
    admin.execute(
        "update public.tenants set time_zone = 'America/Chicago', address = '1 Main St,"
        " Chicago IL 60601' where id = %(id)s",
        {"id": tenant.id},
    )
    return tenant.id


@pytest.fixture
def customer(make: Factory, company: UUID) -> UUID:
    return make.customer(company, phone=PHONE, email="pat@example.com")


def draft(company: UUID, customer: UUID, **values: object) -> Draft:
    fields: dict = {
        "tenant_id": company,
        "channel": "sms",
        "kind": "visit_reminder",
        "to": PHONE,
        "body": "See you tomorrow",
        "customer_id": customer,
    }
    return Draft(**(fields | values))


def queued(admin: Connection, d: Draft) -> UUID:
    made = queue(admin, d)
    assert made is not None
    return made.id


@pytest.mark.promise("P-15")
def test_a_stop_blocks_every_later_text_even_one_queued_before_it(admin, company, customer):
    set_clock(admin, datetime(2026, 12, 7, 16, 0, tzinfo=UTC))  # 10am in Chicago
    before = queued(admin, draft(company, customer, occasion="a"))
    admin.execute(
        "insert into public.sms_opt_outs (tenant_id, phone, keyword) values (%s, %s, 'STOP')",
        [company, PHONE],
    )
    after = queued(admin, draft(company, customer, occasion="b"))
    answer = queued(admin, draft(company, customer, kind="opt_out", purpose="compliance"))
    email = queued(admin, draft(company, customer, channel="email", to="pat@example.com"))

    assert set(claim(admin)) == {answer, email}
    for refused in (before, after):
        assert message(admin, refused)["status"] == "blocked"
        assert message(admin, refused)["blocked_reason"] == "The number texted STOP."

    admin.execute("delete from public.sms_opt_outs where tenant_id = %s", [company])
    set_clock(admin, datetime(2026, 12, 7, 16, 0, 1, tzinfo=UTC))  # the sender's next second
    again = queued(admin, draft(company, customer, occasion="c"))
    assert claim(admin) == [again]


@pytest.mark.promise("P-15")
def test_the_same_occasion_is_queued_once(admin, company, customer):
    set_clock(admin, datetime(2026, 12, 7, 16, 0, tzinfo=UTC))
    first = queue(admin, draft(company, customer, occasion="2026-12-08", subject_id=customer))
    assert first is not None
    assert (
        queue(admin, draft(company, customer, occasion="2026-12-08", subject_id=customer)) is None
    )
    assert queue(admin, draft(company, customer, occasion="2026-12-09", subject_id=customer))
    count = admin.execute("select count(*) as n from public.messages").fetchone()
    assert count is not None and count["n"] == 2


# (local clock time, zone, may it go now?, when it goes, as local time)
QUIET = [
    ("2026-12-07 19:59", "America/Chicago", True, "2026-12-07 19:59"),
    ("2026-12-07 21:00", "America/Chicago", False, "2026-12-08 08:00"),
    ("2026-12-07 07:59", "America/Chicago", False, "2026-12-07 08:00"),
    ("2026-12-07 08:00", "America/Chicago", True, "2026-12-07 08:00"),
    ("2026-12-07 20:59", "America/Los_Angeles", True, "2026-12-07 20:59"),
    ("2026-12-07 21:00", "America/Los_Angeles", False, "2026-12-08 08:00"),
    ("2026-12-07 07:59", "America/Los_Angeles", False, "2026-12-07 08:00"),
    # The night clocks go forward (Sunday 8 March 2026, 2am → 3am) and back (1 November).
    ("2026-03-07 22:30", "America/Los_Angeles", False, "2026-03-08 08:00"),
    ("2026-10-31 23:00", "America/Chicago", False, "2026-11-01 08:00"),
]


@pytest.mark.promise("P-15")
@pytest.mark.parametrize(("local", "zone", "now", "goes"), QUIET)
def test_quiet_hours_defer_to_8am_in_the_recipients_time_zone(
    admin, make, company, customer, local, zone, now, goes
):
    place = make.property(company, customer)
    admin.execute("update public.properties set time_zone = %s where id = %s", [zone, place])
    at = admin.execute(
        "select (%(local)s::timestamp at time zone %(zone)s) as at", {"local": local, "zone": zone}
    ).fetchone()
    assert at is not None
    set_clock(admin, at["at"])
    made = queued(admin, draft(company, customer, property_id=place))

    assert (claim(admin) == [made]) is now
    row = admin.execute(
        "select time_zone, to_char(not_before at time zone time_zone, 'YYYY-MM-DD HH24:MI')"
        " as local from public.messages where id = %(id)s",
        {"id": made},
    ).fetchone()
    assert row is not None
    assert (row["time_zone"], row["local"]) == (zone, goes)
    if not now:  # it waits, it is not dropped: at the permitted moment it goes
        admin.execute(
            "update app.clock set at = (select not_before from public.messages where id = %s)",
            [made],
        )
        assert claim(admin) == [made]


@pytest.mark.promise("P-15")
def test_a_message_due_before_9pm_but_claimed_after_it_waits_for_the_morning(
    admin, company, customer
):
    set_clock(admin, datetime(2026, 12, 8, 2, 30, tzinfo=UTC))  # 8:30pm in Chicago
    made = queued(admin, draft(company, customer))
    set_clock(admin, datetime(2026, 12, 8, 3, 5, tzinfo=UTC))  # 9:05pm: the backlog was late
    assert claim(admin) == []
    set_clock(admin, datetime(2026, 12, 8, 13, 59, tzinfo=UTC))  # 7:59am
    assert claim(admin) == []
    set_clock(admin, datetime(2026, 12, 8, 14, 0, tzinfo=UTC))  # 8:00am: it goes
    assert claim(admin) == [made]


@pytest.mark.promise("P-15")
def test_urgent_messages_are_sent_at_night(admin, company, customer):
    set_clock(admin, datetime(2026, 12, 8, 10, 0, tzinfo=UTC))  # 4am in Chicago
    made = queued(admin, draft(company, customer, kind="on_my_way", urgent=True))
    assert claim(admin) == [made]


def test_the_company_time_zone_is_used_when_the_property_has_none(admin, company, customer):
    set_clock(admin, datetime(2026, 12, 7, 16, 0, tzinfo=UTC))
    made = queued(admin, draft(company, customer))
    assert message(admin, made)["time_zone"] == "America/Chicago"


MARKETING_REFUSALS = [
    (
        "consent",
        "update public.customers set marketing_consent = false",
        "The customer has not consented to marketing.",
    ),
    (
        "do not contact",
        "update public.customers set do_not_contact = true",
        "The customer asked not to be contacted.",
    ),
    (
        "restricted",
        "update public.customers set restrict_processing = true",
        "Processing of this customer is restricted.",
    ),
]


@pytest.mark.promise("P-15")
@pytest.mark.parametrize(("why", "change", "reason"), MARKETING_REFUSALS)
def test_marketing_goes_only_with_consent_and_never_to_do_not_contact_or_restricted(
    admin, company, customer, why, change, reason
):
    set_clock(admin, datetime(2026, 12, 7, 16, 0, tzinfo=UTC))
    admin.execute(
        "update public.customers set marketing_consent = true, marketing_consent_at = now(),"
        " marketing_consent_source = 'web form'"
    )
    allowed = queued(admin, draft(company, customer, purpose="marketing", kind="campaign"))
    admin.execute(change)
    refused = queued(admin, draft(company, customer, purpose="marketing", kind="review_request"))

    assert claim(admin) == []  # the first was queued with consent, and is refused at the claim
    assert message(admin, allowed)["blocked_reason"] == reason
    assert message(admin, refused)["blocked_reason"] == reason


@pytest.mark.promise("P-15")
def test_marketing_email_needs_the_companys_postal_address(admin, company, customer):
    set_clock(admin, datetime(2026, 12, 7, 16, 0, tzinfo=UTC))
    admin.execute(
        "update public.customers set marketing_consent = true, marketing_consent_at = now()"
    )
    admin.execute("update public.tenants set address = '' where id = %s", [company])
    made = queued(
        admin,
        draft(company, customer, purpose="marketing", channel="email", to="pat@example.com"),
    )
    assert message(admin, made)["blocked_reason"] == (
        "Add the company's postal address before sending marketing email."
    )


def test_transactional_messages_follow_the_customers_choice(admin, company, customer):
    set_clock(admin, datetime(2026, 12, 7, 16, 0, tzinfo=UTC))
    admin.execute("update public.customers set transactional_messages = false")
    made = queued(admin, draft(company, customer))
    reply = queued(admin, draft(company, customer, purpose="conversation", kind="reply"))
    assert claim(admin) == [reply]
    assert message(admin, made)["status"] == "blocked"


def test_each_sender_is_paced_at_its_rate(admin, make, company, customer):
    set_clock(admin, datetime(2026, 12, 7, 16, 0, tzinfo=UTC))
    other = make.tenant().id
    someone = make.customer(other, phone="+15085550199")
    admin.execute("update public.tenants set time_zone = 'America/Chicago' where id = %s", [other])
    for tenant in (company, other):  # with Twilio accounts at the default rate
        admin.execute(
            "insert into public.messaging_accounts (tenant_id, twilio_account_sid)"
            " values (%s, 'AC' || md5(%s::text))",
            [tenant, tenant],
        )
    mine = [queued(admin, draft(company, customer, occasion=str(n))) for n in range(3)]
    theirs = [
        queued(admin, draft(other, someone, to="+15085550199", occasion=str(n))) for n in range(3)
    ]
    # One text a second per number (the default): one of each company's now, one a second on.
    # (Without a Twilio account, texts go to the outbox, which needs no pace.)
    first = claim(admin)
    assert sorted(first) == sorted([mine[0], theirs[0]])
    assert claim(admin) == []
    set_clock(admin, datetime(2026, 12, 7, 16, 0, 1, tzinfo=UTC))
    assert sorted(claim(admin)) == sorted([mine[1], theirs[1]])
    # Email is not held back by the text sender.
    mail = [
        queued(
            admin, draft(company, customer, channel="email", to="p@example.com", occasion=str(n))
        )
        for n in range(3)
    ]
    assert sorted(claim(admin)) == sorted(mail)


def claim_as_worker(admin: Connection) -> list[tuple[UUID, bool, int]]:
    rows = admin.execute(
        "select id, in_doubt, attempts, claimed_from"
        " from app.claim_messages(10, interval '2 minutes', %s)",
        [WORKER],
    ).fetchall()
    return [(r["id"], r["in_doubt"], r["attempts"]) for r in rows]


def test_a_live_workers_messages_wait_for_their_lease_to_run_out(admin, company, customer):
    set_clock(admin, datetime(2026, 12, 7, 16, 0, tzinfo=UTC))
    made = queued(admin, draft(company, customer))
    assert claim_as_worker(admin) == [(made, False, 1)]
    set_clock(admin, datetime(2026, 12, 7, 16, 1, tzinfo=UTC))
    assert claim(admin) == []  # still leased, and its worker is alive
    set_clock(admin, datetime(2026, 12, 7, 16, 3, tzinfo=UTC))
    assert claim_as_worker(admin) == [(made, True, 2)]
    first = admin.execute(
        "select claimed_at from app.message_claims where message_id = %s", [made]
    ).fetchone()
    assert first == {"claimed_at": datetime(2026, 12, 7, 16, 0, tzinfo=UTC)}


def test_a_dead_workers_messages_are_claimed_again_at_once_in_doubt(admin, company, customer):
    set_clock(admin, datetime(2026, 12, 7, 16, 0, tzinfo=UTC))
    made = queued(admin, draft(company, customer))
    assert claim_as_worker(admin) == [(made, False, 1)]
    admin.execute("select pg_advisory_unlock(7341, %s)", [WORKER])  # the worker died
    set_clock(admin, datetime(2026, 12, 7, 16, 0, 1, tzinfo=UTC))  # the sender's next second
    again = admin.execute(
        "select id, in_doubt, claimed_from from app.claim_messages(10, interval '2 minutes', 7)"
    ).fetchall()
    assert [(r["id"], r["in_doubt"]) for r in again] == [(made, True)]
    assert again[0]["claimed_from"] == datetime(2026, 12, 7, 16, 0, tzinfo=UTC)
