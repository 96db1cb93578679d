"""Two-way texting in real Chromium: a homeowner's text (posted to the app over HTTP, signed
as Twilio signs it) shows in the office inbox with an unread count; an office member opens it
and answers; the worker sends the answer to the homeowner's number on the loopback Twilio, and
Twilio's delivery callback shows on the thread."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ViewportSize, expect
from psycopg_pool import ConnectionPool

from app.db import Connection
from jobs.messages import sweep
from tests.clock import set_clock
from tests.conftest import TestDatabase, make_settings
from tests.e2e.conftest import page_width, phone_context, serving, sign_in
from tests.factories import Factory
from tests.messaging.conftest import twilio_account, twilio_server  # noqa: F401 (fixtures)
from tests.messaging.inbox_support import connect_twilio
from tests.messaging.providers import TwilioServer

pytestmark = [pytest.mark.e2e]
DESKTOP: ViewportSize = {"width": 1440, "height": 900}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
HOMEOWNER = "+15085550142"


def test_a_homeowners_text_is_answered_from_the_office_inbox(
    browser: Browser,
    make: Factory,
    admin: Connection,
    database: TestDatabase,
    pool: ConnectionPool,
    twilio_server: TwilioServer,  # noqa: F811
    twilio_account,  # noqa: F811
) -> None:
    tenant = make.tenant("Cascade Heating")
    make.customer(tenant.id, "Ruth", "Alvarez", phone=HOMEOWNER)
    office = make.member(tenant.id, "office")
    set_clock(admin, datetime(2026, 12, 7, 16, 0, tzinfo=UTC))  # 11 AM in the company's zone
    company = connect_twilio(admin, make_settings(database), tenant.id, twilio_account)
    with serving(database, twilio_api_base=twilio_server.url) as base_url:
        company = dataclasses.replace(company, public_url=base_url)
        assert company.text(HOMEOWNER, "Is the technician still coming at 2?").post() == 200

        desk_context = browser.new_context(viewport=DESKTOP)
        desk = desk_context.new_page()
        try:
            sign_in(desk, base_url, office.email)
            menu_entry = desk.get_by_role("navigation", name="Main").get_by_role(
                "link", name=re.compile(r"^Messages 1 unread$")
            )
            expect(menu_entry).to_be_visible()
            menu_entry.click()
            desk.get_by_role("link", name="Ruth Alvarez").click()
            expect(desk.get_by_text("Is the technician still coming at 2?")).to_be_visible()
            expect(
                desk.get_by_role("navigation", name="Main").get_by_role("link", name="Messages")
            ).to_have_text("Messages")  # opened: nothing unread
            desk.get_by_label("Reply").fill("Yes, Sam will be there between 2 and 3.")
            desk.get_by_role("button", name="Send reply").click()
            expect(desk.get_by_text("Reply queued")).to_be_visible()

            settings = make_settings(
                database, public_url=base_url, twilio_api_base=twilio_server.url
            )
            assert sweep(pool, settings) == 1
            [text] = [
                t
                for t in twilio_server.received(to=HOMEOWNER)
                if t.account == twilio_account.account_sid
            ]
            assert text.body == "Yes, Sam will be there between 2 and 3."
            assert text.from_ == twilio_account.from_number
            assert text.status_callback == company.status_url

            assert twilio_server.deliver_status(text.sid, "delivered") == 204
            ARTIFACTS.mkdir(exist_ok=True)
            desk.reload()
            thread = desk.locator(".thread .text.out")
            expect(thread).to_contain_text("Delivered")

            desk.get_by_role("link", name="Customer page").click()
            texts = desk.locator("#texts")
            expect(texts).to_contain_text("Is the technician still coming at 2?")
            expect(texts.get_by_label("Reply")).to_be_visible()
            desk.screenshot(path=str(ARTIFACTS / "customer-texts.png"), full_page=True)
            desk.goto(f"{base_url}/messages")
            expect(desk.get_by_role("link", name="Ruth Alvarez")).to_be_visible()
            desk.screenshot(path=str(ARTIFACTS / "inbox.png"))

            phone = phone_context(browser)
            small = phone.new_page()
            sign_in(small, base_url, office.email)
            small.goto(desk.url)
            expect(small.get_by_text("Yes, Sam will be there")).to_be_visible()
            assert page_width(small) <= 390
            desk.screenshot(path=str(ARTIFACTS / "office-texts.png"), full_page=True)
            small.screenshot(path=str(ARTIFACTS / "office-texts-phone.png"), full_page=True)
            phone.close()
        finally:
            desk_context.close()
