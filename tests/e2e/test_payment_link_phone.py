"""The invoice's payment link on the technician's phone (390 by 844), in real Chromium: the
technician taps "Show a payment link" on a sent invoice, the QR code fills the card and the
page still fits the phone; "Copy link" is reached and pressed with the keyboard; the
homeowner's own phone opens the copied link and sees what is due."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from app.db import Connection
from tests.e2e.conftest import phone_context, sign_in
from tests.e2e.test_technician_day import fits_the_phone
from tests.factories import Factory
from tests.technician.support import make_day

pytestmark = [pytest.mark.e2e]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_the_homeowner_scans_the_link_shown_on_the_technicians_phone(
    browser: Browser, live_server: str, make: Factory, admin: Connection
) -> None:
    day = make_day(make)
    invoice = make.invoice(day.tenant.id, day.place, day.job, lines=("145.00",), status="sent")
    ARTIFACTS.mkdir(exist_ok=True)
    technician = phone_context(browser)
    technician.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    homeowner = phone_context(browser)
    try:
        page = technician.new_page()
        sign_in(page, live_server, day.tech.email)
        page.goto(f"{live_server}/my-day/invoices/{invoice}")
        expect(page.get_by_text("see how much is due")).to_be_visible()
        page.get_by_role("button", name="Show a payment link").click()

        code = page.get_by_role("img", name="QR code of the customer's link, written out below")
        expect(code).to_be_visible()
        # Large enough to scan across a doorstep, once the page has laid it out (a busy machine
        # may measure it mid-layout; a code that never grows fails here after the timeout).
        page.wait_for_function(
            "svg => svg.getBoundingClientRect().width >= 250",
            arg=code.locator("svg").element_handle(),
        )
        fits_the_phone(page)
        link = page.get_by_role("textbox", name="The customer's link").input_value()
        assert f"{live_server}/invoice/" in link
        page.get_by_role("textbox", name="The customer's link").focus()
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Copy link")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.get_by_text("Link copied.")).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()") == link
        page.screenshot(path=str(ARTIFACTS / "technician-payment-link.png"), full_page=True)

        phone = homeowner.new_page()
        phone.goto(link)
        expect(phone.get_by_text("Balance due")).to_be_visible()
        expect(phone.locator("body")).to_contain_text("$145.00")
        assert "/invoice/view/" in phone.url
    finally:
        technician.close()
        homeowner.close()
