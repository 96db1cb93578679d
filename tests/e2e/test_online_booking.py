"""Online booking in real Chromium: a new homeowner books on the company's public page on a
phone (390 x 844) from live windows; the company confirms online bookings first, so the office
finds the request, confirms it, and the visit is on the dispatch board."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ViewportSize, expect

from tests.booking.support import NEW_YORK, company
from tests.e2e.conftest import page_width, phone_context, sign_in
from tests.factories import Factory

pytestmark = [pytest.mark.e2e]
DESKTOP: ViewportSize = {"width": 1440, "height": 900}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_a_new_homeowner_books_on_a_phone_and_the_office_confirms(
    browser: Browser, live_server: str, make: Factory
) -> None:
    firm = company(make, needs_confirmation=True)
    phone, desk_context = phone_context(browser), browser.new_context(viewport=DESKTOP)
    home, desk = phone.new_page(), desk_context.new_page()
    try:
        home.goto(f"{live_server}/book/{firm.slug}")
        home.get_by_label("First name").fill("Rosa")
        home.get_by_label("Last name").fill("Diaz")
        home.get_by_label("Mobile phone").fill("(312) 555-0144")
        home.get_by_label("Street address").fill("9 Birch Ln")
        home.get_by_label("City").fill("Springfield")
        home.get_by_label("ZIP code").fill("62701")
        home.get_by_label("What do you need?").select_option("repair")
        home.get_by_label("Describe the problem").fill("The furnace clicks but no heat")
        assert page_width(home) <= 390
        home.get_by_role("button", name="See free times").click()
        windows = home.locator('input[name="window"]')
        expect(windows.first).to_be_visible()
        assert page_width(home) <= 390
        ARTIFACTS.mkdir(exist_ok=True)
        home.screenshot(path=str(ARTIFACTS / "online-booking-windows-phone.png"), full_page=True)
        windows.first.check()
        home.get_by_role("button", name="Request this time").click()
        expect(home.get_by_text("We received your request for")).to_be_visible()

        sign_in(desk, live_server, firm.tenant.owner.email)
        desk.goto(f"{live_server}/booking-requests")
        row = desk.locator("#booking-requests tbody tr")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Rosa Diaz")
        row.get_by_role("button", name="Confirm").click()
        expect(desk.get_by_text("Booked: the visit is on the board")).to_be_visible()
        expect(desk.locator("#no-requests")).to_be_visible()
        visit = make.conn.execute(
            "select v.status, v.window_starts_at from public.visits v"
            " join public.online_bookings b on b.tenant_id = v.tenant_id and b.visit_id = v.id"
            " where b.tenant_id = %s",
            [firm.tenant.id],
        ).fetchone()
        assert visit is not None and visit["status"] == "scheduled"
        day = visit["window_starts_at"].astimezone(NEW_YORK).date().isoformat()
        desk.goto(f"{live_server}/dispatch?day={day}")
        expect(desk.get_by_text(re.compile("Rosa Diaz")).first).to_be_visible()
    finally:
        phone.close()
        desk_context.close()
