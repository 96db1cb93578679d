"""The one Schedule form: windows grouped by day with the first few days shown and more on
request; an emergency is offered today's windows first and, when none is free, may be booked
outside the rules (overtime or overflow) by the office, with a reason kept in the audit log."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
import pytest
from flask import Flask

from app.db import Connection
from tests.conftest import Client, TestDatabase
from tests.factories import Factory, Tenant
from tests.policies.identity import acting_as, claims_of


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def zone_at(hour: int) -> ZoneInfo:
    """A fixed-offset zone whose clock reads about `hour` o'clock now, so that a test of
    "today" does not depend on when it runs (Etc/GMT+N is N hours behind UTC)."""
    behind = (datetime.now(UTC).hour - hour + 12) % 24 - 12  # from -12 to 11: all exist
    return ZoneInfo(f"Etc/GMT{behind:+d}")


def offered(page: str) -> list[datetime]:
    return [
        datetime.fromisoformat(v) for v in re.findall(r'name="slot" value="([^"]+)"', page) if v
    ]


def day_headings(page: str) -> list[str]:
    return re.findall(r'<h3 id="day-([0-9-]+)"', page)


class Office:
    def __init__(self, make: Factory, admin: Connection, client: Client, zone: ZoneInfo) -> None:
        self.tenant: Tenant = make.tenant()
        admin.execute(
            "update public.tenants set time_zone = %s where id = %s", [zone.key, self.tenant.id]
        )
        self.zone = zone
        self.dispatcher = make.member(self.tenant.id, "dispatcher")
        self.terry = make.member(self.tenant.id, "technician", make.account(full_name="Terry Tech"))
        customer = make.customer(self.tenant.id, "Ruth", "Alvarez")
        self.property_id = make.property(self.tenant.id, customer)
        self.make, self.admin = make, admin
        client.sign_in(self.dispatcher.email)

    def visit(self, priority: str = "normal") -> UUID:
        job = self.make.job(self.tenant.id, self.property_id, summary=f"{priority} call")
        self.admin.execute("update public.jobs set priority = %s where id = %s", [priority, job])
        return self.make.visit(self.tenant.id, job, minutes=90)

    def today(self) -> date:
        return datetime.now(self.zone).date()

    def all_week(self) -> None:
        """Terry works every day of the week, 8 to 5 (so that "today" always has hours)."""
        for weekday in range(1, 8):
            self.admin.execute(
                "insert into public.working_hours (tenant_id, technician_id, weekday, starts_at,"
                " ends_at) values (%s, %s, %s, '08:00', '17:00')",
                [self.tenant.id, self.terry.account_id, weekday],
            )


def booked(admin: Connection, visit_id: UUID) -> dict[str, Any]:
    row = admin.execute(
        "select v.status, v.window_starts_at, v.booking_override, v.booking_override_reason,"
        " array(select technician_id from public.visit_assignments a where a.visit_id = v.id)"
        " as technicians from public.visits v where v.id = %s",
        [visit_id],
    ).fetchone()
    assert row is not None
    return row


# --- windows by day -------------------------------------------------------------------------


def test_the_schedule_page_shows_three_days_of_windows_and_more_on_request(
    client: Client, make: Factory, admin: Connection
):
    office = Office(make, admin, client, zone_at(10))
    office.all_week()
    visit = office.visit()

    first = text(client.get(f"/visits/{visit}/schedule"))
    more = text(client.get(f"/visits/{visit}/schedule?days=6"))
    nonsense = client.get(f"/visits/{visit}/schedule?days=lots")

    assert len(day_headings(first)) == 3
    assert len(offered(first)) <= 3 * 5  # a day of 2-hour windows is 4 or 5 buttons, not 50
    assert f'href="/visits/{visit}/schedule?days=6#windows"' in first
    assert "More days" in first
    assert len(day_headings(more)) == 6
    assert set(offered(first)) < set(offered(more))
    assert nonsense.status_code == 200 and len(day_headings(text(nonsense))) == 3


def test_a_window_on_a_day_not_yet_shown_can_still_be_booked(
    client: Client, make: Factory, admin: Connection
):
    office = Office(make, admin, client, zone_at(10))
    office.all_week()
    visit = office.visit()
    later = offered(text(client.get(f"/visits/{visit}/schedule?days=14")))[-1]

    response = client.submit(
        f"/visits/{visit}/schedule", {"slot": later.isoformat(), "duration_minutes": "90"}
    )

    assert response.status_code == 302
    assert booked(admin, visit)["window_starts_at"] == later


# --- emergencies ----------------------------------------------------------------------------


def test_an_emergency_is_offered_todays_windows_first_each_hour(
    client: Client, make: Factory, admin: Connection
):
    office = Office(make, admin, client, zone_at(10))
    office.all_week()
    emergency = office.visit("emergency")
    normal = office.visit("normal")

    urgent = offered(text(client.get(f"/visits/{emergency}/schedule")))
    usual = offered(text(client.get(f"/visits/{normal}/schedule")))

    today = [w for w in urgent if w.astimezone(office.zone).date() == office.today()]
    assert today and urgent[: len(today)] == today  # today's first
    hours = [w.astimezone(office.zone).hour for w in today]
    assert hours == list(range(hours[0], hours[0] + len(hours)))  # one each hour
    usual_today = [w for w in usual if w.astimezone(office.zone).date() == office.today()]
    assert len(today) > len(usual_today)  # the usual offer keeps to 2-hour steps


def test_an_emergency_booked_in_a_same_day_window_gets_that_hour(
    client: Client, make: Factory, admin: Connection
):
    office = Office(make, admin, client, zone_at(10))
    office.all_week()
    emergency = office.visit("emergency")
    soonest = offered(text(client.get(f"/visits/{emergency}/schedule")))[0]

    response = client.submit(
        f"/visits/{emergency}/schedule", {"slot": soonest.isoformat(), "duration_minutes": "90"}
    )

    assert response.status_code == 302
    row = booked(admin, emergency)
    assert row["window_starts_at"] == soonest
    assert row["technicians"] == [office.terry.account_id]
    assert row["booking_override"] == ""


def overtime(office: Office, **extra: str) -> dict[str, str]:
    """Tonight at 8:30, after Terry's day ends at 5."""
    return {
        "slot": "",
        "duration_minutes": "90",
        "day": office.today().isoformat(),
        "start": "20:30",
        "window_hours": "1",
        "technician_ids": str(office.terry.account_id),
        **extra,
    }


