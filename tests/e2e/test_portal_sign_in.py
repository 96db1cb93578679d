"""A homeowner signs in to the portal on a phone (390 by 844) with the code of the message their
company's outbox holds, chooses dark colours, and signs out (issue 14, points 1 and 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from app.db import Connection
from tests.e2e.conftest import page_width, phone_context
from tests.factories import Factory
from tests.portal.support import code_from_outbox

pytestmark = pytest.mark.promise("P-19")


def test_a_homeowner_signs_in_with_a_code_on_a_phone(
    browser: Browser, live_server: str, admin: Connection, make: Factory, tmp_path: Path
) -> None:
    tenant = make.tenant("Cool Breeze HVAC")
    make.customer(tenant.id, "Dana", "Reyes", email="dana@example.com")
    context = phone_context(browser)
    page = context.new_page()

    page.goto(f"{live_server}/portal/")
    assert page.url.startswith(f"{live_server}/portal/sign-in")
    page.get_by_label("Email or mobile number").fill("dana@example.com")
    page.get_by_role("button", name="Send me a code").click()
    page.wait_for_url(f"{live_server}/portal/sign-in/code")
    assert page_width(page) <= 390
    page.screenshot(path=str(tmp_path / "code.png"), full_page=True)
    page.get_by_label("6-digit code").fill(code_from_outbox(admin, "dana@example.com"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/portal/")
    assert page.get_by_role("heading", name="Hello, Dana Reyes").is_visible()

    page.get_by_text("Menu").click()
    page.get_by_label("Dark").check()
    page.get_by_role("button", name="Save colours").click()
    page.wait_for_url(f"{live_server}/portal/")
    assert page.locator("html").get_attribute("data-scheme") == "dark"
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert background == "rgb(15, 20, 26)"
    assert page_width(page) <= 390
    page.screenshot(path=str(tmp_path / "home-dark.png"), full_page=True)

    page.get_by_text("Menu").click()
    page.screenshot(path=str(tmp_path / "menu-dark.png"), full_page=True)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server}/portal/sign-in")
    page.goto(f"{live_server}/portal/")
    assert page.url.startswith(f"{live_server}/portal/sign-in")
    context.close()
