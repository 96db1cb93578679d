"""An estimate's visit photos in real Chromium: the office ticks two of the job's photos with
captions on a desktop and sends the estimate; the homeowner's phone shows both, loaded through
the link, within 390 CSS pixels."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect

from app.db import Connection
from tests.conftest import TestDatabase, make_settings
from tests.e2e.conftest import page_width, phone_context, sign_in
from tests.e2e.test_estimate_approval import DESKTOP
from tests.estimates.test_photos import stored_photo
from tests.factories import Factory, Tenant

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def company(
    make: Factory, database: TestDatabase, app: Flask
) -> Iterator[tuple[Tenant, UUID, list[UUID]]]:
    tenant = make.tenant("Cascade Heating")
    prop = make.property(tenant.id, make.customer(tenant.id, "Ruth", "Alvarez"))
    job = make.job(tenant.id, prop, "install", "Replace the furnace")
    visit = make.visit(tenant.id, job)
    photos = [stored_photo(app, make, tenant.id, visit, n) for n in range(3)]
    yield tenant, job, photos
    shutil.rmtree(Path(make_settings(database).files_dir) / str(tenant.id), True)


def test_the_office_chooses_photos_and_the_homeowner_sees_them_on_a_phone(
    browser: Browser,
    live_server: str,
    company: tuple[Tenant, UUID, list[UUID]],
    admin: Connection,
) -> None:
    tenant, job, _ = company
    desk_context, phone = browser.new_context(viewport=DESKTOP), phone_context(browser)
    desk, home = desk_context.new_page(), phone.new_page()
    try:
        sign_in(desk, live_server, tenant.owner.email)
        desk.goto(f"{live_server}/estimates/new?job_id={job}")
        desk.get_by_role("button", name="Start the estimate").click()
        expect(desk.get_by_role("heading", name=re.compile("EST-1001"))).to_be_visible()
        section = desk.locator("section#photos")
        expect(section.locator("img")).to_have_count(3)
        desk.get_by_label("Show photo 2").check()
        desk.locator("#photos-1-caption").fill("Rust on the burners")
        desk.get_by_label("Show photo 3").check()
        desk.locator("#photos-2-caption").fill("The cracked heat exchanger")
        section.get_by_role("button", name="Save photos").click()
        expect(desk.get_by_text("The estimate shows 2 photos.")).to_be_visible()

        details = desk.locator("details.add-lines").first
        if details.get_attribute("open") is None:
            details.locator("summary").click()
        desk.locator("#o0-line-description").fill("Replace the heat exchanger")
        desk.locator("#o0-line-unit_price").fill("1800.00")
        desk.get_by_role("button", name="Add this line").click()
        desk.get_by_label("Send the link to").fill("")
        desk.get_by_role("button", name="Send the estimate").click()
        link = desk.locator(".notice a").get_attribute("href")
        assert link is not None

        home.goto(link)
        figures = home.locator(".document-photos figure")
        expect(figures).to_have_count(2)
        expect(figures.nth(0)).to_contain_text("Rust on the burners")
        expect(figures.nth(1)).to_contain_text("The cracked heat exchanger")
        for index in range(2):
            image = figures.nth(index).locator("img")
            image.scroll_into_view_if_needed()  # loaded lazily
            # The photo made small, served through the link.
            assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 720
        assert page_width(home) <= 390
    finally:
        desk_context.close()
        phone.close()
