"""An office member adds a property with a gate code and a furnace to it, on a phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import page_width, phone_context, sign_in
from tests.factories import Factory

pytestmark = [pytest.mark.e2e]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TAP = 44  # CSS pixels: the smallest comfortable touch target
TOUCHABLE = "main button, main .button, main input, main select, main textarea, main summary"


def fits_the_phone(page: Page) -> None:
    """No sideways scrolling, and every button, field and summary is big enough to tap."""
    assert page_width(page) <= 390
    small = page.evaluate(
        """([selector, tap]) => [...document.querySelectorAll(selector)]
           .filter(e => e.type !== 'hidden' && e.offsetParent !== null)
           .filter(e => e.getBoundingClientRect().height < tap)
           .map(e => e.outerHTML.slice(0, 80))""",
        [TOUCHABLE, TAP],
    )
    assert small == []


def test_office_adds_a_property_and_a_furnace_on_a_phone(
    browser: Browser, live_server: str, make: Factory
):
    tenant = make.tenant("Glacier Heating")
    office = make.member(tenant.id, "office")
    customer = make.customer(tenant.id, "Dana", "Reyes")
    context = phone_context(browser)
    page = context.new_page()
    sign_in(page, live_server, office.email)

    page.goto(f"{live_server}/customers/{customer}/properties/new")
    fits_the_phone(page)
    page.get_by_label("Street address").fill("48 Lakeview Terrace")
    page.get_by_label("City").fill("Madison")
    page.get_by_label("State or region").fill("WI")
    page.get_by_label("ZIP or postal code").fill("5370")
    page.get_by_label("Access notes").fill("Gate 2468#")
    page.get_by_role("button", name="Add property").click()
    expect(page.locator("#postal_code-error")).to_have_text(
        "Enter a 5-digit ZIP code, or ZIP+4 like 62701-1234."
    )
    page.get_by_label("ZIP or postal code").fill("53703")
    page.get_by_role("button", name="Add property").click()

    expect(page.get_by_role("heading", name="48 Lakeview Terrace")).to_be_visible()
    expect(page.get_by_text("Location: waiting for geocoding")).to_be_visible()
    expect(page.get_by_text("Gate 2468#")).to_be_visible()
    expect(page.get_by_text("No equipment recorded yet.")).to_be_visible()
    fits_the_phone(page)

    page.get_by_role("link", name="Add equipment").click()
    page.get_by_label("Type").select_option(label="Furnace")
    page.get_by_label("Brand").fill("Lennox")
    page.get_by_label("AFUE (%)").fill("96")
    page.get_by_label("Filter size").fill("16x25x1")
    fits_the_phone(page)
    page.get_by_role("button", name="Add equipment").click()

    item = page.locator(".equipment").first
    expect(item).to_contain_text("Furnace · Lennox")
    expect(item).to_contain_text("Completed visits will appear here.")
    fits_the_phone(page)
    item.get_by_text("Delete", exact=True).click()
    expect(item.get_by_role("button", name="Delete Lennox Furnace")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "property-phone.png"), full_page=True)
    context.close()
