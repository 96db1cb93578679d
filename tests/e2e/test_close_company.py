"""An owner closes the company (typing its name), sees on every page that it is closed and
until when it can be exported and reopened, finds that a customer's edit is refused with a page
saying why, and reopens it (P-11)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import sign_in
from tests.factories import Factory

pytestmark = [pytest.mark.e2e]
ARTIFACTS = Path("test-artifacts")


@pytest.mark.promise("P-11")
def test_an_owner_closes_the_company_and_reopens_it(
    browser: Browser, live_server: str, make: Factory
) -> None:
    tenant = make.tenant("Polar Bear HVAC")
    customer = make.customer(tenant.id, "Dana", "Reyes")
    page = browser.new_context().new_page()
    sign_in(page, live_server, tenant.owner.email)

    page.goto(f"{live_server}/company")
    page.get_by_role("link", name="Close the company…").click()
    expect(page.get_by_text("Export for 30 days.")).to_be_visible()
    page.get_by_label("Type the company's name to confirm").fill("Polar Bear")
    page.get_by_role("button", name="Close the company").click()
    expect(page.get_by_text("Type the company's name exactly as it is shown")).to_be_visible()
    page.get_by_label("Type the company's name to confirm").fill("Polar Bear HVAC")
    page.get_by_role("button", name="Close the company").click()

    banner = page.locator(".closed-banner")
    expect(banner).to_contain_text("This company is closed")
    expect(banner).to_contain_text("Export all of your data until")
    expect(banner).to_contain_text("An owner can reopen the company until")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "company-closed.png"), full_page=True)

    page.goto(f"{live_server}/customers/{customer}/edit")
    expect(page.locator(".closed-banner")).to_be_visible()
    page.get_by_label("First name").fill("Danielle")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name="Not saved: this company is closed")).to_be_visible()
    expect(page.get_by_text("its records can be read and exported, not changed")).to_be_visible()

    page.get_by_role("button", name="Reopen the company").click()
    expect(page.get_by_text("is open again")).to_be_visible()
    expect(page.locator(".closed-banner")).to_have_count(0)
    page.goto(f"{live_server}/customers/{customer}/edit")
    page.get_by_label("First name").fill("Danielle")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name="Danielle Reyes")).to_be_visible()
