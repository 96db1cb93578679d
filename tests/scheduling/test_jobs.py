"""The office takes a call: a job at a property with its equipment, its visit booked in an
offered window or at a time typed in, moved along or canceled; refusals say why and save
nothing. Completed visits land in the equipment's history and on the customer's timeline."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from app.db import Connection
from app.formatting import format_date, format_datetime
from tests.conftest import Client
from tests.factories import Factory, Member, Tenant

NEW_YORK = ZoneInfo("America/New_York")  # a new company's time zone


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def next_monday() -> date:
    """The coming Monday (1 to 7 days ahead), inside the two weeks of offered windows."""
    today = datetime.now(NEW_YORK).date()
    return today + timedelta(days=7 - today.weekday())


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock(hour, minute), tzinfo=NEW_YORK)


def local(moment: datetime) -> str:
    """A time as the pages show it: `Mon, Dec 7, 2026 · 9:05 AM` in the company's zone."""
    return format_datetime(moment, NEW_YORK)


@dataclass(frozen=True)
class Office:
    tenant: Tenant
    dispatcher: Member
    terry: Member
    tina: Member
    customer_id: UUID
    property_id: UUID


def technician(make: Factory, tenant: Tenant, name: str) -> Member:
    return make.member(tenant.id, "technician", make.account(full_name=name))


@pytest.fixture
def office(client: Client, make: Factory) -> Office:
    """A company with two technicians and a customer's house; a dispatcher signed in."""
    tenant = make.tenant()
    dispatcher = make.member(tenant.id, "dispatcher")
    customer = make.customer(tenant.id, "Ruth", "Alvarez")
    client.sign_in(dispatcher.email)
    return Office(
        tenant,
        dispatcher,
        technician(make, tenant, "Terry Tech"),
        technician(make, tenant, "Tina Tech"),
        customer,
        make.property(tenant.id, customer, street="4821 N Damen Ave"),
    )


def jobs_of(admin: Connection, tenant_id: UUID) -> list[dict[str, Any]]:
    return admin.execute(
        "select id, kind, priority, summary, description from public.jobs where tenant_id = %s",
        [tenant_id],
    ).fetchall()


def visit_row(admin: Connection, visit_id: UUID) -> dict[str, Any]:
    row = admin.execute(
        "select v.*, array(select a.technician_id from public.visit_assignments a"
        " where a.visit_id = v.id order by a.technician_id) as technicians"
        " from public.visits v where v.id = %s",
        [visit_id],
    ).fetchone()
    assert row is not None
    return row


def unscheduled_visit(make: Factory, office: Office, summary: str = "No heat") -> UUID:
    job = make.job(office.tenant.id, office.property_id, summary=summary)
    return make.visit(office.tenant.id, job, minutes=90)


def job_of(admin: Connection, visit_id: UUID) -> UUID:
    return visit_row(admin, visit_id)["job_id"]


# --- creating jobs ------------------------------------------------------------------------


def test_a_new_job_names_its_equipment_and_starts_with_one_unscheduled_visit(
    client: Client, make: Factory, admin: Connection, office: Office
):
    furnace = make.equipment(office.tenant.id, office.property_id)
    make.equipment(office.tenant.id, office.property_id, "air_conditioner")
    url = f"/properties/{office.property_id}/jobs/new"

    form = client.get(url)
    response = client.submit(
        url,
        {
            "job_kind": "repair",
            "priority": "high",
            "summary": "No heat upstairs",
            "description": "Pilot goes out after a minute.",
            "equipment_ids": [str(furnace)],
        },
    )

    assert form.status_code == 200
    assert "Carrier Furnace" in text(form) and "Carrier Air conditioner" in text(form)
    [job] = jobs_of(admin, office.tenant.id)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/jobs/{job['id']}"
    assert (job["kind"], job["priority"], job["summary"]) == ("repair", "high", "No heat upstairs")
    named = admin.execute(
        "select equipment_id from public.job_equipment where job_id = %s", [job["id"]]
    )
    assert [row["equipment_id"] for row in named] == [furnace]
    [visit] = admin.execute(
        "select status, duration_minutes from public.visits where job_id = %s", [job["id"]]
    ).fetchall()
    assert (visit["status"], visit["duration_minutes"]) == ("unscheduled", 90)
    page = text(client.get(f"/jobs/{job['id']}"))
    assert "No heat upstairs" in page and "Unscheduled" in page and "Carrier Furnace" in page