def test_an_emergency_with_no_window_today_says_so_and_offers_the_override(
    client: Client, make: Factory, admin: Connection
):
    office = Office(make, admin, client, zone_at(19))  # after everyone's day
    office.all_week()
    emergency = office.visit("emergency")

    page = text(client.get(f"/visits/{emergency}/schedule"))

    assert "No window is free today." in page
    assert 'name="override"' in page and 'name="override_reason"' in page
    normal = text(client.get(f"/visits/{office.visit()}/schedule"))
    assert 'name="override"' not in normal


def test_overtime_without_a_reason_is_refused_and_nothing_is_booked(
    client: Client, make: Factory, admin: Connection
):
    office = Office(make, admin, client, zone_at(19))
    office.all_week()
    emergency = office.visit("emergency")

    response = client.submit(f"/visits/{emergency}/schedule", overtime(office, override="overtime"))

    assert response.status_code == 422
    assert "Say why this visit is booked outside the rules." in text(response)
    assert booked(admin, emergency)["status"] == "unscheduled"


def test_after_hours_without_the_override_is_refused_as_before(
    client: Client, make: Factory, admin: Connection
):
    office = Office(make, admin, client, zone_at(19))
    office.all_week()
    emergency = office.visit("emergency")

    response = client.submit(f"/visits/{emergency}/schedule", overtime(office))

    assert response.status_code == 422
    assert "Terry Tech: the visit falls outside their working hours." in text(response)
    assert booked(admin, emergency)["status"] == "unscheduled"


def test_an_emergency_booked_as_overtime_is_recorded_with_its_reason(
    app: Flask, client: Client, make: Factory, admin: Connection
):
    office = Office(make, admin, client, zone_at(19))
    office.all_week()
    emergency = office.visit("emergency")
    reason = "No heat, baby at home; Terry agreed to stay late"

    response = client.submit(
        f"/visits/{emergency}/schedule",
        overtime(office, override="overtime", override_reason=reason),
    )

    assert response.status_code == 302
    row = booked(admin, emergency)
    assert (row["status"], row["booking_override"], row["booking_override_reason"]) == (
        "scheduled",
        "overtime",
        reason,
    )
    assert row["technicians"] == [office.terry.account_id]
    owner: Client = app.test_client()  # type: ignore[assignment]
    owner.sign_in(office.tenant.owner.email)  # the audit log is the owners' and admins'
    history = text(owner.get(f"/audit/records/public.visits/{emergency}"))
    assert reason in history and "overtime" in history
    schedule = text(client.get(f"/visits/{emergency}/schedule"))
    assert f"booked outside the rules (overtime: {reason})" in schedule
    job_id = admin.execute("select job_id from visits where id = %s", [emergency]).fetchone()
    assert job_id is not None
    job_page = text(client.get(f"/jobs/{job_id['job_id']}"))
    shown = re.search(
        r"<dt>Booked outside the rules</dt><dd>Overtime:[^<]*: ([^<]*)</dd>", job_page
    )
    assert shown and shown[1] == reason


