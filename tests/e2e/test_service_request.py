"""A service request in real Chromium: a homeowner on a 390 by 844 phone asks for help with a
photo from the portal; the office, on a desktop, finds it in the Requests queue, sees the photo
and replies; the homeowner's phone shows the reply, and their answer puts the request back in
the office's open queue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from playwright.sync_api import Browser, expect

from app.db import Connection
from app.portal.identity import SESSION_KEY
from tests.e2e.conftest import page_width, phone_context, sign_in
from tests.e2e.test_estimate_approval import DESKTOP
from tests.factories import Factory
from tests.portal.support import open_session
from tests.requests.support import jpeg

pytestmark = [pytest.mark.e2e]


def portal_cookie(app: Flask, secret: str) -> str:
    """The session cookie of a browser signed in to the portal (as the sign-in leaves it)."""
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    return str(serializer.dumps({SESSION_KEY: secret}))


def test_a_homeowner_asks_for_help_with_a_photo_and_reads_the_reply(
    browser: Browser,
    live_server: str,
    app: Flask,
    make: Factory,
    admin: Connection,
    tmp_path: Path,
) -> None:
    tenant = make.tenant("Cascade Heating")
    customer = make.customer(tenant.id, "Ruth", "Alvarez")
    make.property(tenant.id, customer, street="12 Elm St")
    _, secret = open_session(admin, tenant.id, customer)
    picture = tmp_path / "thermostat.jpg"
    picture.write_bytes(jpeg(640, 480))

    phone = phone_context(browser)
    phone.add_cookies(
        [{"name": "plenum_session", "value": portal_cookie(app, secret), "url": live_server}]
    )
    desk_context = browser.new_context(viewport=DESKTOP)
    home, desk = phone.new_page(), desk_context.new_page()
    try:
        home.goto(f"{live_server}/portal/requests")
        home.get_by_role("link", name="Ask for help").click()
        home.get_by_label("What is it about?").fill("Thermostat keeps resetting")
        home.get_by_label("Which home?").select_option(label="12 Elm St Springfield")
        home.get_by_label("Describe the problem").fill("It goes back to 60 every night.")
        home.get_by_label("Photos (optional)").set_input_files(str(picture))
        home.get_by_role("button", name="Send").click()
        expect(home.get_by_role("heading", name="Thermostat keeps resetting")).to_be_visible()
        expect(home.locator(".thread img")).to_have_count(1)
        assert page_width(home) <= 390

        sign_in(desk, live_server, tenant.owner.email)
        desk.get_by_role("link", name=re.compile("^Requests")).first.click()
        desk.get_by_role("link", name="Thermostat keeps resetting").click()
        expect(desk.locator(".thread img")).to_have_count(1)
        desk.get_by_label("Reply").fill("Try new batteries first; we can come Tuesday.")
        desk.get_by_role("button", name="Send reply").click()
        expect(desk.get_by_text("Reply added.")).to_be_visible()

        home.reload()
        expect(home.get_by_text("Try new batteries first; we can come Tuesday.")).to_be_visible()
        expect(home.get_by_text("Answered")).to_be_visible()
        home.get_by_label("Your reply").fill("Batteries did not help.")
        home.get_by_role("button", name="Send reply").click()
        expect(home.get_by_text("Batteries did not help.")).to_be_visible()

        desk.goto(f"{live_server}/requests?tab=open")
        expect(desk.get_by_role("link", name="Thermostat keeps resetting")).to_be_visible()
    finally:
        phone.close()
        desk_context.close()
