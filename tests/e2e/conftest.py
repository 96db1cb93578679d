"""Real headless Chromium (Debian's package) driven by Playwright, against the app served on
a loopback port by a real HTTP server in a thread."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    ViewportSize,
    sync_playwright,
)
from werkzeug.serving import make_server

from app.auth import links
from app.db import admin_connection
from tests.conftest import TestDatabase, make_settings
from tests.factories import PASSWORD
from tests.payments.stripe_server import FakeStripe, running

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without these, Chromium tries to reach Google's hosts at start and is refused here.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_VIEWPORT: ViewportSize = {"width": 390, "height": 844}


def phone_context(browser: Browser) -> BrowserContext:
    """A touch phone of 390 by 844 CSS pixels."""
    return browser.new_context(
        viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, device_scale_factor=3
    )


@contextmanager
def serving(database: TestDatabase, **settings: Any) -> Iterator[str]:
    """The app (with `settings` over the tests' own) on 127.0.0.1 and a free port; yields its
    base URL."""
    from app import create_app

    app: Flask = create_app(make_settings(database, **settings))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    # Emailed links must point at this server, whose port is known only now.
    app.config["PLENUM"] = make_settings(database, public_url=base_url, **settings)
    with admin_connection(database.admin_url) as conn:
        links.store_public_url(conn, base_url)  # the database renders the emailed links
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base_url
    finally:
        server.shutdown()
        app.extensions["plenum.pool"].close()


@pytest.fixture
def live_server(database: TestDatabase) -> Iterator[str]:
    """The app on 127.0.0.1 and a free port; yields its base URL."""
    with serving(database) as base_url:
        yield base_url


@pytest.fixture
def stripe() -> Iterator[FakeStripe]:
    """localstripe and its Checkout page on loopback ports (tests/payments/stripe_server.py)."""
    with running() as fake:
        yield fake


@pytest.fixture
def paying_server(database: TestDatabase, stripe: FakeStripe) -> Iterator[str]:
    """The app, its Stripe calls going to the loopback Stripe."""
    with serving(database, stripe_api_base=stripe.url) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


def page_width(page: Page) -> int:
    """The page's laid-out width in CSS pixels, once its stylesheets have loaded: measured
    earlier, under load, the page can be laid out without them and read as too wide."""
    page.wait_for_load_state("load")
    return int(page.evaluate("document.documentElement.scrollWidth"))


def sign_in(page: Page, base_url: str, email: str) -> None:
    """Sign in through the form, as a person would (the test password of every account)."""
    page.goto(f"{base_url}/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
