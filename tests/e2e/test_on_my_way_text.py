"""The technician taps "On my way" on their phone; the worker's sweeps queue the notice and
send it through the company's Twilio account, and the homeowner's phone (the loopback Twilio,
spoken to by the official SDK) receives the text with the technician's first name and the
travel time from their stop before (both houses placed by geocoding)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from uuid import UUID

import pytest
from playwright.sync_api import Browser, expect
from psycopg_pool import ConnectionPool

from app.db import Connection
from app.integrations import maps
from app.integrations.sms import TwilioAccount
from jobs import messages, notices
from tests.conftest import TestDatabase, make_settings
from tests.e2e.conftest import phone_context, serving, sign_in
from tests.factories import Factory
from tests.messaging.providers import TwilioServer, twilio_sid
from tests.messaging.support import connect
from tests.technician.support import at, make_day, today

pytestmark = [pytest.mark.e2e]
HOMEOWNER = "+13125550142"  # Dana Reyes's mobile (tests/technician/support.py)


@pytest.fixture
def twilio_server() -> Iterator[TwilioServer]:
    server = TwilioServer()
    yield server
    server.close()


def connect_twilio(
    admin: Connection, database: TestDatabase, tenant_id: UUID, twilio: TwilioServer
) -> None:
    """The company's messaging account: a Twilio account the loopback Twilio knows."""
    account = TwilioAccount(twilio_sid("AC"), secrets.token_hex(16), "+13125550100", "")
    twilio.add_account(account.account_sid, account.auth_token)
    connect(admin, make_settings(database), tenant_id, account, rate=100)


def test_the_homeowner_gets_a_text_when_the_technician_is_on_the_way(
    browser: Browser,
    database: TestDatabase,
    make: Factory,
    admin: Connection,
    pool: ConnectionPool,
    twilio_server: TwilioServer,
):
    day = make_day(make)
    admin.execute(
        "update public.memberships set full_name = 'Sam Rivera' where account_id = %s",
        [day.tech.account_id],
    )
    connect_twilio(admin, database, day.tenant.id, twilio_server)
    settings = make_settings(database, twilio_api_base=twilio_server.url)
    # Sam's stop before: a house about three and a half miles south, where Sam is now.
    before = make.property(day.tenant.id, make.customer(day.tenant.id, "Lee"), street="9 Oak St")
    earlier = make.visit(
        day.tenant.id,
        make.job(day.tenant.id, before),
        at(today(), 7),
        technicians=(day.tech.account_id,),
    )
    for step in ("en_route", "on_site"):
        admin.execute("update public.visits set status = %s where id = %s", [step, earlier])
    for place, latitude in ((before, 43.05), (day.place, 43.10)):
        admin.execute(
            "update public.properties set latitude = %s, longitude = -89.40,"
            " geocode_status = 'done' where id = %s",
            [latitude, place],
        )
    minutes = maps.eta_minutes(settings, 43.05, -89.40, 43.10, -89.40)
    assert minutes == 9  # 3.45 miles x 1.3 on the road at 30 mph, rounded up

    with serving(database, twilio_api_base=twilio_server.url) as base_url:
        context = phone_context(browser)
        page = context.new_page()
        try:
            sign_in(page, base_url, day.tech.email)
            page.goto(f"{base_url}/my-day/visits/{day.first}")
            page.get_by_role("button", name="On my way").click()
            expect(page.get_by_text("On my way: the office can see it now.")).to_be_visible()
        finally:
            context.close()

    notices.sweep(pool, settings)
    messages.sweep(pool, settings)
    notices.sweep(pool, settings)  # nothing twice
    messages.sweep(pool, settings)

    texts = [sms for sms in twilio_server.received(HOMEOWNER) if "on the way" in sms.body]
    assert [sms.body for sms in texts] == [
        "Hi Dana, Sam from Polar Air is on the way, arriving in about 9 minutes."
    ]
    assert texts[0].from_ == "+13125550100"
    assert texts[0].status_callback.endswith("/status")
    status = admin.execute(
        "select status, provider_id from public.messages where kind = 'on_my_way'"
    ).fetchone()
    assert status is not None and status["status"] == "sent"
    assert status["provider_id"] == texts[0].sid


def test_the_owner_rewords_a_text_with_its_length_counted_as_typed(
    browser: Browser, live_server: str, make: Factory, admin: Connection
):
    tenant = make.tenant("Polar Air")
    page = browser.new_page()
    try:
        sign_in(page, live_server, tenant.owner.email)
        page.goto(f"{live_server}/company/messaging/templates")
        page.get_by_role("link", name="On my way").click()
        text = page.get_by_label("Text message")
        text.fill("{technician} is coming{eta} 🙂")
        expect(page.locator("#sms-typed")).to_have_text(
            "As typed: 29 characters, 1 segment (UCS-2)"
        )
        page.get_by_role("button", name="Preview").click()
        expect(page.locator("#preview-sms")).to_have_text(
            "Sam is coming, arriving in about 25 minutes 🙂"
        )
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("On my way: saved.")).to_be_visible()
        page.get_by_role("button", name="Reset to the built-in wording").click()
        expect(page.get_by_text("On my way: back to the built-in wording.")).to_be_visible()
    finally:
        page.close()
    row = admin.execute("select sms_body from public.message_templates").fetchone()
    assert row is not None and "{technician} from {company} is on the way{eta}." in row["sms_body"]
