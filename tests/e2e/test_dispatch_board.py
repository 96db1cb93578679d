"""A dispatcher at a desktop schedules waiting visits on the dispatch board in real Chromium:
by dragging one from the unscheduled queue onto a technician's lane, by the keyboard and the
Schedule form, and sees why a drop onto a booked slot is refused."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from app.db import Connection
from tests.factories import PASSWORD, Factory, Member

pytestmark = [pytest.mark.e2e]
ARTIFACTS = Path("test-artifacts")
NEW_YORK = ZoneInfo("America/New_York")  # the company's zone (the default)


def next_monday() -> date:
    today = datetime.now(NEW_YORK).date()
    return today + timedelta(days=7 - today.weekday())


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, clock(hour), tzinfo=NEW_YORK)


@dataclass(frozen=True)
class Office:
    dispatcher: Member
    terry: Member
    tina: Member
    waiting: UUID  # an unscheduled visit: "No cooling upstairs" for Maya Chen
    day: date


@pytest.fixture
def office(make: Factory) -> Office:
    tenant = make.tenant("Northwind Heating")
    terry = make.member(tenant.id, "technician", make.account(full_name="Terry Tran"))
    tina = make.member(tenant.id, "technician", make.account(full_name="Tina Ortiz"))
    place = make.property(tenant.id, make.customer(tenant.id, "Maya", "Chen"), city="Hoboken")
    busy = make.property(tenant.id, make.customer(tenant.id, "Omar", "Haddad"), city="Newark")
    day = next_monday()
    make.visit(
        tenant.id,
        make.job(tenant.id, busy, summary="Annual tune-up", kind="maintenance"),
        at(day, 10),
        technicians=(tina.account_id,),
    )
    waiting = make.visit(tenant.id, make.job(tenant.id, place, summary="No cooling upstairs"))
    return Office(make.member(tenant.id, "dispatcher"), terry, tina, waiting, day)


@pytest.fixture
def desktop(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    yield context
    context.close()


def open_board(page: Page, base_url: str, office: Office) -> None:
    page.goto(f"{base_url}/sign-in")
    page.get_by_label("Email").fill(office.dispatcher.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base_url}/dispatch?day={office.day.isoformat()}")


def lane(page: Page, technician: Member) -> Locator:
    return page.locator(f'.track[data-technician-id="{technician.account_id}"]')


def drag_onto(page: Page, item: Locator, track: Locator, hour_label: str) -> None:
    """Drag `item` by the mouse, held near its left edge, and drop it on `track` a little
    after the hour mark."""
    hour = page.locator(".track.axis .hour", has_text=hour_label).first.bounding_box()
    box = track.bounding_box()
    assert hour is not None and box is not None
    item.drag_to(
        track,
        source_position={"x": 6, "y": 10},
        target_position={"x": hour["x"] - box["x"] + 12, "y": box["height"] / 2},
    )


def booking(admin: Connection, visit_id: UUID) -> tuple[str, list[UUID], datetime | None]:
    row = admin.execute(
        "select v.status, v.window_starts_at, array(select a.technician_id"
        " from visit_assignments a where a.visit_id = v.id) as technicians"
        " from visits v where v.id = %s",
        [visit_id],
    ).fetchone()
    assert row is not None
    return row["status"], row["technicians"], row["window_starts_at"]


def test_a_dispatcher_drags_a_waiting_job_onto_a_technicians_lane(
    desktop: BrowserContext, live_server: str, office: Office, admin: Connection
):
    page = desktop.new_page()
    open_board(page, live_server, office)
    queued = page.locator(".queue-item", has_text="No cooling upstairs")
    expect(queued).to_be_visible()
    expect(lane(page, office.tina).locator(".visit-card")).to_contain_text("Omar Haddad")
    expect(lane(page, office.terry).locator(".visit-card")).to_have_count(0)

    drag_onto(page, queued, lane(page, office.terry), "1 PM")

    card = lane(page, office.terry).locator(".visit-card", has_text="Maya Chen")
    expect(card).to_be_visible()
    expect(card).to_contain_text("1:00\N{EN DASH}3:00 PM")
    expect(card).to_contain_text("No cooling upstairs")
    expect(page.get_by_text("Maya Chen booked with Terry Tran")).to_be_visible()
    expect(page.locator(".queue-item")).to_have_count(0)
    assert booking(admin, office.waiting) == (
        "scheduled",
        [office.terry.account_id],
        at(office.day, 13),
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dispatch-board.png"), full_page=True)

    # Then it is moved, by dragging its card, to Tina's lane later in the day.
    drag_onto(page, card, lane(page, office.tina), "3 PM")

    moved = lane(page, office.tina).locator(".visit-card", has_text="Maya Chen")
    expect(moved).to_contain_text("3:00\N{EN DASH}5:00 PM")
    expect(lane(page, office.terry).locator(".visit-card")).to_have_count(0)
    assert booking(admin, office.waiting) == (
        "scheduled",
        [office.tina.account_id],
        at(office.day, 15),
    )


def test_a_drop_on_a_booked_slot_says_what_is_in_the_way(
    desktop: BrowserContext, live_server: str, office: Office, admin: Connection
):
    page = desktop.new_page()
    open_board(page, live_server, office)
    queued = page.locator(".queue-item", has_text="No cooling upstairs")

    # The day from 8 AM to 6 PM fits the screen beside the queue: no sideways scrolling.
    expect(page.locator(".track.axis .hour", has_text="8 AM")).to_be_visible()
    expect(page.locator(".track.axis .hour", has_text="5 PM")).to_be_in_viewport()
    expect(queued).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator(".lanes-scroll").evaluate("e => e.scrollWidth <= e.clientWidth")

    drag_onto(page, queued, lane(page, office.tina), "10 AM")

    alert = page.locator("#board-status").get_by_role("alert")
    expect(alert).to_contain_text("Tina Ortiz is already booked")
    expect(alert).to_contain_text("Annual tune-up")
    expect(lane(page, office.tina).locator(".visit-card")).to_have_count(1)
    assert booking(admin, office.waiting) == ("unscheduled", [], None)
    # The message covers no card: not the one in the way, not the one dropped.
    message = alert.bounding_box()
    assert message is not None
    for other in page.locator(".visit-card, .queue-item").all():
        box = other.bounding_box()
        assert box is not None
        apart = (
            box["x"] >= message["x"] + message["width"]
            or message["x"] >= box["x"] + box["width"]
            or box["y"] >= message["y"] + message["height"]
            or message["y"] >= box["y"] + box["height"]
        )
        assert apart, (message, box)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dispatch-board-refused.png"))


def test_a_dispatcher_schedules_a_waiting_job_with_the_keyboard(
    desktop: BrowserContext, live_server: str, office: Office, admin: Connection
):
    page = desktop.new_page()
    open_board(page, live_server, office)
    schedule = page.get_by_role("link", name="Schedule the visit for Maya Chen")
    schedule.focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Schedule the visit for Maya Chen")).to_be_visible()
    expect(page.get_by_label("Day")).to_have_value(office.day.isoformat())
    page.get_by_label("Technician").focus()
    page.get_by_label("Technician").select_option(label="Terry Tran")
    page.get_by_label("Arrival window starts").fill("08:30")
    page.get_by_label("Window length (hours)").fill("3")
    page.get_by_label("Expected duration (minutes)").press("Enter")

    expect(page.get_by_text("Maya Chen booked with Terry Tran")).to_be_visible()
    card = lane(page, office.terry).locator(".visit-card", has_text="Maya Chen")
    expect(card).to_contain_text("8:30\N{EN DASH}11:30 AM")
    assert booking(admin, office.waiting) == (
        "scheduled",
        [office.terry.account_id],
        datetime.combine(office.day, clock(8, 30), tzinfo=NEW_YORK),
    )