def test_a_job_without_kind_or_summary_is_refused_and_nothing_is_saved(
    client: Client, admin: Connection, office: Office
):
    response = client.submit(
        f"/properties/{office.property_id}/jobs/new", {"job_kind": "", "summary": "  "}
    )

    assert response.status_code == 422
    assert "Choose the kind of job." in text(response)
    assert "Say what the job is" in text(response)
    assert jobs_of(admin, office.tenant.id) == []


def test_equipment_of_another_property_is_refused(
    client: Client, make: Factory, admin: Connection, office: Office
):
    elsewhere = make.property(office.tenant.id, office.customer_id, street="9 Lake Rd")
    theirs = make.equipment(office.tenant.id, elsewhere)

    response = client.submit(
        f"/properties/{office.property_id}/jobs/new",
        {"job_kind": "repair", "summary": "No heat", "equipment_ids": [str(theirs)]},
    )

    assert response.status_code == 422
    assert "Choose equipment at this property." in text(response)
    assert jobs_of(admin, office.tenant.id) == []


def test_another_companys_property_reads_as_missing(
    client: Client, make: Factory, admin: Connection, office: Office
):
    other = make.tenant()
    theirs = make.property(other.id, make.customer(other.id))

    page = client.get(f"/properties/{theirs}/jobs/new")
    posted = client.submit(f"/properties/{theirs}/jobs/new", {"job_kind": "repair", "summary": "x"})

    assert (page.status_code, posted.status_code) == (404, 404)
    assert jobs_of(admin, other.id) == []


def test_editing_a_job_changes_its_summary_priority_and_description(
    client: Client, make: Factory, admin: Connection, office: Office
):
    job = make.job(office.tenant.id, office.property_id, summary="No heat")
    url = f"/jobs/{job}/edit"

    form = client.get(url)
    refused = client.submit(url, {"priority": "normal", "summary": ""})
    saved = client.submit(
        url, {"priority": "emergency", "summary": "No heat, baby at home", "description": "Call"}
    )

    assert form.status_code == 200 and 'value="No heat"' in text(form)
    assert refused.status_code == 422
    assert saved.status_code == 302
    [row] = jobs_of(admin, office.tenant.id)
    assert (row["priority"], row["summary"], row["description"]) == (
        "emergency",
        "No heat, baby at home",
        "Call",
    )


# --- the job page -------------------------------------------------------------------------


def test_the_job_page_shows_each_status_with_its_time_in_the_company_zone(
    client: Client, make: Factory, admin: Connection, office: Office
):
    monday = next_monday()
    job = make.job(office.tenant.id, office.property_id, summary="Noisy blower")
    visit = make.visit(office.tenant.id, job, at(monday, 8), technicians=(office.terry.account_id,))

    dispatched = client.submit(f"/visits/{visit}/dispatch")
    page = text(client.get(f"/jobs/{job}"))

    assert dispatched.status_code == 302
    row = visit_row(admin, visit)
    assert row["status"] == "dispatched"
    assert f"Scheduled {local(row['scheduled_at'])}" in re.sub(r"<[^>]+>", "", page)
    assert f"Dispatched {local(row['dispatched_at'])}" in re.sub(r"<[^>]+>", "", page)
    assert f"{format_date(monday)} · 8:00\N{EN DASH}10:00 AM" in page
    assert "Terry Tech" in page
    assert "Times are in America/New_York." in page


# --- booking ------------------------------------------------------------------------------


def offered_slots(page: str) -> list[datetime]:
    """The windows a Schedule page lists (the tests ask for all two weeks: `?days=14`)."""
    return [
        datetime.fromisoformat(value)
        for value in re.findall(r'name="slot" value="([^"]+)"', page)
        if value
    ]


def test_booking_an_offered_window_sends_the_first_technician_free_then(
    client: Client, make: Factory, admin: Connection, office: Office
):
    monday = next_monday()
    visit = unscheduled_visit(make, office)
    url = f"/visits/{visit}/schedule?days=14"

    page = text(client.get(url))
    response = client.submit(url, {"slot": at(monday, 8).isoformat(), "duration_minutes": "90"})

    assert at(monday, 8) in offered_slots(page)
    assert "2 technicians free" in page
    assert response.status_code == 302
    row = visit_row(admin, visit)
    assert row["status"] == "scheduled"
    assert (row["window_starts_at"], row["window_ends_at"]) == (at(monday, 8), at(monday, 10))
    assert row["technicians"] == [office.terry.account_id]  # first by name


