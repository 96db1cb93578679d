"""Booking on the public page (app.book_online_as_new_customer) and the office's answer to a
request (app.confirm_online_booking, app.decline_online_booking): what is made, what the
homeowner is told, what is refused, and that the answer never depends on who is known."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from app.db import Connection
from jobs import notices
from tests.booking.support import (
    MONDAY,
    at,
    book_public,
    company,
    on,
    public_windows,
    token_holder,
)
from tests.conftest import TestDatabase as Database
from tests.conftest import make_settings
from tests.factories import Factory
from tests.policies.identity import acting_as, claims_of

MADE = """
select c.first_name, c.phone, c.email, c.lead_source, c.tags, p.street, p.city,
       j.kind, j.summary, j.description, v.status as visit, v.window_starts_at,
       v.duration_minutes, b.source, b.status as booking,
       (select count(*) from public.visit_assignments a
         where a.tenant_id = v.tenant_id and a.visit_id = v.id) as technicians
  from public.online_bookings b
  join public.customers c on c.tenant_id = b.tenant_id and c.id = b.customer_id
  join public.jobs j on j.tenant_id = b.tenant_id and j.id = b.job_id
  join public.properties p on p.tenant_id = j.tenant_id and p.id = j.property_id
  join public.visits v on v.tenant_id = b.tenant_id and v.id = b.visit_id
 where b.tenant_id = %s
 order by b.created_at, b.id
