"""The homeowner's portal in real Chromium on a phone (390 by 844), issue 14's flow: Ruth signs in
with the code her company's outbox holds, books a visit from the live windows (which the office
sees on its dispatch board), approves the estimate the office sent and pays her invoice on
Stripe's page (the loopback Checkout), downloads her data, and finds the office's look at her
record under "Who looked at my record"."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from app.db import Connection
from tests.conftest import TestDatabase, make_settings
from tests.e2e.conftest import page_width, phone_context, sign_in
from tests.e2e.test_estimate_approval import furnace_company, three_options_sent
from tests.e2e.test_money_path import connect_stripe, pay_on_stripes_page
from tests.e2e.test_technician_day import sign_on_the_screen
from tests.factories import Factory, Tenant
from tests.payments.stripe_server import FakeStripe
from tests.portal.support import code_from_outbox
from tests.technician.support import works_every_day

pytestmark = [pytest.mark.e2e, pytest.mark.promise("P-02"), pytest.mark.promise("P-10")]
DESKTOP: ViewportSize = {"width": 1440, "height": 900}
NEW_YORK = ZoneInfo("America/New_York")  # the factories' companies
RUTH = "ruth@example.com"


@pytest.fixture
def company(make: Factory, admin: Connection, database: TestDatabase) -> Iterator[Tenant]:
    """Cascade Heating with Ruth Alvarez's furnace job, a technician working every day, online
    bookings made at once, and a sent invoice of $180.00 for Ruth."""
    tenant, job = furnace_company(make)
    technician = make.member(tenant.id, "technician")
    works_every_day(admin, tenant.id, technician.account_id)
    admin.execute(
        "update public.online_booking_settings set needs_confirmation = false where tenant_id = %s",
        [tenant.id],
    )
    place = admin.execute("select property_id from public.jobs where id = %s", [job]).fetchone()
    assert place is not None
    admin.execute("update public.customers set email = %s where tenant_id = %s", [RUTH, tenant.id])
    make.invoice(tenant.id, place["property_id"], lines=("180.00",), status="sent")
    yield tenant
    shutil.rmtree(Path(make_settings(database).files_dir) / str(tenant.id), True)


def signed_in_with_a_code(home: Page, base: str, admin: Connection) -> None:
    home.goto(f"{base}/portal/")
    home.get_by_label("Email or mobile number").fill(RUTH)
    home.get_by_role("button", name="Send me a code").click()
    home.wait_for_url(f"{base}/portal/sign-in/code")
    home.get_by_label("6-digit code").fill(code_from_outbox(admin, RUTH))
    home.get_by_role("button", name="Sign in").click()
    home.wait_for_url(f"{base}/portal/")
    expect(home.get_by_role("heading", name="Hello, Ruth Alvarez")).to_be_visible()


def booked_from_the_live_windows(home: Page, base: str) -> str:
    """Ruth books a repair at the first free window; the window's value (its start, UTC)."""
    home.goto(f"{base}/portal/book")
    home.get_by_label("What do you need?").select_option(label="Repair")
    home.get_by_label("Describe the problem").fill("The upstairs stays cold")
    home.get_by_role("button", name="See free times").click()
    first = home.locator('input[name="window"]').first
    expect(first).to_be_visible()
    value = first.get_attribute("value")
    assert value
    assert page_width(home) <= 390
    first.check()
    home.get_by_role("button", name="Book this time").click()
    expect(home.get_by_role("heading", name="Your visit is booked")).to_be_visible()
    return value


def test_a_homeowner_books_approves_pays_and_sees_who_looked(
    browser: Browser,
    paying_server: str,
    stripe: FakeStripe,
    company: Tenant,
    admin: Connection,
    tmp_path: Path,
) -> None:
    base = paying_server
    desk_context, phone = browser.new_context(viewport=DESKTOP), phone_context(browser)
    desk, home = desk_context.new_page(), phone.new_page()
    try:
        sign_in(desk, base, company.owner.email)
        connect_stripe(desk, base, stripe)
        job = admin.execute(
            "select id, customer_id from public.jobs where tenant_id = %s", [company.id]
        ).fetchone()
        assert job is not None
        three_options_sent(desk, base, job["id"])
        desk.goto(f"{base}/customers/{job['customer_id']}")  # recorded as a look at her record

        signed_in_with_a_code(home, base, admin)
        starts = booked_from_the_live_windows(home, base)
        home.goto(f"{base}/portal/visits")
        expect(home.get_by_text("The upstairs stays cold")).to_be_visible()
        day = pick_day(starts)
        desk.goto(f"{base}/dispatch?day={day}")
        expect(desk.get_by_text("The upstairs stays cold").first).to_be_visible()

        home.goto(f"{base}/portal/documents")
        home.get_by_role("button", name="Review and approve").click()
        expect(home).to_have_url(re.compile(r"/estimate/view/"))
        home.get_by_label("The option you choose").select_option(label="Better")
        home.get_by_label("Your full name").fill("Ruth Alvarez")
        sign_on_the_screen(home)
        home.get_by_role("button", name="Approve", exact=True).click()
        expect(home.get_by_text("your approval is recorded")).to_be_visible()

        home.goto(f"{base}/portal/documents")
        home.get_by_role("button", name="Pay or download PDF").click()
        expect(home).to_have_url(re.compile(r"/invoice/view/[^/?]+$"))
        home.get_by_role("button", name="Pay $180.00 now").click()
        pay_on_stripes_page(home, "180.00")
        expect(home.get_by_text("Paid in full: thank you.")).to_be_visible()
        home.goto(f"{base}/portal/documents")
        expect(home.locator("table").get_by_text("$180.00")).to_be_visible()

        home.goto(f"{base}/portal/data")
        with home.expect_download() as download:
            home.get_by_role("link", name="Download as JSON").click()
        saved = tmp_path / "my-data.json"
        download.value.save_as(saved)
        held = json.loads(saved.read_text())
        assert "Alvarez" in json.dumps(held)
        looked = home.locator("section[aria-labelledby=who-looked] table")
        expect(looked).to_contain_text("(Owner)")
        assert page_width(home) <= 390
        home.screenshot(path=str(tmp_path / "my-data.png"), full_page=True)
    finally:
        desk_context.close()
        phone.close()


def pick_day(window_value: str) -> str:
    """The company's local day of a window's start as posted (`2026-12-08T14:00:00Z`)."""
    starts = datetime.strptime(window_value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return starts.astimezone(NEW_YORK).date().isoformat()