def test_a_window_taken_since_the_page_was_shown_is_refused(
    client: Client, make: Factory, admin: Connection, office: Office
):
    monday = next_monday()
    visit = unscheduled_visit(make, office)
    page = text(client.get(f"/visits/{visit}/schedule?days=14"))
    for member in (office.terry, office.tina):  # booked meanwhile, from another desk
        busy = make.job(office.tenant.id, office.property_id, summary="Busy")
        make.visit(office.tenant.id, busy, at(monday, 8), technicians=(member.account_id,))

    response = client.submit(
        f"/visits/{visit}/schedule?days=14",
        {"slot": at(monday, 8).isoformat(), "duration_minutes": "90"},
    )

    assert at(monday, 8) in offered_slots(page)
    assert response.status_code == 422
    assert "That window is not one of those offered. Choose again." in text(response)
    assert at(monday, 8) not in offered_slots(text(response))
    assert visit_row(admin, visit)["status"] == "unscheduled"


def test_a_window_with_nobody_free_for_a_longer_visit_is_refused(
    client: Client, make: Factory, admin: Connection, office: Office
):
    """The 8:00 window is offered for a repair's usual 90 minutes; three hours would run into
    both technicians' 11:00 visits."""
    monday = next_monday()
    for member in (office.terry, office.tina):
        busy = make.job(office.tenant.id, office.property_id, summary="Busy")
        make.visit(office.tenant.id, busy, at(monday, 11), technicians=(member.account_id,))
    visit = unscheduled_visit(make, office)

    page = text(client.get(f"/visits/{visit}/schedule?days=14"))
    response = client.submit(
        f"/visits/{visit}/schedule?days=14",
        {"slot": at(monday, 8).isoformat(), "duration_minutes": "180"},
    )

    assert at(monday, 8) in offered_slots(page)
    assert response.status_code == 422
    assert "Nobody is free in that window any more." in text(response)
    assert visit_row(admin, visit)["status"] == "unscheduled"


def test_booking_a_time_typed_in_with_the_chosen_technicians(
    client: Client, make: Factory, admin: Connection, office: Office
):
    monday = next_monday()
    visit = unscheduled_visit(make, office)

    response = client.submit(
        f"/visits/{visit}/schedule?days=14",
        {
            "slot": "",
            "day": monday.isoformat(),
            "start": "13:30",
            "window_hours": "3",
            "duration_minutes": "120",
            "technician_ids": [str(office.tina.account_id)],
        },
    )

    assert response.status_code == 302
    row = visit_row(admin, visit)
    assert (row["window_starts_at"], row["window_ends_at"]) == (
        at(monday, 13, 30),
        at(monday, 16, 30),
    )
    assert row["duration_minutes"] == 120
    assert row["technicians"] == [office.tina.account_id]


def test_a_booking_needs_a_window_or_a_time(client: Client, make: Factory, office: Office):
    visit = unscheduled_visit(make, office)

    response = client.submit(
        f"/visits/{visit}/schedule?days=14", {"slot": "", "duration_minutes": "90"}
    )

    assert response.status_code == 422
    assert "Choose a window, or enter a date and a start time below." in text(response)


@pytest.mark.parametrize("slot", ["tomorrow at nine", "0001-01-01T00:00:00+14:00", "2030-01-07"])
def test_a_window_that_was_never_offered_is_refused(
    client: Client, make: Factory, admin: Connection, office: Office, slot: str
):
    visit = unscheduled_visit(make, office)

    response = client.submit(
        f"/visits/{visit}/schedule?days=14", {"slot": slot, "duration_minutes": "90"}
    )

    assert response.status_code == 422
    assert "That window is not one of those offered." in text(response)
    assert visit_row(admin, visit)["status"] == "unscheduled"


@pytest.mark.parametrize(("hour", "minute"), [(3, 17), (9, 17)])
def test_a_well_formed_time_that_was_not_offered_is_refused(
    client: Client, make: Factory, admin: Connection, office: Office, hour: int, minute: int
):
    """A slot is a window the page offered, not any instant sent in its place."""
    visit = unscheduled_visit(make, office)
    url = f"/visits/{visit}/schedule?days=14"
    slot = at(next_monday(), hour, minute)

    page = text(client.get(url))
    response = client.submit(
        url,
        {
            "slot": slot.isoformat(),
            "duration_minutes": "90",
            "technician_ids": [str(office.terry.account_id)],
        },
    )

    assert slot not in offered_slots(page)
    assert response.status_code == 422
    assert "That window is not one of those offered. Choose again." in text(response)
    row = visit_row(admin, visit)
    assert (row["status"], row["window_starts_at"], row["technicians"]) == ("unscheduled", None, [])