"""


def made(admin: Connection, tenant_id: UUID) -> list[dict[str, Any]]:
    return [dict(r) for r in admin.execute(MADE, [tenant_id]).fetchall()]


def counts(admin: Connection, tenant_id: UUID) -> dict[str, Any] | None:
    return admin.execute(
        "select (select count(*) from public.customers where tenant_id = %(t)s) as customers,"
        " (select count(*) from public.properties where tenant_id = %(t)s) as properties,"
        " (select count(*) from public.jobs where tenant_id = %(t)s) as jobs",
        {"t": tenant_id},
    ).fetchone()


def test_a_booking_makes_a_lead_its_place_a_job_and_a_visit_on_a_technician(
    database: Database, admin: Connection, make: Factory
) -> None:
    firm = company(make)
    with token_holder(database, commit=True) as conn:
        answer = book_public(conn, firm.slug, at(MONDAY, 10), description="No heat\nIt clicks")
    assert answer == {
        "status": "booked",
        "window_starts_at": at(MONDAY, 10),
        "window_ends_at": at(MONDAY, 12),
    }
    assert made(admin, firm.tenant.id) == [
        {
            "first_name": "Pat",
            "phone": "+13125550100",
            "email": "pat@example.com",
            "lead_source": "online booking",
            "tags": ["online booking", "lead"],
            "street": "1 Oak St",
            "city": "Springfield",
            "kind": "repair",
            "summary": "No heat",
            "description": "No heat\nIt clicks",
            "visit": "scheduled",
            "window_starts_at": at(MONDAY, 10),
            "duration_minutes": 90,
            "source": "public",
            "booking": "booked",
            "technicians": 1,
        }
    ]


def test_a_request_waits_for_the_office_which_confirms_or_declines_it(
    database: Database, admin: Connection, make: Factory
) -> None:
    firm = company(make, needs_confirmation=True)
    dispatcher = make.member(firm.tenant.id, "dispatcher")
    for starts in (at(MONDAY, 8), at(MONDAY, 10)):
        with token_holder(database, commit=True) as conn:
            assert book_public(conn, firm.slug, starts)["status"] == "awaiting"
    waiting = made(admin, firm.tenant.id)
    assert [(r["visit"], r["booking"], r["technicians"]) for r in waiting] == [
        ("unscheduled", "awaiting", 0),
        ("unscheduled", "awaiting", 0),
    ]
    told = admin.execute(
        "select kind, channel, to_address, body from public.messages where tenant_id = %s",
        [firm.tenant.id],
    ).fetchall()
    assert [(m["kind"], m["channel"], m["to_address"]) for m in told] == [
        ("booking_request", "sms", "+13125550100")
    ] * 2
    assert all("We will confirm it shortly" in m["body"] for m in told)
    requests = admin.execute(
        "select id from public.online_bookings where tenant_id = %s order by requested_starts_at",
        [firm.tenant.id],
    ).fetchall()
    with acting_as(database, claims_of(dispatcher)) as conn:
        technician = conn.execute(
            "select app.confirm_online_booking(%s) as t", [requests[0]["id"]]
        ).fetchone()
        conn.execute(
            "select app.decline_online_booking(%s, 'No one near you')", [requests[1]["id"]]
        )
        visits = conn.execute(
            "select b.status as booking, v.status, v.window_starts_at, v.cancel_reason"
            " from public.online_bookings b join public.visits v"
            " on v.tenant_id = b.tenant_id and v.id = b.visit_id where b.tenant_id = %s"
            " order by b.requested_starts_at",
            [firm.tenant.id],
        ).fetchall()
    assert technician == {"t": firm.technicians[0].account_id}
    assert [dict(v) for v in visits] == [
        {
            "booking": "confirmed",
            "status": "scheduled",
            "window_starts_at": at(MONDAY, 8),
            "cancel_reason": "",
        },
        {
            "booking": "declined",
            "status": "canceled",
            "window_starts_at": None,
            "cancel_reason": "No one near you",
        },
    ]


def test_only_office_staff_answer_requests(database: Database, make: Factory) -> None:
    firm = company(make, needs_confirmation=True)
    with token_holder(database, commit=True) as conn:
        book_public(conn, firm.slug, at(MONDAY, 8))
    booking = make.conn.execute(
        "select id from public.online_bookings where tenant_id = %s", [firm.tenant.id]
    ).fetchone()
    assert booking is not None
    other = make.tenant()
    for claims in (claims_of(firm.technicians[0]), claims_of(other.owner)):
        with acting_as(database, claims) as conn, pytest.raises(psycopg.errors.NoDataFound):
            conn.execute("select app.confirm_online_booking(%s)", [booking["id"]])


def test_a_window_that_is_not_offered_is_refused(database: Database, make: Factory) -> None:
    firm = company(make)
    with token_holder(database) as conn:
        for starts in (at(MONDAY, 9), at(MONDAY, 14), at(MONDAY, 8).replace(year=2020)):
            with pytest.raises(psycopg.errors.CheckViolation) as refused, conn.transaction():
                book_public(conn, firm.slug, starts)
            assert refused.value.diag.constraint_name == "online_bookings_window_open"


@pytest.mark.parametrize(
    ("details", "constraint"),
    [
        ({"phone": "555-0100"}, "customers_phone_e164"),
        ({"first_name": "", "last_name": ""}, "customers_has_a_name"),
        ({"street": ""}, "properties_street_length"),
        ({"description": "  "}, "online_bookings_description_length"),
        ({"phone": "", "email": ""}, "online_bookings_contact_given"),
    ],
)
def test_bad_input_is_refused_and_saves_nothing(
    database: Database,
    admin: Connection,
    make: Factory,
    details: dict[str, str],
    constraint: str,
) -> None:
    firm = company(make)
    with (
        token_holder(database, commit=True) as conn,
        pytest.raises(psycopg.errors.CheckViolation) as refused,
        conn.transaction(),
    ):
        book_public(conn, firm.slug, at(MONDAY, 8), **details)
    assert refused.value.diag.constraint_name == constraint
    assert counts(admin, firm.tenant.id) == {"customers": 0, "properties": 0, "jobs": 0}


def test_the_answer_is_the_same_for_a_known_or_unknown_homeowner(
    database: Database, admin: Connection, make: Factory
) -> None:
    firm = company(make, technicians=2)
    known = make.customer(firm.tenant.id)
    make.conn.execute(
        "update public.customers set phone = '+13125550100', email = 'pat@example.com'"
        " where id = %s",
        [known],
    )
    make.property(firm.tenant.id, known, street="1 Oak St")
    before = admin.execute("select * from public.customers where id = %s", [known]).fetchone()
    answers = []
    for phone, email in (("+13125550100", "pat@example.com"), ("+13125550199", "new@example.com")):
        with token_holder(database, commit=True) as conn:
            answers.append(book_public(conn, firm.slug, at(MONDAY, 8), phone=phone, email=email))
    assert answers[0] == answers[1]
    assert counts(admin, firm.tenant.id) == {"customers": 3, "properties": 3, "jobs": 2}
    after = admin.execute("select * from public.customers where id = %s", [known]).fetchone()
    assert after == before  # the known customer is neither read into the answer nor touched


def test_one_address_may_book_five_times_an_hour(database: Database, make: Factory) -> None:
    firm = company(make, technicians=6)
    with token_holder(database, client_addr="192.0.2.99") as conn:
        for _ in range(5):
            book_public(conn, firm.slug, at(MONDAY, 8))
        with pytest.raises(psycopg.Error) as refused, conn.transaction():
            book_public(conn, firm.slug, at(MONDAY, 8))
    assert refused.value.sqlstate == "PT429"
    with token_holder(database, client_addr="192.0.2.100") as conn:
        assert book_public(conn, firm.slug, at(MONDAY, 8))["status"] == "booked"


def test_a_booked_visit_gets_the_usual_booking_confirmation(
    database: Database, admin: Connection, make: Factory, pool: ConnectionPool
) -> None:
    """Booked at once: the visit notices job confirms it like any visit the office books."""
    firm = company(make)
    with token_holder(database, commit=True) as conn:
        book_public(conn, firm.slug, at(MONDAY, 8))
    notices.sweep(pool, make_settings(database))
    told = admin.execute(
        "select kind, channel, to_address from public.messages where tenant_id = %s",
        [firm.tenant.id],
    ).fetchall()
    assert [dict(m) for m in told] == [
        {"kind": "booking_confirmation", "channel": "sms", "to_address": "+13125550100"}
    ]


def test_requests_waiting_for_the_office_hold_their_window(
    database: Database, make: Factory
) -> None:
    """One technician: a request for 8:00 takes 8:00 off the page until the office answers,
    and a second request for it is refused; declined, the window is offered again."""
    firm = company(make, needs_confirmation=True)
    dispatcher = make.member(firm.tenant.id, "dispatcher")
    with token_holder(database, commit=True) as conn:
        book_public(conn, firm.slug, at(MONDAY, 8))
    with token_holder(database, client_addr="198.51.100.9") as conn:
        assert on(public_windows(conn, firm.slug), MONDAY) == [10]
        with pytest.raises(psycopg.errors.CheckViolation) as refused, conn.transaction():
            book_public(conn, firm.slug, at(MONDAY, 8))
    assert refused.value.diag.constraint_name == "online_bookings_window_open"
    request = make.conn.execute(
        "select id from public.online_bookings where tenant_id = %s", [firm.tenant.id]
    ).fetchone()
    assert request is not None
    with acting_as(database, claims_of(dispatcher)) as conn:
        conn.execute("select app.decline_online_booking(%s, 'Booked by phone')", [request["id"]])
        conn.execute("commit")
    with token_holder(database) as conn:
        assert on(public_windows(conn, firm.slug), MONDAY) == [8, 10]
