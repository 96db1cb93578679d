"""The office sees the technician's work: a technician completes a visit on a phone with a
photo and the customer's signature (or with the customer not available, and why), and the
office opens the job on a desktop and sees the photo, full size on a click, and the signature."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from tests.conftest import TestDatabase, make_settings
from tests.e2e.conftest import page_width, phone_context, sign_in
from tests.e2e.test_technician_day import sign_on_the_screen
from tests.factories import Factory
from tests.technician.support import Day, make_day, png

pytestmark = [pytest.mark.e2e]
DESKTOP: ViewportSize = {"width": 1440, "height": 900}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass(frozen=True)
class Screens:
    day: Day
    phone: Page  # the technician's, on site at the day's first visit, its form open
    desk: Page  # the owner's, signed in at 1440 by 900


@pytest.fixture
def screens(
    browser: Browser, live_server: str, database: TestDatabase, make: Factory
) -> Iterator[Screens]:
    day = make_day(make)
    phone, office = phone_context(browser), browser.new_context(viewport=DESKTOP)
    page, desk = phone.new_page(), office.new_page()
    try:
        sign_in(page, live_server, day.tech.email)
        page.goto(f"{live_server}/my-day/visits/{day.first}")
        page.get_by_role("button", name="On my way").click()
        page.get_by_role("button", name="Arrived").click()
        expect(page.get_by_role("heading", name="Complete the visit")).to_be_visible()
        sign_in(desk, live_server, day.tenant.owner.email)
        yield Screens(day, page, desk)
    finally:
        phone.close()
        office.close()
        shutil.rmtree(Path(make_settings(database).files_dir) / str(day.tenant.id), True)


def loaded(page: Page, image: Locator) -> None:
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )


def test_the_office_sees_the_technicians_photo_and_signature(screens: Screens, live_server: str):
    page, desk, day = screens.phone, screens.desk, screens.day
    page.get_by_role("textbox", name="Note").fill("Flame sensor coated; cleaned it.")
    page.get_by_role("button", name="Add note").click()
    page.get_by_label("Photo", exact=True).set_input_files(
        {"name": "furnace.png", "mimeType": "image/png", "buffer": png(640, 480)}
    )
    page.get_by_role("button", name="Upload photo").click()
    expect(page.get_by_text("Photo added.")).to_be_visible()
    page.get_by_label("What was done").fill("Cleaned the flame sensor.")
    sign_on_the_screen(page)
    page.get_by_label("Name of the person signing").fill("Dana Reyes")
    page.get_by_role("button", name="Complete", exact=True).click()
    expect(page.get_by_text("Visit completed. Thank you!")).to_be_visible()

    desk.goto(f"{live_server}/jobs/{day.job}")
    visit = desk.locator(f"#visit-{day.first}")
    expect(visit).to_contain_text("Flame sensor coated; cleaned it.")
    expect(visit).to_contain_text("Cleaned the flame sensor.")
    for label in ("Scheduled", "En route", "On site", "Completed"):
        expect(visit.locator(".stamps")).to_contain_text(label)
    thumbnail = visit.locator(".thumbs img")
    expect(thumbnail).to_have_count(1)
    expect(thumbnail).to_have_attribute("loading", "lazy")
    loaded(desk, thumbnail)
    assert thumbnail.evaluate("img => img.naturalWidth") == 240  # the small image
    signature = visit.get_by_role("img", name="Signature of Dana Reyes")
    loaded(desk, signature)
    assert page_width(desk) <= DESKTOP["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    desk.screenshot(path=str(ARTIFACTS / "office-job-work.png"), full_page=True)

    thumbnail.click()  # the whole photo
    expect(desk).to_have_url(re.compile(r"/my-day/files/[\w-]+$"))
    assert desk.evaluate("document.images[0].naturalWidth") == 640


def test_customer_not_available_completes_and_the_office_sees_why(
    screens: Screens, live_server: str
):
    page, desk, day = screens.phone, screens.desk, screens.day
    page.get_by_label("What was done").fill("Replaced the igniter.")
    page.get_by_label("Customer not available to sign").check()
    page.get_by_label("Why the customer cannot sign").fill("Tenant at work; landlord let me in.")
    page.get_by_role("button", name="Complete", exact=True).click()
    expect(page.get_by_text("Visit completed. Thank you!")).to_be_visible()
    expect(page.get_by_text("Tenant at work; landlord let me in.")).to_be_visible()

    desk.goto(f"{live_server}/jobs/{day.job}")
    expect(desk.locator(f"#visit-{day.first}")).to_contain_text(
        "Not signed: the customer was not available (Tenant at work; landlord let me in.)."
    )