def test_a_window_within_the_travel_buffer_of_a_booking_is_refused(
    client: Client, make: Factory, admin: Connection, office: Office
):
    """8:00-9:30 ends a quarter of an hour before both technicians' 9:45 visits: not offered,
    and not bookable as a window either, even naming a technician."""
    monday = next_monday()
    for member in (office.terry, office.tina):
        busy = make.job(office.tenant.id, office.property_id, summary="Busy")
        make.visit(office.tenant.id, busy, at(monday, 9, 45), technicians=(member.account_id,))
    visit = unscheduled_visit(make, office)
    url = f"/visits/{visit}/schedule?days=14"

    page = text(client.get(url))
    response = client.submit(
        url,
        {
            "slot": at(monday, 8).isoformat(),
            "duration_minutes": "90",
            "technician_ids": [str(office.terry.account_id)],
        },
    )

    assert at(monday, 8) not in offered_slots(page)
    assert at(monday, 12) in offered_slots(page)
    assert response.status_code == 422
    assert "That window is not one of those offered. Choose again." in text(response)
    row = visit_row(admin, visit)
    assert (row["status"], row["window_starts_at"], row["technicians"]) == ("unscheduled", None, [])


def test_a_clash_names_the_visit_in_the_way_and_saves_nothing(
    client: Client, make: Factory, admin: Connection, office: Office
):
    monday = next_monday()
    booked = make.job(office.tenant.id, office.property_id, summary="Leaking condenser")
    make.visit(office.tenant.id, booked, at(monday, 9), technicians=(office.terry.account_id,))
    visit = unscheduled_visit(make, office)

    response = client.submit(
        f"/visits/{visit}/schedule?days=14",
        {
            "day": monday.isoformat(),
            "start": "08:00",
            "window_hours": "2",
            "duration_minutes": "90",
            "technician_ids": [str(office.terry.account_id)],
        },
    )

    assert response.status_code == 422
    assert (
        f"Terry Tech is already booked {format_date(monday)} · 9:00 AM to 10:00 AM on"
        " “Leaking condenser” for Ruth Alvarez."
    ) in text(response)
    row = visit_row(admin, visit)
    assert (row["status"], row["window_starts_at"], row["technicians"]) == ("unscheduled", None, [])


# --- moving visits along ------------------------------------------------------------------


def test_canceling_a_visit_needs_a_reason(
    client: Client, make: Factory, admin: Connection, office: Office
):
    visit = unscheduled_visit(make, office)

    refused = client.submit(f"/visits/{visit}/cancel", {"cancel_reason": "  "})
    unchanged = visit_row(admin, visit)
    canceled = client.submit(f"/visits/{visit}/cancel", {"cancel_reason": "Fixed it themselves"})

    assert refused.status_code == 422
    assert "Say why the visit is canceled." in text(refused)
    assert unchanged["status"] == "unscheduled"
    assert canceled.status_code == 302
    row = visit_row(admin, visit)
    assert (row["status"], row["cancel_reason"]) == ("canceled", "Fixed it themselves")
    page = text(client.get(f"/jobs/{row['job_id']}"))
    assert "Fixed it themselves" in page and "Canceled" in page


def test_dispatching_a_canceled_visit_is_refused_with_a_message(
    client: Client, make: Factory, admin: Connection, office: Office
):
    visit = unscheduled_visit(make, office)
    client.submit(f"/visits/{visit}/cancel", {"cancel_reason": "Duplicate call"})

    response = client.submit(f"/visits/{visit}/dispatch")

    assert response.status_code == 422
    assert "A visit that is canceled cannot be marked dispatched." in text(response)
    assert visit_row(admin, visit)["status"] == "canceled"


def test_dispatching_a_visit_with_nobody_on_it_says_to_book_a_technician_first(
    client: Client, make: Factory, admin: Connection, office: Office
):
    job = make.job(office.tenant.id, office.property_id, summary="Noisy blower")
    visit = make.visit(office.tenant.id, job, at(next_monday(), 9))  # scheduled, nobody on it
    page = text(client.get(f"/jobs/{job}"))
    [action] = re.findall(r'<form method="post" action="([^"]+/dispatch)"', page)

    response = client.submit(action)

    assert action == f"/visits/{visit}/dispatch"
    assert response.status_code == 422
    assert "Book a technician on this visit before dispatching it." in text(response)
    assert "Noisy blower" in text(response)  # the job page, with the message
    row = visit_row(admin, visit)
    assert (row["status"], row["dispatched_at"], row["technicians"]) == ("scheduled", None, [])


