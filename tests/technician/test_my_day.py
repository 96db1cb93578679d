"""The technician's day and visit page: their own visits only, in order, with what they need
on site (address for the maps app, phone, gate codes, equipment and its history)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.factories import Factory
from tests.technician.support import GATE_CODE, Day, at, html, today


def _order(page: str, *texts: str) -> list[int]:
    return [page.index(text) for text in texts]


@pytest.mark.promise("P-02")
def test_my_day_lists_only_the_technicians_own_visits_in_window_order(tech, day: Day):
    page = html(tech.get("/my-day"))

    assert "Furnace will not light" in page and "New thermostat" in page
    first, second = _order(page, "Furnace will not light", "New thermostat")
    assert first < second  # 9am before 1pm, whatever order they were made in
    assert "9:00\N{EN DASH}11:00 AM" in page
    assert "Someone else&#39;s job" not in page and "Someone else's job" not in page
    assert "9 Hidden Lane" not in page
    assert f"/my-day/visits/{day.first}" in page
    assert "https://www.google.com/maps/search/?api=1&amp;query=48+Lakeview+Terrace" in page


def test_my_day_moves_between_days_and_says_when_a_day_is_empty(tech, make: Factory, day: Day):
    tomorrow = today() + timedelta(days=1)
    job = make.job(day.tenant.id, day.place, summary="Return with the part")
    make.visit(day.tenant.id, job, at(tomorrow, 8), technicians=(day.tech.account_id,))

    page = html(tech.get("/my-day"))
    assert f"/my-day?day={tomorrow.isoformat()}" in page
    assert "Return with the part" not in page

    next_day = html(tech.get(f"/my-day?day={tomorrow.isoformat()}"))
    assert "Return with the part" in next_day and "Furnace will not light" not in next_day
    empty = html(tech.get(f"/my-day?day={(today() + timedelta(days=2)).isoformat()}"))
    assert "No visits on this day." in empty


def test_a_date_that_cannot_be_read_shows_today_with_a_message(tech, day: Day):
    response = tech.get("/my-day?day=2026-02-31")

    assert response.status_code == 422
    assert "That date could not be read" in html(response)
    assert "Furnace will not light" in html(response)


@pytest.mark.promise("P-02")
@pytest.mark.parametrize("role", ["owner", "admin", "dispatcher", "office"])
def test_office_members_cannot_use_the_technician_pages(app, make: Factory, day: Day, role):
    member = day.tenant.owner if role == "owner" else make.member(day.tenant.id, role)
    office = app.test_client()
    office.sign_in(member.email)

    for path in ("/my-day", f"/my-day/visits/{day.first}", "/my-day/calendar"):
        response = office.get(path)
        assert response.status_code == 403, path
        assert "Furnace will not light" not in html(response)


@pytest.mark.promise("P-02")
def test_another_technicians_visit_is_not_found(tech, admin, day: Day):
    before = admin.execute(
        "select status from public.visits where id = %s", [day.others]
    ).fetchone()

    assert tech.get(f"/my-day/visits/{day.others}").status_code == 404
    for path, data in (
        ("status", {"status": "en_route"}),
        ("notes", {"body": "Sneaky note"}),
    ):
        assert tech.submit(f"/my-day/visits/{day.others}/{path}", data).status_code == 404
    after = admin.execute("select status from public.visits where id = %s", [day.others]).fetchone()
    assert before == after == {"status": "scheduled"}
    assert admin.execute("select count(*) as n from public.visit_notes").fetchone()["n"] == 0


def test_the_visit_page_has_the_phone_the_address_for_the_maps_app_and_the_job(tech, day: Day):
    page = html(tech.get(f"/my-day/visits/{day.first}"))

    assert "Dana Reyes" in page
    assert 'href="tel:+13125550142"' in page
    assert "(312) 555-0142" in page
    assert re.search(
        r'href="https://www\.google\.com/maps/search/\?api=1&amp;query=48\+Lakeview', page
    )
    assert "48 Lakeview Terrace, Madison, IL 62701, US" in page
    assert "Repair: Furnace will not light" in page
    assert "On my way" in page


@pytest.mark.promise("P-07")
def test_access_notes_are_shown_to_the_technician_and_each_showing_is_recorded(
    tech, admin, day: Day
):
    page = html(tech.get(f"/my-day/visits/{day.first}"))

    assert GATE_CODE.replace("'", "&#39;") in page or GATE_CODE in page
    reads = admin.execute(
        "select table_name, row_key, actor_id, new_values from audit.changes"
        " where operation = 'access' order by id"
    ).fetchall()
    assert [(r["table_name"], r["row_key"], r["actor_id"]) for r in reads] == [
        ("public.customers", str(day.customer), day.tech.account_id),
        ("public.properties", str(day.place), day.tech.account_id),
    ]
    assert reads[1]["new_values"]["view"] == "access notes"
    assert "4821" not in str([r["new_values"] for r in reads])


def test_equipment_at_the_property_shows_its_service_history(tech, admin, make: Factory, day: Day):
    past = today() - timedelta(days=3)
    while past.isoweekday() > 5:  # inside the technician's default working week
        past -= timedelta(days=1)
    earlier = make.visit(day.tenant.id, day.job, at(past, 9), technicians=(day.tech.account_id,))
    for status in ("en_route", "on_site"):
        admin.execute("update public.visits set status = %s where id = %s", [status, earlier])
    admin.execute(
        "update public.visits set status = 'completed', completion_notes = 'Replaced igniter'"
        " where id = %s",
        [earlier],
    )

    page = html(tech.get(f"/my-day/visits/{day.first}"))

    assert "Furnace · Carrier" in page and "This job" in page
    assert "Replaced igniter" in page
    assert f"{today():%b %-d, %Y}</strong> Repair: Furnace will not light" in page  # when done


@pytest.mark.parametrize("asked", ["9999-12-31", "0001-01-01", "2026-02-30", "tomorrow"])
def test_a_day_the_schedule_cannot_hold_is_a_message_not_an_error(tech, asked: str):
    response = tech.get(f"/my-day?day={asked}")

    assert response.status_code == 422
    assert "That date could not be read; here is today." in html(response)
