"""Signing up: the company and its owner exist once the emailed link is used, or never."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from psycopg.rows import dict_row

from app import db
from tests import factories
from tests.auth.support import (
    account,
    count,
    emails_to,
    field_errors,
    open_link,
    sign_in_response,
    text,
    without_csrf,
)

PASSWORD = "a long passphrase for signing up"
TABLES = ("public.tenants", "iam.accounts", "public.memberships", "iam.sign_ups")
CONFIRM_LINK = re.compile(r"http://plenum\.test(/sign-up/confirm/[\w-]+)")
CONFIRM_PAGE = "/sign-up/confirm"
SIGN_UPS_PER_ADDRESS = 5  # in an hour
SIGN_UPS_PER_EMAIL = 3

# (what is typed differently, the field whose message shows, the message)
INVALID = [
    ({"email": ""}, "email", "Enter an email address."),
    ({"email": "ada.polar.example"}, "email", "Enter a valid email address"),
    ({"email": "ada@"}, "email", "Enter a valid email address"),
    ({"password": ""}, "password", "Choose a password."),
    ({"password": "too short"}, "password", "Use at least 10 characters"),
    ({"company_name": ""}, "company_name", "Enter your company's name."),
    ({"company_name": "   "}, "company_name", "Enter your company's name."),
    ({"company_name": "x" * 201}, "company_name", "At most 200 characters."),
    ({"full_name": ""}, "full_name", "Enter your name."),
    ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "Not a valid choice"),
    ({"time_zone": ""}, "time_zone", "Not a valid choice"),
]


def sign_up_form(**overrides: str) -> dict[str, str]:
    form = {
        "company_name": "Polar Comfort HVAC",
        "time_zone": "America/Chicago",
        "full_name": "Ada Lovelace",
        "email": "ada@polar.example",
        "password": PASSWORD,
    }
    form.update(overrides)
    return form


def counts(admin) -> dict[str, int]:
    return {table: count(admin, table) for table in TABLES}


def confirmation_link(admin, email: str) -> str:
    """The path of the newest confirmation link emailed to `email`."""
    messages = [m for m in emails_to(admin, email) if m["kind"] == "email_verification"]
    assert messages, f"no confirmation email to {email}"
    match = CONFIRM_LINK.search(messages[-1]["body_text"])
    assert match, messages[-1]["body_text"]
    return match.group(1)


@pytest.mark.promise("P-06")
def test_nothing_exists_until_the_email_is_confirmed(client, admin):
    page = text(client.get("/sign-up"))
    assert "Create your company's account" in page
    assert "America/Chicago" in page

    response = client.submit("/sign-up", sign_up_form(email="  Ada@Polar.Example "))

    assert response.status_code == 303
    assert response.headers["Location"] == "/sign-up/sent"
    sent = text(client.get("/sign-up/sent"))
    assert "Check your email" in sent and "ada@polar.example" in sent
    assert counts(admin) == {**{table: 0 for table in TABLES}, "iam.sign_ups": 1}
    [message] = emails_to(admin, "ada@polar.example")
    assert message["subject"] == "Confirm your email to start using Plenum"
    assert message["tenant_id"] is None
    # The company cannot be used, nor can the password sign in, before the link is opened.
    assert client.get("/").headers["Location"] == "/sign-in"
    assert sign_in_response(client, "ada@polar.example", PASSWORD).status_code == 401


@pytest.mark.promise("P-06")
def test_the_confirmation_link_creates_company_and_owner_once(client, admin):
    client.submit("/sign-up", sign_up_form(email="ada@polar.example"))
    link = confirmation_link(admin, "ada@polar.example")

    confirm = open_link(client, link)
    assert confirm.status_code == 200
    assert "Create Polar Comfort HVAC" in text(confirm)
    assert count(admin, "iam.accounts") == count(admin, "public.tenants") == 0  # not yet
    response = client.submit(CONFIRM_PAGE, follow_redirects=True)

    page = text(response)
    assert "Welcome to Plenum. Polar Comfort HVAC is ready." in page
    assert "Signed in as Ada Lovelace · Owner" in page
    owner = account(admin, "ada@polar.example")
    assert owner["full_name"] == "Ada Lovelace"
    tenant = admin.execute("select * from public.tenants").fetchone()
    assert (tenant["name"], tenant["time_zone"]) == ("Polar Comfort HVAC", "America/Chicago")
    membership = admin.execute("select * from public.memberships").fetchone()
    assert (membership["tenant_id"], membership["account_id"]) == (tenant["id"], owner["id"])
    assert (membership["role"], membership["status"]) == ("owner", "active")

    client.submit("/sign-out")
    before = counts(admin)
    again = open_link(client, link)
    assert again.status_code == 410
    assert "This link no longer works" in text(again)
    assert client.submit(CONFIRM_PAGE).status_code == 410
    assert counts(admin) == before
    client.sign_in("ada@polar.example", PASSWORD)


def test_signed_in_person_is_sent_to_the_dashboard(client, make):
    client.sign_in(make.tenant().owner.email)
    response = client.get("/sign-up")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_invalid_sign_up_shows_message_next_to_field_and_saves_nothing(client, admin):
    before = counts(admin)
    for overrides, field, message in INVALID:
        response = client.submit("/sign-up", sign_up_form(**overrides))
        assert response.status_code == 422, overrides
        errors = field_errors(response)
        assert set(errors) == {field}, (overrides, errors)
        assert message in errors[field], (overrides, errors)
        assert PASSWORD not in text(response)
    assert counts(admin) == before
    assert client.get("/").headers["Location"] == "/sign-in"


@pytest.mark.promise("P-06")
def test_a_taken_address_gets_the_same_answer_and_creates_nothing(app, admin, make):
    make.account(email="taken@polar.example")
    before = counts(admin)
    pages = {}
    for email in ("taken@polar.example", "fresh@polar.example"):
        browser = app.test_client()
        response = browser.submit("/sign-up", sign_up_form(email=email.upper()))
        assert (response.status_code, response.headers["Location"]) == (303, "/sign-up/sent")
        page = browser.get("/sign-up/sent")
        pages[email] = (page.status_code, without_csrf(text(page)).replace(email, "EMAIL"))

    assert pages["taken@polar.example"] == pages["fresh@polar.example"]
    # The taken address: nothing new at all, and its owner is told someone tried.
    after = counts(admin)
    assert after == {**before, "iam.sign_ups": before["iam.sign_ups"] + 1}  # the fresh one's
    assert admin.execute(
        "select count(*) as n from iam.sign_ups where email = 'taken@polar.example'"
    ).fetchone() == {"n": 0}
    [told] = emails_to(admin, "taken@polar.example")
    assert told["kind"] == "sign_up_attempt"
    assert "No new account was created." in told["body_text"]
    assert "/sign-up/confirm/" not in told["body_text"]


@pytest.mark.promise("P-06")
def test_sign_ups_are_limited_per_client_address(app, admin):
    browser = app.test_client()
    for n in range(SIGN_UPS_PER_ADDRESS):
        email = f"owner{n}@example.com"
        assert browser.submit("/sign-up", sign_up_form(email=email)).status_code == 303

    refused = browser.submit("/sign-up", sign_up_form(email="one.more@example.com"))

    assert refused.status_code == 429
    assert "Too many sign-ups" in text(refused)
    assert emails_to(admin, "one.more@example.com") == []
    elsewhere = app.test_client()
    other = {"environ_base": {"REMOTE_ADDR": "198.51.100.9"}}
    response = elsewhere.submit("/sign-up", sign_up_form(email="one.more@example.com"), **other)
    assert response.status_code == 303
    assert len(emails_to(admin, "one.more@example.com")) == 1


@pytest.mark.promise("P-06")
def test_sign_ups_are_limited_per_email(app, admin):
    for n in range(SIGN_UPS_PER_EMAIL + 1):
        browser = app.test_client()
        address = {"environ_base": {"REMOTE_ADDR": f"198.51.100.{n + 10}"}}
        response = browser.submit("/sign-up", sign_up_form(), **address)
        assert response.status_code == (303 if n < SIGN_UPS_PER_EMAIL else 429), n
    assert len(emails_to(admin, "ada@polar.example")) == SIGN_UPS_PER_EMAIL


def test_sending_the_link_again_replaces_it(client, admin):
    client.submit("/sign-up", sign_up_form())
    first = confirmation_link(admin, "ada@polar.example")

    resent = client.submit("/sign-up/resend", follow_redirects=True)

    assert "We sent a new link to ada@polar.example." in text(resent)
    second = confirmation_link(admin, "ada@polar.example")
    assert second != first
    assert open_link(client, first).status_code == 410
    assert open_link(client, second).status_code == 200


def test_the_database_refuses_an_unknown_time_zone(client, admin):
    with pytest.raises(psycopg.errors.CheckViolation) as refused:
        admin.execute(
            "select iam.start_sign_up('tz@example.com', 'Tz', %s, 'Tz Co', 'Mars/Olympus_Mons')",
            [factories.password_hash()],
        )
    assert refused.value.diag.constraint_name == "tenants_time_zone_known"


@pytest.mark.promise("P-06")
def test_parallel_sign_ups_from_one_address_cannot_pass_the_limit(database, admin):
    """Eight sign-ups at once from one address: the count and the record are one step, so
    exactly the limit get through, whatever the interleaving."""
    start = threading.Barrier(8)

    def attempt(n: int) -> str:
        with psycopg.connect(database.app_url, row_factory=dict_row) as conn:
            db.begin(conn, {"role": "plenum_signin"}, {"client_addr": "203.0.113.5"})
            start.wait()
            try:
                conn.execute(
                    "select iam.start_sign_up(%s, 'Par Allel', %s, 'Parallel Co',"
                    " 'America/Chicago')",
                    [f"parallel{n}@example.com", factories.password_hash()],
                )
            except psycopg.Error as refused:
                return str(refused.sqlstate)
            conn.commit()
            return "sent"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(8)))

    assert sorted(outcomes) == ["PT429"] * 3 + ["sent"] * SIGN_UPS_PER_ADDRESS
    assert count(admin, "iam.sign_ups") == SIGN_UPS_PER_ADDRESS
