"""The money path's second half, in real Chromium: the office sends an invoice from a desktop
and the homeowner opens its link on a phone: the document fits 390 px, says what is due and
offers its PDF."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.e2e.conftest import page_width, phone_context, sign_in
from tests.factories import Factory

pytestmark = [pytest.mark.e2e]
DESKTOP: ViewportSize = {"width": 1440, "height": 900}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def invoice_link_made(desk: Page, base_url: str, invoice: object, button: str) -> str:
    """The office makes the invoice's link (no email) with `button`; the link."""
    desk.goto(f"{base_url}/invoices/{invoice}")
    desk.get_by_label("Send the link to").fill("")
    desk.get_by_role("button", name=button).click()
    link = desk.locator('#send a[href*="/invoice/"]')
    expect(link).to_be_visible()
    url = link.get_attribute("href")
    assert url
    return url


def test_an_invoice_is_sent_and_read_on_a_phone(
    browser: Browser, live_server: str, make: Factory
) -> None:
    tenant = make.tenant("Cascade Heating")
    prop = make.property(tenant.id, make.customer(tenant.id, "Ruth", "Alvarez"))
    invoice = make.invoice(tenant.id, prop, lines=("4200.00", "150.00"))
    desk_context, phone = browser.new_context(viewport=DESKTOP), phone_context(browser)
    desk, home = desk_context.new_page(), phone.new_page()
    try:
        sign_in(desk, live_server, tenant.owner.email)
        url = invoice_link_made(desk, live_server, invoice, "Send the invoice")

        home.goto(url)
        expect(home).to_have_url(re.compile(r"/invoice/view/"))
        expect(home.get_by_role("heading", name=re.compile("Invoice INV-1001"))).to_be_visible()
        expect(home.get_by_text("Balance due")).to_be_visible()
        expect(home.get_by_text("$4,350.00").first).to_be_visible()
        expect(home.get_by_role("link", name="Download PDF")).to_be_visible()
        assert page_width(home) <= 390
        ARTIFACTS.mkdir(exist_ok=True)
        home.screenshot(path=str(ARTIFACTS / "invoice-link-phone.png"), full_page=True)
    finally:
        desk_context.close()
        phone.close()
