"""Working hours and time off: set by managers and dispatchers in the company's time zone, and
respected when booking (the refusal says why)."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from app import crypto
from app.db import Connection
from app.formatting import format_date
from tests.conftest import Client
from tests.factories import Factory, Member, Tenant

NEW_YORK = ZoneInfo("America/New_York")
DAYS = 7


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def next_monday() -> date:
    today = datetime.now(NEW_YORK).date()
    return today + timedelta(days=7 - today.weekday())


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock(hour, minute), tzinfo=NEW_YORK)


def week(**days: tuple[str, str]) -> dict[str, str]:
    """The hours form: `monday=("07:00", "15:00")`; days not named are left empty (off)."""
    names = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    form = {}
    for index, name in enumerate(names):
        starts, ends = days.get(name, ("", ""))
        form[f"days-{index}-starts_at"] = starts
        form[f"days-{index}-ends_at"] = ends
    return form


@pytest.fixture
def tenant(make: Factory) -> Tenant:
    return make.tenant()


@pytest.fixture
def terry(make: Factory, tenant: Tenant) -> Member:
    return make.member(tenant.id, "technician", make.account(full_name="Terry Tech"))


@pytest.fixture
def dispatcher(client: Client, make: Factory, tenant: Tenant) -> Member:
    member = make.member(tenant.id, "dispatcher")
    client.sign_in(member.email)
    return member


def hours_of(admin: Connection, member: Member) -> list[tuple[int, str, str]]:
    rows = admin.execute(
        "select weekday, starts_at, ends_at from public.working_hours"
        " where technician_id = %s order by weekday",
        [member.account_id],
    ).fetchall()
    return [(r["weekday"], f"{r['starts_at']:%H:%M}", f"{r['ends_at']:%H:%M}") for r in rows]


def time_off_of(admin: Connection, member: Member) -> list[dict[str, Any]]:
    return admin.execute(
        "select id, lower(during) as starts, upper(during) as ends, reason from public.time_off"
        " where technician_id = %s order by lower(during)",
        [member.account_id],
    ).fetchall()


def visit(make: Factory, tenant: Tenant, summary: str = "No heat") -> UUID:
    place = make.property(tenant.id, make.customer(tenant.id, "Ruth", "Alvarez"))
    return make.visit(tenant.id, make.job(tenant.id, place, summary=summary), minutes=60)


def book(client: Client, visit_id: UUID, day: date, start: str, who: Member) -> Any:
    return client.submit(
        f"/visits/{visit_id}/schedule",
        {
            "day": day.isoformat(),
            "start": start,
            "window_hours": "2",
            "duration_minutes": "60",
            "technician_ids": [str(who.account_id)],
        },
    )


def offered_slots(page: str) -> list[datetime]:
    values = re.findall(r'name="slot" value="([^"]+)"', page)
    return [datetime.fromisoformat(value) for value in values]


def status_of(admin: Connection, visit_id: UUID) -> str:
    row = admin.execute("select status from public.visits where id = %s", [visit_id]).fetchone()
    assert row is not None
    return row["status"]


# --- working hours ------------------------------------------------------------------------


def test_without_hours_of_their_own_the_company_default_applies(
    client: Client, dispatcher: Member, terry: Member
):
    page = text(client.get(f"/team/technicians/{terry.account_id}/hours"))

    assert "Terry Tech" in page
    assert "the company default applies" in page
    assert "Monday to Friday, 8:00 AM to 5:00 PM" in page


def test_saving_hours_replaces_them_and_empty_days_are_off(
    client: Client, admin: Connection, dispatcher: Member, terry: Member
):
    url = f"/team/technicians/{terry.account_id}/hours"

    first = client.submit(url, week(monday=("07:00", "15:00"), saturday=("09:00", "13:00")))
    second = client.submit(url, week(tuesday=("10:00", "18:30")))

    assert (first.status_code, second.status_code) == (302, 302)
    assert hours_of(admin, terry) == [(2, "10:00", "18:30")]
    page = text(client.get(url))
    assert 'value="10:00"' in page and 'value="18:30"' in page
    assert "the company default applies" not in page


def test_emptying_every_day_goes_back_to_the_company_default(
    client: Client, admin: Connection, dispatcher: Member, terry: Member
):
    url = f"/team/technicians/{terry.account_id}/hours"
    client.submit(url, week(monday=("07:00", "15:00")))

    response = client.submit(url, week())

    assert response.status_code == 302
    assert hours_of(admin, terry) == []


def test_bad_hours_are_refused_and_the_old_ones_kept(
    client: Client, admin: Connection, dispatcher: Member, terry: Member
):
    url = f"/team/technicians/{terry.account_id}/hours"
    client.submit(url, week(monday=("07:00", "15:00")))

    backwards = client.submit(url, week(monday=("15:00", "07:00")))
    half = client.submit(url, week(monday=("08:00", "16:00"), tuesday=("08:00", "")))

    assert (backwards.status_code, half.status_code) == (422, 422)
    assert "Monday: The day must end after it starts." in text(backwards)
    assert "Tuesday: Enter both times, or neither for a day off." in text(half)
    assert hours_of(admin, terry) == [(1, "07:00", "15:00")]


def test_a_booking_outside_working_hours_is_refused_with_a_message(
    client: Client,
    make: Factory,
    admin: Connection,
    tenant: Tenant,
    dispatcher: Member,
    terry: Member,
):
    client.submit(f"/team/technicians/{terry.account_id}/hours", week(monday=("12:00", "17:00")))
    visit_id = visit(make, tenant)

    page = text(client.get(f"/visits/{visit_id}/schedule?days=14"))
    early = book(client, visit_id, next_monday(), "08:00", terry)
    tuesday = book(client, visit_id, next_monday() + timedelta(days=1), "12:00", terry)

    assert at(next_monday(), 8) not in offered_slots(page)
    assert at(next_monday(), 12) in offered_slots(page)
    assert early.status_code == 422
    assert "Terry Tech: the visit falls outside their working hours." in text(early)
    assert tuesday.status_code == 422  # a day off now
    assert status_of(admin, visit_id) == "unscheduled"
    assert book(client, visit_id, next_monday(), "12:00", terry).status_code == 302


def booked_visit(
    make: Factory, tenant: Tenant, who: Member, starts: datetime, summary: str, customer: str
) -> UUID:
    first, last = customer.split()
    place = make.property(tenant.id, make.customer(tenant.id, first, last))
    job = make.job(tenant.id, place, summary=summary)
    return make.visit(tenant.id, job, starts, technicians=(who.account_id,))


def flashes(response: Any, category: str) -> list[str]:
    found = re.findall(rf'<p class="flash flash-{category}">(.*?)</p>', text(response), re.S)
    return [html.unescape(message) for message in found]


def test_new_hours_name_the_booked_visits_that_now_fall_outside_them(
    client: Client,
    make: Factory,
    admin: Connection,
    tenant: Tenant,
    dispatcher: Member,
    terry: Member,
):
    monday = next_monday()
    booked_visit(make, tenant, terry, at(monday, 9), "Leaking condenser", "Ruth Alvarez")
    booked_visit(make, tenant, terry, at(monday, 13), "Noisy blower", "Omar Haddad")
    sent = booked_visit(make, tenant, terry, at(monday + timedelta(days=1), 10), "No heat", "Li Wu")
    admin.execute("update public.visits set status = 'dispatched' where id = %s", [sent])
    canceled = booked_visit(make, tenant, terry, at(monday, 8), "Thermostat", "Ana Diaz")
    admin.execute(
        "update public.visits set status = 'canceled', cancel_reason = 'Moved away' where id = %s",
        [canceled],
    )
    tina = make.member(tenant.id, "technician", make.account(full_name="Tina Tech"))
    booked_visit(make, tenant, tina, at(monday, 9), "Humidifier", "Sam Site")

    response = client.submit(
        f"/team/technicians/{terry.account_id}/hours",
        week(monday=("12:00", "17:00")),
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert hours_of(admin, terry) == [(1, "12:00", "17:00")]  # saved all the same
    [warning] = flashes(response, "warning")
    assert warning == (
        "Booked outside these hours, to be moved: "
        f"“Leaking condenser” for Ruth Alvarez, {format_date(monday)} · 9:00 AM; "
        f"“No heat” for Li Wu, {format_date(monday + timedelta(days=1))} · 10:00 AM."
    )


def test_the_warning_lists_five_visits_and_counts_the_rest(
    client: Client, make: Factory, tenant: Tenant, dispatcher: Member, terry: Member
):
    monday = next_monday()
    for n in range(7):
        booked_visit(make, tenant, terry, at(monday, 8 + n), f"Tune-up {n + 1}", "Ruth Alvarez")

    response = client.submit(
        f"/team/technicians/{terry.account_id}/hours",
        week(tuesday=("08:00", "17:00")),
        follow_redirects=True,
    )

    [warning] = flashes(response, "warning")
    assert [f"Tune-up {n}”" in warning for n in range(1, 8)] == [True] * 5 + [False] * 2
    assert warning.endswith(f"{format_date(monday)} · 12:00 PM; and 2 more.")


def test_hours_that_still_cover_every_booked_visit_warn_about_nothing(
    client: Client, make: Factory, tenant: Tenant, dispatcher: Member, terry: Member
):
    booked_visit(make, tenant, terry, at(next_monday(), 9), "Leaking condenser", "Ruth Alvarez")

    response = client.submit(
        f"/team/technicians/{terry.account_id}/hours",
        week(monday=("07:00", "15:00")),
        follow_redirects=True,
    )

    assert flashes(response, "success") == ["Working hours of Terry Tech saved."]
    assert flashes(response, "warning") == []


# --- time off -----------------------------------------------------------------------------


def test_time_off_is_kept_in_the_company_zone_and_blocks_bookings(
    client: Client,
    make: Factory,
    admin: Connection,
    tenant: Tenant,
    dispatcher: Member,
    terry: Member,
):
    monday = next_monday()
    visit_id = visit(make, tenant)

    added = client.submit(
        f"/team/technicians/{terry.account_id}/time-off",
        {"starts_on": monday.isoformat(), "ends_on": monday.isoformat(), "reason": "Training"},
    )
    refused = book(client, visit_id, monday, "09:00", terry)

    assert added.status_code == 302
    [off] = time_off_of(admin, terry)
    assert (off["starts"], off["ends"], off["reason"]) == (
        at(monday, 0),
        at(monday + timedelta(days=1), 0),
        "Training",
    )
    assert refused.status_code == 422
    assert "Terry Tech: they have time off then." in text(refused)
    assert status_of(admin, visit_id) == "unscheduled"
    page = text(client.get(f"/team/technicians/{terry.account_id}/hours"))
    assert "Training" in page and f"{format_date(monday)} · 12:00 AM" in page


def test_time_off_with_hours_and_its_checks(
    client: Client, admin: Connection, dispatcher: Member, terry: Member
):
    monday = next_monday()
    url = f"/team/technicians/{terry.account_id}/time-off"

    backwards = client.submit(
        url,
        {
            "starts_on": monday.isoformat(),
            "starts_at": "14:00",
            "ends_on": monday.isoformat(),
            "ends_at": "13:00",
        },
    )
    afternoon = client.submit(
        url,
        {
            "starts_on": monday.isoformat(),
            "starts_at": "13:00",
            "ends_on": monday.isoformat(),
            "ends_at": "17:00",
            "reason": "Dentist",
        },
    )

    far = client.submit(url, {"starts_on": "9999-12-31", "ends_on": "9999-12-31"})

    assert backwards.status_code == 422
    assert "Time off must end after it starts." in text(backwards)
    assert far.status_code == 422
    assert "Enter a date between 2000 and 2100." in text(far)
    assert afternoon.status_code == 302
    [off] = time_off_of(admin, terry)
    assert (off["starts"], off["ends"]) == (at(monday, 13), at(monday, 17))


def test_time_off_over_a_booked_visit_says_which_one_to_move(
    client: Client, make: Factory, tenant: Tenant, dispatcher: Member, terry: Member
):
    monday = next_monday()
    place = make.property(tenant.id, make.customer(tenant.id, "Ruth", "Alvarez"))
    job = make.job(tenant.id, place, summary="Leaking condenser")
    make.visit(tenant.id, job, at(monday, 9), technicians=(terry.account_id,))

    response = client.submit(
        f"/team/technicians/{terry.account_id}/time-off",
        {"starts_on": monday.isoformat(), "ends_on": monday.isoformat(), "reason": "Sick"},
        follow_redirects=True,
    )

    assert "Still booked during this time off" in text(response)
    assert "“Leaking condenser” for Ruth Alvarez" in text(response)


def test_time_off_can_be_removed(
    client: Client, admin: Connection, dispatcher: Member, terry: Member
):
    monday = next_monday()
    client.submit(
        f"/team/technicians/{terry.account_id}/time-off",
        {"starts_on": monday.isoformat(), "ends_on": monday.isoformat()},
    )
    [off] = time_off_of(admin, terry)

    response = client.submit(f"/time-off/{off['id']}/remove")

    assert response.status_code == 302
    assert time_off_of(admin, terry) == []


# --- the calendar link -------------------------------------------------------------------


def open_feed(admin: Connection, tenant: Tenant, member: Member) -> str:
    """The link the technician opened on their phone; returns its token."""
    token = crypto.new_token()
    admin.execute(
        "insert into public.calendar_feeds (tenant_id, technician_id, token_hash)"
        " values (%s, %s, %s)",
        [tenant.id, member.account_id, crypto.token_hash(token)],
    )
    return token


def test_a_dispatcher_revokes_the_calendar_link_of_a_lost_phone(
    app, client: Client, admin: Connection, tenant: Tenant, dispatcher: Member, terry: Member
):
    token = open_feed(admin, tenant, terry)
    calendar_app = app.test_client()
    assert calendar_app.get(f"/calendar/{token}.ics").status_code == 200
    url = f"/team/technicians/{terry.account_id}/hours"
    page = text(client.get(url))

    response = client.submit(page_action(page, "Revoke calendar link"), follow_redirects=True)

    assert "Calendar link" in page and "open since" in page
    assert response.status_code == 200
    assert flashes(response, "success") == [
        "Calendar link of Terry Tech revoked: their calendar stops updating. "
        "They can open a new link from their phone."
    ]
    assert "No calendar link is open." in text(response)
    assert "Revoke calendar link" not in text(response)
    assert calendar_app.get(f"/calendar/{token}.ics").status_code == 410
    [change] = admin.execute(
        "select actor_id, new_values from audit.changes"
        " where table_name = 'public.calendar_feeds' and operation = 'update'"
    ).fetchall()
    assert change["actor_id"] == dispatcher.account_id
    assert change["new_values"]["revoked_at"] is not None


def page_action(page: str, button: str) -> str:
    """The address of the form whose submit button reads `button`."""
    for form in re.findall(r"<form\b.*?</form>", page, re.S):
        action = re.search(r'action="([^"]+)"', form)
        if f">{button}</button>" in form and action:
            return action.group(1)
    raise AssertionError(f"no {button!r} button on the page")


def test_revoking_when_no_link_is_open_says_so(client: Client, dispatcher: Member, terry: Member):
    page = text(client.get(f"/team/technicians/{terry.account_id}/hours"))
    response = client.submit(
        f"/team/technicians/{terry.account_id}/calendar/revoke", follow_redirects=True
    )

    assert "No calendar link is open." in page
    assert response.status_code == 200
    assert flashes(response, "info") == ["Terry Tech has no calendar link open."]


@pytest.mark.parametrize("role", ["office", "technician"])
def test_only_managers_and_dispatchers_revoke_calendar_links(
    app, client: Client, make: Factory, admin: Connection, tenant: Tenant, terry: Member, role: str
):
    token = open_feed(admin, tenant, terry)
    client.sign_in(make.member(tenant.id, role).email)

    response = client.submit(f"/team/technicians/{terry.account_id}/calendar/revoke")

    assert response.status_code == 403
    assert app.test_client().get(f"/calendar/{token}.ics").status_code == 200


def test_another_companys_technician_link_reads_as_missing(
    app, client: Client, make: Factory, admin: Connection, dispatcher: Member
):
    other = make.tenant()
    theirs = make.member(other.id, "technician")
    token = open_feed(admin, other, theirs)

    response = client.submit(f"/team/technicians/{theirs.account_id}/calendar/revoke")

    assert response.status_code == 404
    assert app.test_client().get(f"/calendar/{token}.ics").status_code == 200


# --- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["office", "technician"])
def test_only_managers_and_dispatchers_set_hours(
    client: Client, make: Factory, admin: Connection, tenant: Tenant, terry: Member, role: str
):
    client.sign_in(make.member(tenant.id, role).email)
    url = f"/team/technicians/{terry.account_id}/hours"

    assert client.get(url).status_code == 403
    assert client.submit(url, week(monday=("07:00", "15:00"))).status_code == 403
    assert hours_of(admin, terry) == []


def test_only_this_companys_technicians_have_an_hours_page(
    client: Client, make: Factory, tenant: Tenant, dispatcher: Member
):
    other = make.tenant()
    theirs = make.member(other.id, "technician")

    assert client.get(f"/team/technicians/{theirs.account_id}/hours").status_code == 404
    assert client.get(f"/team/technicians/{tenant.owner.account_id}/hours").status_code == 404


def test_the_team_page_links_to_each_technicians_hours(
    app, make: Factory, tenant: Tenant, terry: Member
):
    owner: Client = app.test_client()
    owner.sign_in(tenant.owner.email)

    page = text(owner.get("/team"))

    assert f"/team/technicians/{terry.account_id}/hours" in page
    assert f"/team/technicians/{tenant.owner.account_id}/hours" not in page