def test_unscheduling_frees_the_technician(
    client: Client, make: Factory, admin: Connection, office: Office
):
    job = make.job(office.tenant.id, office.property_id)
    visit = make.visit(
        office.tenant.id, job, at(next_monday(), 9), technicians=(office.terry.account_id,)
    )

    response = client.submit(f"/visits/{visit}/unschedule")

    assert response.status_code == 302
    row = visit_row(admin, visit)
    assert (row["status"], row["window_starts_at"], row["technicians"]) == ("unscheduled", None, [])


def test_another_visit_can_be_added_and_is_scheduled_next(
    client: Client, make: Factory, admin: Connection, office: Office
):
    job = make.job(office.tenant.id, office.property_id, kind="install")
    make.visit(office.tenant.id, job)

    response = client.submit(f"/jobs/{job}/visits")

    visits = admin.execute(
        "select id, status, duration_minutes from public.visits where job_id = %s"
        " order by created_at",
        [job],
    ).fetchall()
    assert len(visits) == 2
    assert (visits[1]["status"], visits[1]["duration_minutes"]) == ("unscheduled", 240)
    assert response.headers["Location"] == f"/visits/{visits[1]['id']}/schedule"


# --- history ------------------------------------------------------------------------------


def complete(admin: Connection, visit_id: UUID, notes: str) -> None:
    """The technician's part, done behind the app: on the way, on site, done."""
    for status in ("en_route", "on_site"):
        admin.execute("update public.visits set status = %s where id = %s", [status, visit_id])
    admin.execute(
        "update public.visits set status = 'completed', completion_notes = %s where id = %s",
        [notes, visit_id],
    )


def test_a_completed_visit_shows_in_the_equipment_history_and_on_the_customer_timeline(
    client: Client, make: Factory, admin: Connection, office: Office
):
    furnace = make.equipment(office.tenant.id, office.property_id)
    job = make.job(
        office.tenant.id,
        office.property_id,
        summary="Furnace won't light",
        equipment_ids=(furnace,),
    )
    visit = make.visit(
        office.tenant.id, job, at(next_monday(), 9), technicians=(office.terry.account_id,)
    )
    make.note(office.tenant.id, office.customer_id, "Dog in the yard.")
    complete(admin, visit, "Replaced the flame sensor.")
    completed_at = visit_row(admin, visit)["completed_at"]

    property_page = text(client.get(f"/properties/{office.property_id}"))
    customer_page = text(client.get(f"/customers/{office.customer_id}"))

    history = property_page.split(f'id="equipment-{furnace}"')[1]
    assert "Replaced the flame sensor." in history
    assert completed_at.astimezone(NEW_YORK).strftime("%b %-d, %Y") in history
    assert "Repair" in history and "Terry Tech" in history
    assert "Completed visits will appear here." not in history
    timeline = customer_page.split('id="timeline"')[1]
    assert "Repair visit: Furnace won&#39;t light" in timeline
    assert "Completed" in timeline and "Terry Tech" in timeline
    # Newest first: the visit was completed after the note was written.
    assert timeline.index("Furnace won&#39;t light") < timeline.index("Dog in the yard.")


# --- who may ------------------------------------------------------------------------------


def test_technicians_cannot_open_the_office_pages(
    app, make: Factory, admin: Connection, office: Office
):
    job = make.job(office.tenant.id, office.property_id)
    visit = make.visit(
        office.tenant.id, job, at(next_monday(), 9), technicians=(office.terry.account_id,)
    )
    phone: Client = app.test_client()
    phone.sign_in(office.terry.email)

    pages = [
        f"/properties/{office.property_id}/jobs/new",
        f"/jobs/{job}",
        f"/jobs/{job}/edit",
        f"/visits/{visit}/schedule?days=14",
        f"/customers/{office.customer_id}/agreements/new",
        "/agreements",
        f"/team/technicians/{office.terry.account_id}/hours",
    ]
    posts = [
        f"/visits/{visit}/dispatch",
        f"/visits/{visit}/unschedule",
        f"/visits/{visit}/cancel",
        f"/jobs/{job}/visits",
    ]

    assert [phone.get(url).status_code for url in pages] == [403] * len(pages)
    assert [phone.submit(url, {"cancel_reason": "Not coming"}).status_code for url in posts] == [
        403
    ] * len(posts)
    assert visit_row(admin, visit)["status"] == "scheduled"
