"""The main pages are in view on a desktop (1440 wide) and reachable by keyboard; a phone
keeps them under the Menu button."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import page_width, phone_context, sign_in
from tests.factories import Factory

pytestmark = pytest.mark.e2e


def test_desktop_shows_the_pages_and_a_phone_keeps_the_menu_button(
    browser: Browser, live_server: str, make: Factory
):
    tenant = make.tenant("Summit Air")
    desktop = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(desktop, live_server, tenant.owner.email)
    bar = desktop.get_by_role("navigation", name="Main")
    for label in ("Dashboard", "Dispatch", "Customers", "Maintenance plans", "Team", "Audit log"):
        expect(bar.get_by_role("link", name=label)).to_be_visible()  # without opening a menu
    expect(bar.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")

    # By keyboard: skip link, brand, then the bar's first entries.
    desktop.keyboard.press("Tab")
    desktop.keyboard.press("Tab")
    desktop.keyboard.press("Tab")
    desktop.keyboard.press("Tab")
    expect(bar.get_by_role("link", name="New call")).to_be_focused()
    for _ in ("Dispatch", "Jobs", "Visits", "Customers"):
        desktop.keyboard.press("Tab")
    desktop.keyboard.press("Enter")
    expect(desktop.get_by_role("heading", name="Customers", exact=True)).to_be_visible()
    expect(bar.get_by_role("link", name="Customers")).to_have_attribute("aria-current", "page")

    phone = phone_context(browser).new_page()
    sign_in(phone, live_server, tenant.owner.email)
    expect(phone.get_by_role("navigation", name="Main")).to_be_hidden()
    phone.get_by_text("Menu", exact=True).click()
    phone.get_by_role("navigation", name="Menu").get_by_role("link", name="Customers").click()
    expect(phone.get_by_role("heading", name="Customers", exact=True)).to_be_visible()
    assert page_width(phone) <= 390
