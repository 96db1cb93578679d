"""The office takes calls in real Chromium: a new caller found nowhere is created and booked
from the New call page in at most three page loads, and an emergency gets a window today, or,
when the day is full, an overflow booking with its reason."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, time
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Frame, Page, Route, expect

from app.db import Connection
from tests.e2e.conftest import page_width, sign_in
from tests.factories import Factory, Member, Tenant
from tests.scheduling.test_schedule_form import zone_at

pytestmark = [pytest.mark.e2e, pytest.mark.promise("P-07")]


@pytest.fixture
def desktop(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    yield context
    context.close()


def count_page_loads(page: Page) -> list[str]:
    """Every document the tab loads from now on (a fetch is not one; a redirect counts once)."""
    loads: list[str] = []

    def loaded(frame: Frame) -> None:
        if frame == page.main_frame:
            loads.append(frame.url)

    page.on("framenavigated", loaded)
    return loads


def company(make: Factory, admin: Connection, zone: ZoneInfo) -> tuple[Tenant, Member, Member]:
    """A company in `zone` with a dispatcher and Terry, who works 8 to 5 every day."""
    tenant = make.tenant("Northwind Heating")
    admin.execute("update public.tenants set time_zone = %s where id = %s", [zone.key, tenant.id])
    dispatcher = make.member(tenant.id, "dispatcher")
    terry = make.member(tenant.id, "technician", make.account(full_name="Terry Tran"))
    for weekday in range(1, 8):
        admin.execute(
            "insert into public.working_hours (tenant_id, technician_id, weekday, starts_at,"
            " ends_at) values (%s, %s, %s, '08:00', '17:00')",
            [tenant.id, terry.account_id, weekday],
        )
    return tenant, dispatcher, terry


def booked_visit(admin: Connection, summary: str) -> dict:
    row = admin.execute(
        "select v.status, v.window_starts_at, v.booking_override, v.booking_override_reason,"
        " c.display_name, c.phone, p.street from public.visits v"
        " join public.jobs j on j.id = v.job_id join public.customers c on c.id = j.customer_id"
        " join public.properties p on p.id = j.property_id where j.summary = %s",
        [summary],
    ).fetchone()
    assert row is not None
    return row


def test_what_was_typed_before_the_pages_script_ran_is_searched(
    desktop: BrowserContext, live_server: str, make: Factory, admin: Connection
):
    """A caller's number typed the moment the page opens, before its script has run (held back
    here), is searched when the script starts: no keystroke is lost."""
    _, dispatcher, _ = company(make, admin, ZoneInfo("America/New_York"))
    page = desktop.new_page()
    sign_in(page, live_server, dispatcher.email)
    held: list[Route] = []
    page.route("**/static/calls.js", lambda route: held.append(route))
    page.goto(f"{live_server}/calls/new", wait_until="commit")
    page.get_by_role("searchbox", name="Find the caller").press_sequentially("(773) 555-0199")
    expect(page.get_by_text("No customer matches")).to_have_count(0)

    held[0].continue_()

    expect(page.get_by_text("No customer matches")).to_be_visible()
    expect(page.get_by_label("Phone", exact=True)).to_have_value("(773) 555-0199")


def test_a_new_caller_is_taken_and_booked_in_three_page_loads(
    desktop: BrowserContext, live_server: str, make: Factory, admin: Connection
):
    tenant, dispatcher, _ = company(make, admin, ZoneInfo("America/New_York"))
    make.customer(tenant.id, "Ruth", "Alvarez", phone="+13125550123")
    page = desktop.new_page()
    sign_in(page, live_server, dispatcher.email)
    expect(page.locator("a[data-shortcut=n]")).to_have_text("New call")  # in the menu
    page.wait_for_load_state("load")  # the shortcut's script runs before the load event
    loads = count_page_loads(page)

    page.keyboard.press("n")  # from the dashboard: the shortcut  (load 1)
    search = page.get_by_role("searchbox", name="Find the caller")
    expect(search).to_be_focused()
    search.press_sequentially("(773) 555-0199")
    expect(page.get_by_text("No customer matches")).to_be_visible()
    expect(page.get_by_label("Phone", exact=True)).to_have_value(
        "(773) 555-0199"
    )  # kept from the search
    page.get_by_label("First name").press_sequentially("Dana")  # an "n" typed is no shortcut
    page.get_by_label("Last name").fill("Reyes")
    page.get_by_label("Street address").fill("12 Elm St")
    page.get_by_label("City").fill("Springfield")
    page.get_by_label("ZIP or postal code").fill("62701")
    equipment = page.get_by_role("group", name="Equipment (optional)")
    equipment.get_by_label("Type").select_option("air_conditioner")
    page.get_by_label("Summary").fill("No cooling upstairs")
    page.get_by_role("button", name="Create the job and choose a window").click()  # (load 2)

    expect(page.get_by_role("heading", name="Book the visit for Dana Reyes")).to_be_visible()
    first = page.locator("button.window").first
    chosen = first.get_attribute("value")
    first.click()  # one click books  (load 3)

    expect(page.get_by_text(re.compile(r"^Booked .* with Terry Tran\.$"))).to_be_visible()
    assert loads[0].endswith("/calls/new") and len(loads) <= 3, loads
    row = booked_visit(admin, "No cooling upstairs")
    assert (row["status"], row["display_name"], row["phone"], row["street"]) == (
        "scheduled",
        "Dana Reyes",
        "+17735550199",
        "12 Elm St",
    )
    assert chosen and row["window_starts_at"] == datetime.fromisoformat(chosen)
    assert page_width(page) <= 1440


def emergency_call(page: Page, base_url: str, house: UUID) -> None:
    """Find Ruth by the last digits of her phone, choose her house, say it is an emergency."""
    page.goto(f"{base_url}/calls/new")
    page.get_by_role("searchbox", name="Find the caller").press_sequentially("0123")
    page.locator(f"#choice-{house}").check()
    page.get_by_label("Priority").select_option("emergency")
    page.get_by_label("Summary").fill("Gas smell at the furnace")
    page.get_by_role("button", name="Create the job and choose a window").click()


def test_an_emergency_gets_a_window_today(
    desktop: BrowserContext, live_server: str, make: Factory, admin: Connection
):
    zone = zone_at(10)
    tenant, dispatcher, _ = company(make, admin, zone)
    ruth = make.customer(tenant.id, "Ruth", "Alvarez", phone="+13125550123")
    house = make.property(tenant.id, ruth, street="4821 N Damen Ave")
    page = desktop.new_page()
    sign_in(page, live_server, dispatcher.email)

    emergency_call(page, live_server, house)
    today = datetime.now(zone).date()
    days = page.locator(".window-day h3")
    expect(days.first).to_have_text(today.strftime("%a, %b %-d, %Y"))
    expect(days).to_have_count(3)
    loads = count_page_loads(page)
    page.get_by_role("link", name=re.compile("More days")).click()  # shown in place
    expect(days).to_have_count(6)
    assert loads == []
    page.locator("button.window").first.click()

    expect(page.get_by_text(re.compile(r"^Booked "))).to_be_visible()
    row = booked_visit(admin, "Gas smell at the furnace")
    assert row["status"] == "scheduled"
    assert row["window_starts_at"].astimezone(zone).date() == today


def test_an_emergency_on_a_full_day_is_booked_as_overflow_with_its_reason(
    desktop: BrowserContext, live_server: str, make: Factory, admin: Connection
):
    zone = zone_at(10)
    tenant, dispatcher, terry = company(make, admin, zone)
    ruth = make.customer(tenant.id, "Ruth", "Alvarez", phone="+13125550123")
    house = make.property(tenant.id, ruth, street="4821 N Damen Ave")
    today = datetime.now(zone).date()
    full = make.job(tenant.id, house, summary="Install day")  # Terry is busy all day
    make.visit(
        tenant.id,
        full,
        datetime.combine(today, time(8), zone),
        hours=9,
        minutes=540,
        technicians=(terry.account_id,),
    )
    page = desktop.new_page()
    sign_in(page, live_server, dispatcher.email)

    emergency_call(page, live_server, house)
    expect(page.get_by_text("No window is free today.")).to_be_visible()
    page.get_by_label("Date").fill(today.isoformat())
    page.get_by_label("Window starts").fill("13:00")
    page.get_by_label("Window length (hours)").fill("1")
    page.get_by_label("Terry Tran").check()
    page.get_by_label("Outside the rules").select_option("overflow")
    page.get_by_label("Reason").fill("Gas smell: Terry goes between install steps")
    page.get_by_role("button", name="Book at this time").click()

    expect(page.get_by_text(re.compile(r"outside the rules: Gas smell"))).to_be_visible()
    row = booked_visit(admin, "Gas smell at the furnace")
    assert (row["status"], row["booking_override"]) == ("scheduled", "overflow")
    assert row["booking_override_reason"] == "Gas smell: Terry goes between install steps"
    assert row["window_starts_at"] == datetime.combine(today, time(13), zone)
