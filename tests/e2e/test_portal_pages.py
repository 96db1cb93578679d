"""The homeowner's portal pages on a phone (390 by 844): each lays out within the screen, with
the company's menu, in real Chromium."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from flask.sessions import SecureCookieSessionInterface
from playwright.sync_api import Browser

from app import create_app
from app.db import Connection
from app.portal.identity import SESSION_KEY
from tests.conftest import TestDatabase, make_settings
from tests.e2e.conftest import page_width, phone_context
from tests.factories import Factory
from tests.portal.documents_support import sent_estimate, sent_invoice
from tests.portal.support import open_session
from tests.technician.support import works_every_day

PAGES = ("/portal/", "/portal/visits", "/portal/book", "/portal/documents",
         "/portal/properties", "/portal/agreements", "/portal/requests", "/portal/details",
         "/portal/data", "/portal/data/requests")  # fmt: skip


def portal_cookie(database: TestDatabase, secret: str) -> str:
    """The session cookie of a browser signed in to the portal (signed with the tests' key)."""
    app = create_app(make_settings(database))
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    return str(serializer.dumps({SESSION_KEY: secret}))


@pytest.mark.promise("P-02")
def test_every_portal_page_fits_a_phone(
    browser: Browser, live_server: str, database: TestDatabase, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant("Cool Breeze HVAC")
    me = make.customer(tenant.id, "Dana", "Reyes", email="dana@homes.example")
    home = make.property(tenant.id, me, street="12 Elm Street")
    make.equipment(tenant.id, home)
    make.visit(
        tenant.id,
        make.job(tenant.id, home, summary="Furnace makes a noise"),
        datetime.now(UTC) + timedelta(days=5),
    )
    make.agreement(tenant.id, home)
    works_every_day(admin, tenant.id, make.member(tenant.id, "technician").account_id)
    sent_estimate(make, tenant.id, me)
    sent_invoice(make, tenant.id, me)
    _, secret = open_session(admin, tenant.id, me)
    context = phone_context(browser)
    context.add_cookies(
        [{"name": "plenum_session", "value": portal_cookie(database, secret), "url": live_server}]
    )
    page = context.new_page()
    try:
        for path in PAGES:
            page.goto(f"{live_server}{path}")
            assert page.url == f"{live_server}{path}", path
            assert page.locator(".portal-topbar").inner_text().startswith("Cool Breeze HVAC")
            assert page_width(page) <= 390, path
        page.goto(f"{live_server}/portal/visits")
        page.locator(".portal-visit a").first.click()
        page.get_by_role("button", name="Move my visit").wait_for()
        shots = os.environ.get("PORTAL_SCREENSHOTS")
        if shots:  # for a look at the pages by hand
            for path in PAGES:
                page.goto(f"{live_server}{path}")
                page.screenshot(path=f"{shots}/{path.strip('/').replace('/', '-')}.png")
    finally:
        context.close()
