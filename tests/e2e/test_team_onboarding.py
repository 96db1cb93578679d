"""A company signs up, invites a technician, who joins on a phone, turns on two-step sign-in,
signs out and signs back in with a code."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from app.db import Connection
from tests.e2e.conftest import page_width, phone_context

pytestmark = [pytest.mark.e2e, pytest.mark.promise("P-04")]
ARTIFACTS = Path("test-artifacts")
OWNER_PASSWORD = "owner passphrase 2026"
TECH_PASSWORD = "technician passphrase 2026"


def sign_up_company(page: Page, base_url: str, admin: Connection) -> None:
    page.goto(f"{base_url}/sign-up")
    page.get_by_label("Company name").fill("Polar Bear HVAC")
    page.get_by_label("Time zone").select_option("America/Denver")
    page.get_by_label("Your name").fill("Pat Polar")
    page.get_by_label("Work email").fill("pat@polarbear.example")
    page.get_by_label("Password").fill(OWNER_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    # The emailed confirmation link: the company exists once it is used.
    message = admin.execute(
        "select body_text from outbox.messages where to_address = 'pat@polarbear.example'"
    ).fetchone()
    assert message is not None
    link = re.search(r"http://\S+/sign-up/confirm/\S+", message["body_text"])
    assert link, message["body_text"]
    page.goto(link.group(0))
    assert "/sign-up/confirm/" not in page.url  # the token was traded for the session
    page.get_by_role("button", name="Create Polar Bear HVAC").click()
    expect(page.get_by_role("heading", name="Polar Bear HVAC")).to_be_visible()


def open_menu(page: Page) -> None:
    page.get_by_text("Menu", exact=True).click()


def invite_technician(page: Page) -> str:
    """Invite from the team page and return the link read from the outbox."""
    open_menu(page)
    page.get_by_role("link", name="Team").click()
    page.get_by_label("Email").fill("sam@polarbear.example")
    page.get_by_label("Role").select_option("technician")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to sam@polarbear.example.")).to_be_visible()
    open_menu(page)
    page.get_by_role("link", name="Outbox").click()
    page.get_by_role("link", name=re.compile("invited you to Polar Bear HVAC")).click()
    body = page.locator(".message-body").inner_text()
    match = re.search(r"http://\S+/invitations/\S+", body)
    assert match, body
    return match.group(0)


def current_code(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def test_technician_joins_on_a_phone_and_signs_in_with_two_steps(
    browser: Browser, live_server: str, admin: Connection
):
    office = browser.new_context()
    owner = office.new_page()
    sign_up_company(owner, live_server, admin)
    link = invite_technician(owner)

    phone = phone_context(browser)
    tech = phone.new_page()
    tech.goto(link)
    expect(tech.get_by_role("heading", name="Join Polar Bear HVAC")).to_be_visible()
    assert tech.url.endswith("/invitation")  # the token was traded for the session
    tech.get_by_label("Your name").fill("Sam Summit")
    tech.get_by_label("Choose a password").fill(TECH_PASSWORD)
    tech.get_by_role("button", name="Create account and join").click()
    expect(tech.get_by_text("Welcome to Polar Bear HVAC.")).to_be_visible()
    expect(tech.get_by_text("Signed in as Sam Summit · Technician")).to_be_visible()
    # On a phone the page fits the screen: nothing scrolls sideways.
    assert page_width(tech) <= 390

    open_menu(tech)
    expect(tech.get_by_role("link", name="Team")).to_have_count(0)  # technicians don't manage
    tech.get_by_role("link", name="Account").click()
    tech.get_by_role("link", name="Set up two-step sign-in").click()
    expect(tech.locator(".qr svg")).to_be_visible()
    secret = tech.locator("code.secret").inner_text().strip()
    tech.get_by_label("6-digit code from the app").fill(current_code(secret))
    tech.get_by_role("button", name="Turn on").click()
    expect(tech.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    expect(tech.locator(".codes li")).to_have_count(10)
    ARTIFACTS.mkdir(exist_ok=True)
    tech.screenshot(path=str(ARTIFACTS / "phone-recovery-codes.png"), full_page=True)

    open_menu(tech)
    tech.get_by_role("button", name="Sign out").click()
    expect(tech.get_by_text("You are signed out.")).to_be_visible()

    tech.get_by_label("Email").fill("sam@polarbear.example")
    tech.get_by_label("Password").fill(TECH_PASSWORD)
    tech.get_by_role("button", name="Sign in").click()
    expect(tech.get_by_role("heading", name="Enter your code")).to_be_visible()
    # The enrolment code was used; the next time step's code is accepted (±1 step of drift).
    tech.get_by_label(re.compile("Code from your authenticator app")).fill(
        pyotp.TOTP(secret).at(time.time() + 30)
    )
    tech.get_by_role("button", name="Continue").click()
    expect(tech.get_by_role("heading", name="Polar Bear HVAC")).to_be_visible()
    expect(tech.get_by_text("Signed in as Sam Summit · Technician")).to_be_visible()
    tech.screenshot(path=str(ARTIFACTS / "phone-dashboard.png"), full_page=True)

    # The owner sees the technician on the team page.
    owner.goto(f"{live_server}/team")
    expect(owner.get_by_text("sam@polarbear.example")).to_be_visible()
    office.close()
    phone.close()
