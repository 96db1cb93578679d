"""The money path's first half, in real Chromium: the office builds a three-option estimate
from a job on a desktop and makes its link; the homeowner opens it on a phone, compares the
options, signs with a finger and approves "Better"; the office sees the approval, the
signature and the visit waiting to be scheduled."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from app.db import Connection
from tests.conftest import TestDatabase, make_settings
from tests.e2e.conftest import page_width, phone_context, sign_in
from tests.e2e.test_technician_day import sign_on_the_screen
from tests.factories import Factory, Tenant

pytestmark = [pytest.mark.e2e]
DESKTOP: ViewportSize = {"width": 1440, "height": 900}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def furnace_company(make: Factory) -> tuple[Tenant, object]:
    """Cascade Heating: Ruth Alvarez's furnace job, a 6.25% tax and furnaces in the book."""
    tenant = make.tenant("Cascade Heating")
    prop = make.property(tenant.id, make.customer(tenant.id, "Ruth", "Alvarez"))
    job = make.job(tenant.id, prop, "install", "Replace the furnace")
    make.tax_rate(tenant.id, "State", "6.25")
    for kind, name, price in (
        ("package", "80% furnace, installed", "4200.00"),
        ("package", "96% furnace, installed", "6100.00"),
        ("package", "Variable-speed 98% furnace, installed", "7900.00"),
        ("service", "Haul away the old furnace", "150.00"),
    ):
        make.price_item(tenant.id, kind, name, price)
    return tenant, job


@pytest.fixture
def company(make: Factory, database: TestDatabase) -> Iterator[tuple[Tenant, object]]:
    tenant, job = furnace_company(make)
    yield tenant, job
    shutil.rmtree(Path(make_settings(database).files_dir) / str(tenant.id), True)


def add_from_the_book(page: Page, option: str, item: str) -> None:
    section = page.locator("section.estimate-option", has=page.get_by_role("heading", name=option))
    details = section.locator("details.add-lines")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    section.get_by_label("From the price book").select_option(label=item)
    section.get_by_role("button", name="Add from the price book").click()
    expect(page.get_by_text("Line added from the price book.")).to_be_visible()


def three_options_sent(desk: Page, base_url: str, job: object) -> str:
    """The office builds EST-1001 for the job with three options (Better: $6,640.63) and makes
    its link (no email); the link."""
    desk.goto(f"{base_url}/jobs/{job}")
    desk.get_by_role("link", name="New estimate").click()
    expect(desk.get_by_label("Title")).to_have_value("Replace the furnace")
    desk.get_by_role("button", name="Start the estimate").click()
    expect(desk.get_by_role("heading", name=re.compile("EST-1001"))).to_be_visible()

    for name in ("Better", "Best"):
        desk.get_by_label("Option", exact=True).fill(name)
        desk.get_by_role("button", name="Add option").click()
    add_from_the_book(desk, "Recommended", "80% furnace, installed (package)")
    add_from_the_book(desk, "Better", "96% furnace, installed (package)")
    add_from_the_book(desk, "Better", "Haul away the old furnace (service)")
    add_from_the_book(desk, "Best", "Variable-speed 98% furnace, installed (package)")
    # Better: 6,100.00 + 150.00 = 6,250.00, tax 6.25% = 381.25 + 9.38 = 390.63.
    better = desk.locator("section.estimate-option", has=desk.get_by_role("heading", name="Better"))
    expect(better).to_contain_text("$6,640.63")
    assert page_width(desk) <= 1440

    desk.get_by_label("Send the link to").fill("")
    desk.get_by_role("button", name="Send the estimate").click()
    link = desk.locator('#send a[href*="/estimate/"]')
    expect(link).to_be_visible()
    url = link.get_attribute("href")
    assert url
    return url


def test_an_estimate_is_built_sent_and_approved_on_a_phone(
    browser: Browser, live_server: str, company: tuple[Tenant, object], admin: Connection
) -> None:
    tenant, job = company
    desk_context, phone = browser.new_context(viewport=DESKTOP), phone_context(browser)
    desk, home = desk_context.new_page(), phone.new_page()
    try:
        sign_in(desk, live_server, tenant.owner.email)
        url = three_options_sent(desk, live_server, job)

        home.goto(url)
        expect(home).to_have_url(re.compile(r"/estimate/view/"))
        expect(home.get_by_role("heading", name="Best")).to_be_visible()
        assert page_width(home) <= 390
        home.get_by_label("The option you choose").select_option(label="Better")
        home.get_by_label("Your full name").fill("Ruth Alvarez")
        sign_on_the_screen(home)
        home.get_by_role("button", name="Approve", exact=True).click()
        expect(home.get_by_text("your approval is recorded")).to_be_visible()
        expect(home.get_by_text("Your choice")).to_be_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        home.screenshot(path=str(ARTIFACTS / "estimate-approved-phone.png"), full_page=True)

        desk.reload()
        expect(desk.get_by_text("Approved by Ruth Alvarez on the link")).to_be_visible()
        signature = desk.get_by_role("img", name="Signature of Ruth Alvarez")
        signature.scroll_into_view_if_needed()
        desk.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=signature.element_handle()
        )
        waiting = admin.execute(
            "select count(*) as n from public.visits where job_id = %s and status = 'unscheduled'",
            [job],
        ).fetchone()
        assert waiting == {"n": 1}
        desk.goto(f"{live_server}/dispatch")
        expect(desk.get_by_text("Replace the furnace").first).to_be_visible()
    finally:
        desk_context.close()
        phone.close()