def test_an_emergency_booked_as_overflow_may_overlap_but_nothing_else_may_overlap_it(
    client: Client, make: Factory, admin: Connection
):
    office = Office(make, admin, client, zone_at(10))
    office.all_week()
    noon = datetime.combine(office.today(), time(15), tzinfo=office.zone)
    busy = make.job(office.tenant.id, office.property_id, summary="Busy")
    make.visit(office.tenant.id, busy, noon, technicians=(office.terry.account_id,))
    emergency = office.visit("emergency")
    fields = {
        "slot": "",
        "duration_minutes": "60",
        "day": office.today().isoformat(),
        "start": "15:00",
        "window_hours": "1",
        "technician_ids": str(office.terry.account_id),
    }

    refused = client.submit(f"/visits/{emergency}/schedule", fields)
    overflow = client.submit(
        f"/visits/{emergency}/schedule",
        {**fields, "override": "overflow", "override_reason": "Gas smell, cannot wait"},
    )
    later = office.visit()
    third = client.submit(f"/visits/{later}/schedule", {**fields, "start": "15:30"})

    assert refused.status_code == 422 and "Terry Tech is already booked" in text(refused)
    assert overflow.status_code == 302
    assert booked(admin, emergency)["booking_override"] == "overflow"
    assert third.status_code == 422
    assert booked(admin, later)["status"] == "unscheduled"


def test_a_normal_job_cannot_be_booked_outside_the_rules(
    client: Client, make: Factory, admin: Connection
):
    office = Office(make, admin, client, zone_at(19))
    office.all_week()
    normal = office.visit("normal")

    response = client.submit(
        f"/visits/{normal}/schedule",
        overtime(office, override="overtime", override_reason="Customer insists"),
    )

    assert response.status_code == 422
    assert "Only an emergency can be booked outside working hours" in text(response)
    assert booked(admin, normal)["status"] == "unscheduled"


@pytest.mark.parametrize("role", ["technician", "dispatcher"])
def test_only_office_roles_may_override_in_the_database(
    make: Factory, admin: Connection, database: TestDatabase, role: str
):
    """A technician on the visit can change it (moving it along), but never book it outside
    the rules; a dispatcher can."""
    tenant = make.tenant()
    technician = make.member(tenant.id, "technician")
    actor = technician if role == "technician" else make.member(tenant.id, role)
    job = make.job(tenant.id, make.property(tenant.id, make.customer(tenant.id)))
    admin.execute("update public.jobs set priority = 'emergency' where id = %s", [job])
    zone = ZoneInfo("America/New_York")
    monday = datetime.now(zone).date() + timedelta(days=7 - datetime.now(zone).weekday())
    starts = datetime.combine(monday, time(10), tzinfo=zone)
    visit = make.visit(tenant.id, job, starts, technicians=(technician.account_id,))

    with acting_as(database, claims_of(actor)) as conn:
        try:
            changed = conn.execute(
                "update public.visits set booking_override = 'overtime',"
                " booking_override_reason = 'late' where id = %s",
                [visit],
            ).rowcount
            refused = None
        except psycopg.errors.IntegrityError as refusal:
            changed, refused = 0, refusal.diag.constraint_name

    if role == "technician":
        assert refused == "visits_override_office_only"
    else:
        assert (changed, refused) == (1, None)


# --- the board's Schedule form ----------------------------------------------------------------


def test_the_board_offers_the_job_pages_windows_and_books_one_back_to_the_board(
    client: Client, make: Factory, admin: Connection
):
    office = Office(make, admin, client, zone_at(10))
    office.all_week()
    visit = office.visit()

    job_page = offered(text(client.get(f"/visits/{visit}/schedule")))
    board = text(client.get(f"/dispatch/visits/{visit}/place"))
    board_windows = [
        datetime.fromisoformat(v)
        for v in re.findall(r'name="offer-slot" value="([^"]+)"', board)
        if v
    ]
    chosen = board_windows[1]
    response = client.submit(
        f"/dispatch/visits/{visit}/place",
        {"offer-slot": chosen.isoformat(), "offer-duration_minutes": "90"},
    )

    assert board_windows == job_page
    assert 'name="technician_id"' in board  # the exact place on a lane is still there
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/dispatch?day=")
    assert booked(admin, visit)["window_starts_at"] == chosen


def test_a_window_not_offered_on_the_board_is_refused_and_nothing_booked(
    client: Client, make: Factory, admin: Connection
):
    office = Office(make, admin, client, zone_at(10))
    office.all_week()
    visit = office.visit()

    response = client.submit(
        f"/dispatch/visits/{visit}/place",
        {"offer-slot": "2030-01-07T03:00:00+00:00", "offer-duration_minutes": "90"},
    )

    assert response.status_code == 422
    assert "That window is not one of those offered. Choose again." in text(response)
    assert booked(admin, visit)["status"] == "unscheduled"
