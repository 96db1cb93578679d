"""The issue's technician flow on a phone: open the day, go en route, arrive, add a note and a
photo, have the customer sign on the screen, complete; the visit then shows in the history
of the furnace it was about, on the technician's visit page and on the office's property page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import TestDatabase, make_settings
from tests.e2e.conftest import page_width, phone_context, sign_in
from tests.factories import Factory
from tests.technician.support import make_day, png, today

pytestmark = [pytest.mark.e2e]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TAP = 44  # CSS pixels: the smallest comfortable touch target
TOUCHABLE = "main button, main .button, main input, main textarea, main .stop-link"


def fits_the_phone(page: Page) -> None:
    """No sideways scrolling, and every button, field and visit link is big enough to tap."""
    assert page_width(page) <= 390
    small = page.evaluate(
        """([selector, tap]) => [...document.querySelectorAll(selector)]
           .filter(e => e.type !== 'hidden' && e.offsetParent !== null)
           .filter(e => e.getBoundingClientRect().height < tap)
           .map(e => e.outerHTML.slice(0, 80))""",
        [TOUCHABLE, TAP],
    )
    assert small == []


def sign_on_the_screen(page: Page) -> None:
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    left, top = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(left, top)
    page.mouse.down()
    for step in range(1, 25):
        page.mouse.move(left + step * 10, top + (15 if step % 2 else -15))
    page.mouse.up()


def test_a_technician_works_a_visit_from_start_to_signature(
    browser: Browser, live_server: str, database: TestDatabase, make: Factory, admin
):
    day = make_day(make)
    files_dir = Path(make_settings(database).files_dir)  # where the live server keeps files
    ARTIFACTS.mkdir(exist_ok=True)
    context = phone_context(browser)
    page = context.new_page()
    try:
        sign_in(page, live_server, day.tech.email)
        page.goto(f"{live_server}/my-day")
        stops = page.locator(".stop")
        expect(stops).to_have_count(2)
        expect(stops.first).to_contain_text("Furnace will not light")
        expect(stops.nth(1)).to_contain_text("New thermostat")
        expect(stops.first.locator("a.directions")).to_have_attribute(
            "href", re.compile(r"^https://www\.google\.com/maps/search/\?api=1&query=48\+Lakeview")
        )
        fits_the_phone(page)
        page.screenshot(path=str(ARTIFACTS / "technician-my-day.png"), full_page=True)

        stops.first.locator(".stop-link").click()
        expect(page.get_by_role("heading", name="Dana Reyes")).to_be_visible()
        expect(page.get_by_text("Gate 4821#, dog is friendly")).to_be_visible()
        fits_the_phone(page)
        page.get_by_role("button", name="On my way").click()
        expect(page.get_by_text("On my way: the office can see it now.")).to_be_visible()
        page.get_by_role("button", name="Arrived").click()
        expect(page.get_by_role("heading", name="Complete the visit")).to_be_visible()

        page.get_by_role("textbox", name="Note").fill("Flame sensor coated; cleaned it.")
        page.get_by_role("button", name="Add note").click()
        expect(page.get_by_text("Flame sensor coated; cleaned it.")).to_be_visible()

        page.get_by_label("Photo", exact=True).set_input_files(
            {"name": "furnace.png", "mimeType": "image/png", "buffer": png(640, 480)}
        )
        page.get_by_role("button", name="Upload photo").click()
        expect(page.get_by_text("Photo added.")).to_be_visible()
        thumbnail = page.locator("#photos img")
        expect(thumbnail).to_have_count(1)
        expect(thumbnail).to_have_attribute(
            "src", re.compile(r"^/my-day/files/[\w-]+\?size=thumb$")
        )
        thumbnail.scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle()
        )
        # The list downloads the small image, a tap opens the whole photo.
        assert thumbnail.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [240, 180]
        full = page.request.get(
            live_server + thumbnail.evaluate("img => img.closest('a').getAttribute('href')")
        )
        assert full.ok and full.headers["content-type"] == "image/jpeg"
        fits_the_phone(page)

        page.get_by_label("What was done").fill("Cleaned the flame sensor; furnace lights.")
        sign_on_the_screen(page)
        page.get_by_label("Name of the person signing").fill("Dana Reyes")
        page.screenshot(path=str(ARTIFACTS / "technician-signing.png"), full_page=True)
        complete = page.get_by_role("button", name="Complete", exact=True)
        box = complete.bounding_box()
        assert box is not None and box["height"] >= TAP and box["width"] >= 300
        complete.click()

        expect(page.get_by_text("Visit completed. Thank you!")).to_be_visible()
        expect(page.get_by_text("Signed by Dana Reyes.")).to_be_visible()
        page.reload()
        history = page.locator("#equipment .history li").first
        expect(history).to_contain_text(f"{today():%b %-d, %Y}")
        expect(history).to_contain_text("Repair: Furnace will not light")
        expect(history).to_contain_text("Cleaned the flame sensor; furnace lights.")
        signature = page.get_by_role("img", name="Signature of Dana Reyes")
        expect(signature).to_be_visible()
        assert signature.evaluate("img => img.naturalWidth") > 0
        page.screenshot(path=str(ARTIFACTS / "technician-visit-completed.png"), full_page=True)

        page.goto(f"{live_server}/my-day/calendar")
        page.get_by_role("button", name="Create feed link").click()
        expect(page.get_by_role("link", name="Add to my phone's calendar")).to_have_attribute(
            "href", re.compile(r"^webcal://127\.0\.0\.1:\d+/calendar/[\w-]+\.ics$")
        )
        fits_the_phone(page)
        feed = page.request.get(page.get_by_label("Or copy the link").input_value())
        assert feed.ok and f"UID:{day.first}@plenum" in feed.text()
        page.screenshot(path=str(ARTIFACTS / "technician-calendar.png"), full_page=True)

        visit = admin.execute(
            "select status, signed_by from public.visits where id = %s", [day.first]
        ).fetchone()
        assert visit == {"status": "completed", "signed_by": "Dana Reyes"}
        kept = admin.execute(
            "select kind, content_type, storage_key from public.visit_files"
            " where visit_id = %s order by kind",
            [day.first],
        ).fetchall()
        assert [(f["kind"], f["content_type"]) for f in kept] == [
            ("photo", "image/jpeg"),  # every photo is kept as a JPEG, written anew
            ("signature", "image/png"),
        ]
        for f in kept:
            assert (files_dir / f["storage_key"]).stat().st_size > 0
        notes = admin.execute(
            "select body from public.visit_notes where visit_id = %s", [day.first]
        ).fetchall()
        assert notes == [{"body": "Flame sensor coated; cleaned it."}]
        serviced = admin.execute(
            "select equipment_id, job_summary from public.equipment_service_records"
            " where visit_id = %s",
            [day.first],
        ).fetchall()
        assert serviced == [{"equipment_id": day.furnace, "job_summary": "Furnace will not light"}]

        # The office sees the visit in the furnace's history on the property page.
        office = browser.new_context(viewport={"width": 1280, "height": 900})
        desk = office.new_page()
        sign_in(desk, live_server, day.tenant.owner.email)
        desk.goto(f"{live_server}/properties/{day.place}")
        entry = desk.locator(".service-history li").first
        expect(entry).to_contain_text(f"{today():%b %-d, %Y}")
        expect(entry).to_contain_text("Repair: Furnace will not light")
        expect(entry).to_contain_text("Cleaned the flame sensor; furnace lights.")
        office.close()
    finally:
        context.close()
        shutil.rmtree(files_dir / str(day.tenant.id), ignore_errors=True)
