"""A forgotten password is replaced through an emailed link that works once, for an hour."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from tests import factories
from tests.auth.support import (
    account,
    count,
    emails_to,
    field_errors,
    open_link,
    reset_token_from_email,
    sign_in_response,
    text,
    without_csrf,
)

NEW_PASSWORD = "a brand new passphrase"
SENT = "If an account uses that address, we have emailed it a link to choose a new password."
CLOSED = "This link no longer works"
RESET_LIMIT = 5  # reset requests per client address in 15 minutes
SIGN_IN_LIMIT = 5  # failed sign-ins per account in 15 minutes
OTHER_ADDRESS = {"environ_base": {"REMOTE_ADDR": "198.51.100.7"}}
PAGE = "/password/reset"  # where a link's token is exchanged for the session


def ask_for_link(client, email: str, **kwargs):
    return client.submit("/password/forgot", {"email": email}, **kwargs)


def reset_link_for(client, admin, email: str) -> str:
    assert ask_for_link(client, email).status_code == 302
    return f"/password/reset/{reset_token_from_email(admin, email)}"


def test_request_says_the_same_whether_or_not_the_account_exists(client, admin, make):
    owner = make.tenant().owner
    known = ask_for_link(client, owner.email, follow_redirects=True)
    unknown = ask_for_link(client, "nobody@example.com", follow_redirects=True)

    assert known.status_code == unknown.status_code == 200
    assert known.request.path == unknown.request.path == "/sign-in"
    assert SENT in text(known)
    assert without_csrf(text(known)) == without_csrf(text(unknown))
    assert len(emails_to(admin, owner.email)) == 1
    assert count(admin, "outbox.messages") == 1
    assert count(admin, "iam.password_resets") == 1


def test_known_email_gets_a_link_that_works_once(client, admin, make):
    owner = make.tenant().owner
    link = reset_link_for(client, admin, owner.email)
    [message] = emails_to(admin, owner.email)
    assert message["subject"] == "Reset your Plenum password"
    assert message["tenant_id"] is None
    assert f"Hello {owner.full_name}," in message["body_text"]
    assert f"http://plenum.test{link}" in message["body_text"]

    form = open_link(client, link)
    assert form.status_code == 200
    assert "Choose a new password" in text(form)
    assert form.headers["Referrer-Policy"] == "no-referrer"
    response = client.submit(PAGE, {"password": NEW_PASSWORD}, follow_redirects=True)
    assert response.request.path == "/sign-in"
    assert "Your password is changed and every other session is signed out." in text(response)

    assert sign_in_response(client, owner.email, factories.PASSWORD).status_code == 401
    client.sign_in(owner.email, NEW_PASSWORD)
    client.submit("/sign-out")

    used = open_link(client, link)
    assert used.status_code == 410
    assert CLOSED in text(used)
    assert client.submit(PAGE, {"password": "yet another passphrase"}).status_code == 410
    client.sign_in(owner.email, NEW_PASSWORD)


def test_expired_or_unknown_link_is_refused_and_changes_nothing(client, admin, make):
    owner = make.tenant().owner
    link = reset_link_for(client, admin, owner.email)
    admin.execute("update iam.password_resets set expires_at = now() - interval '1 second'")
    hash_before = account(admin, owner.email)["password_hash"]

    assert open_link(client, link).status_code == 410
    response = client.submit(PAGE, {"password": NEW_PASSWORD})
    assert response.status_code == 410
    assert CLOSED in text(response)
    assert account(admin, owner.email)["password_hash"] == hash_before
    assert open_link(client, "/password/reset/not-a-real-token").status_code == 410
    # A browser that never opened a link has no token to use.
    assert client.application.test_client().get(PAGE).status_code == 410


def test_link_is_stored_only_as_a_hash_and_lasts_an_hour(client, admin, make):
    owner = make.tenant().owner
    token = reset_link_for(client, admin, owner.email).rsplit("/", 1)[1]
    row = admin.execute(
        "select r.*, r::text as everything, expires_at - created_at as lifetime"
        " from iam.password_resets r"
    ).fetchone()
    assert bytes(row["token_hash"]) == hashlib.sha256(token.encode()).digest()
    assert token not in row["everything"]
    assert token.encode() not in bytes(row["token_hash"])
    assert abs(row["lifetime"] - timedelta(hours=1)).total_seconds() < 60


def test_reset_signs_out_every_other_session(client, app, admin, make):
    owner = make.tenant().owner
    elsewhere = app.test_client()
    elsewhere.sign_in(owner.email)
    assert elsewhere.get("/").status_code == 200
    version_before = account(admin, owner.email)["session_version"]

    link = reset_link_for(client, admin, owner.email)
    open_link(client, link)
    assert client.submit(PAGE, {"password": NEW_PASSWORD}).status_code == 302

    assert account(admin, owner.email)["session_version"] == version_before + 1
    assert elsewhere.get("/").headers["Location"] == "/sign-in"
    assert elsewhere.get("/account").status_code == 302


def test_using_one_link_closes_the_others(client, admin, make):
    owner = make.tenant().owner
    first = reset_link_for(client, admin, owner.email)
    second = reset_link_for(client, admin, owner.email)
    assert first != second
    open_link(client, second)
    assert client.submit(PAGE, {"password": NEW_PASSWORD}).status_code == 302
    assert open_link(client, first).status_code == 410


def test_short_new_password_is_refused_and_link_stays_open(client, admin, make):
    owner = make.tenant().owner
    link = reset_link_for(client, admin, owner.email)
    open_link(client, link)
    response = client.submit(PAGE, {"password": "short"})
    assert response.status_code == 422
    assert "Use at least 10 characters" in field_errors(response)["password"]
    assert client.get(PAGE).status_code == 200


@pytest.mark.promise("P-06")
def test_reset_requests_are_limited_per_address(client, app, admin, make):
    owner = make.tenant().owner
    for _ in range(RESET_LIMIT):
        assert ask_for_link(client, owner.email).status_code == 302

    refused = ask_for_link(client, "nobody@example.com")
    assert refused.status_code == 429
    assert "Too many reset requests from your network" in text(refused)
    assert ask_for_link(client, owner.email).status_code == 429
    assert len(emails_to(admin, owner.email)) == RESET_LIMIT

    assert ask_for_link(app.test_client(), owner.email, **OTHER_ADDRESS).status_code == 302
    assert len(emails_to(admin, owner.email)) == RESET_LIMIT + 1


@pytest.mark.promise("P-06")
def test_reset_lifts_the_sign_in_pause_it_offers_as_a_way_out(client, app, admin, make):
    owner = make.tenant().owner
    for _ in range(SIGN_IN_LIMIT):
        assert sign_in_response(client, owner.email, "a wrong guess").status_code == 401
    paused = sign_in_response(client, owner.email, factories.PASSWORD)
    assert paused.status_code == 429
    assert "or reset your password" in text(paused)

    link = reset_link_for(client, admin, owner.email)
    open_link(client, link)
    assert client.submit(PAGE, {"password": NEW_PASSWORD}).status_code == 302

    client.sign_in(owner.email, NEW_PASSWORD)
