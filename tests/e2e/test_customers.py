"""An office member on a phone adds a customer, finds them by a phone number typed another
way, opens their page, and adds a note; no page scrolls sideways at 390 pixels."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PHONE_VIEWPORT, page_width, phone_context
from tests.factories import PASSWORD, Factory

pytestmark = [pytest.mark.e2e]
ARTIFACTS = Path("test-artifacts")


def fits_the_screen(page: Page) -> bool:
    return page_width(page) <= PHONE_VIEWPORT["width"]


def test_office_adds_finds_and_annotates_a_customer_on_a_phone(
    browser: Browser, live_server: str, make: Factory
):
    tenant = make.tenant("Polar Bear HVAC")
    office = make.member(tenant.id, "office")
    context = phone_context(browser)
    page = context.new_page()
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email").fill(office.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name="Customers").click()
    expect(page.get_by_text("No customers yet")).to_be_visible()
    page.get_by_role("link", name="Add a customer").click()
    page.get_by_label("First name").fill("Dana")
    page.get_by_label("Last name").fill("Reyes")
    page.get_by_label("Phone", exact=True).fill("555-01")
    page.get_by_role("button", name="Add customer").click()
    expect(page.locator("#phone-error")).to_contain_text("Enter a valid phone number")
    assert fits_the_screen(page)
    page.screenshot(path=str(ARTIFACTS / "customer-form-phone.png"), full_page=True)
    page.get_by_label("Phone", exact=True).fill("(312) 555-0123")
    page.get_by_label("Agreed to receive marketing").check()
    page.get_by_label("How marketing consent was given").fill("Signed form at the door")
    page.get_by_label("Restrict processing").check()
    page.get_by_role("button", name="Add customer").click()
    expect(page.get_by_role("heading", name="Dana Reyes")).to_be_visible()

    page.get_by_role("link", name="← Customers").click()
    page.get_by_label("Search").fill("312.555.0123")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/customers\?q="))  # the results page has loaded
    expect(page.get_by_role("link", name="Dana Reyes")).to_be_visible()
    assert fits_the_screen(page)
    page.screenshot(path=str(ARTIFACTS / "customer-list-phone.png"), full_page=True)
    page.get_by_role("link", name="Dana Reyes").click()

    page.get_by_label("Add a note").fill("Dog in the back yard; call before arriving.")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Dog in the back yard; call before arriving.")).to_be_visible()
    expect(page.locator(".badge-danger").first).to_have_text("Processing restricted")
    assert fits_the_screen(page)
    page.screenshot(path=str(ARTIFACTS / "customer-page-phone.png"), full_page=True)
    context.close()
