"""An owner changes a technician's role and finds the change, field by field, in the audit log,
on a desktop and on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.e2e.conftest import page_width, phone_context, sign_in
from tests.factories import Factory

pytestmark = [pytest.mark.e2e, pytest.mark.promise("P-07")]


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_owner_finds_a_role_change_in_the_audit_log(
    browser: Browser, live_server: str, make: Factory, device: str
):
    tenant = make.tenant("Glacier Heating")
    tech = make.member(tenant.id, "technician")
    context: BrowserContext = phone_context(browser) if device == "phone" else browser.new_context()
    page = context.new_page()
    sign_in(page, live_server, tenant.owner.email)

    page.goto(f"{live_server}/team")
    page.get_by_label(f"Role of {tech.full_name}").select_option("dispatcher")
    page.get_by_role("listitem").filter(has_text=tech.email).get_by_role(
        "button", name="Change role"
    ).click()
    expect(page.get_by_text(f"{tech.full_name} is now Dispatcher.")).to_be_visible()

    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name="Audit log").click()
    page.get_by_label("Action").select_option("update")
    page.get_by_role("button", name="Show").click()
    entry = page.locator(".entry").first
    expect(entry).to_contain_text(
        f"{tenant.owner.full_name} · Changed Team member {tech.full_name}"
    )
    expect(entry.locator("tr", has_text="Role")).to_contain_text("Technician")
    expect(entry.locator("tr", has_text="Role")).to_contain_text("Dispatcher")

    entry.get_by_role("link", name="history").click()
    expect(
        page.get_by_role("heading", name=f"History of Team member {tech.full_name}")
    ).to_be_visible()
    expect(page.locator(".entry")).to_have_count(2)  # added, then changed
    if device == "phone":
        assert page_width(page) <= 390
    context.close()
