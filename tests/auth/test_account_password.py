"""Changing the password from the account page: it takes the current one, and it ends every
other session of the account while this one continues."""

from __future__ import annotations

import pytest

from tests import factories
from tests.auth.support import account, field_errors, sign_in_response, text

NEW_PASSWORD = "a new and longer passphrase"


def change(client, current: str, new: str = NEW_PASSWORD, **kwargs):
    return client.submit(
        "/account/password", {"current_password": current, "new_password": new}, **kwargs
    )


def test_wrong_current_password_is_refused(client, admin, make):
    owner = make.tenant().owner
    client.sign_in(owner.email)
    before = account(admin, owner.email)

    response = change(client, "not my password at all")

    assert response.status_code == 422
    assert field_errors(response) == {"current_password": "That is not your current password."}
    after = account(admin, owner.email)
    assert after["password_hash"] == before["password_hash"]
    assert after["session_version"] == before["session_version"]
    assert client.get("/account").status_code == 200


def test_short_new_password_is_refused(client, admin, make):
    owner = make.tenant().owner
    client.sign_in(owner.email)
    before = account(admin, owner.email)["password_hash"]
    response = change(client, factories.PASSWORD, "short")
    assert response.status_code == 422
    assert "Use at least 10 characters" in field_errors(response)["new_password"]
    assert account(admin, owner.email)["password_hash"] == before


def test_change_keeps_this_session_and_ends_the_others(client, app, admin, make):
    owner = make.tenant().owner
    client.sign_in(owner.email)
    phone = app.test_client()
    phone.sign_in(owner.email)
    assert phone.get("/").status_code == 200

    response = change(client, factories.PASSWORD, follow_redirects=True)

    assert response.request.path == "/account"
    assert "Password changed. Your other sessions are signed out." in text(response)
    assert client.get("/").status_code == 200
    assert phone.get("/").headers["Location"] == "/sign-in"
    assert account(admin, owner.email)["session_version"] == 2

    fresh = app.test_client()
    assert sign_in_response(fresh, owner.email, factories.PASSWORD).status_code == 401
    fresh.sign_in(owner.email, NEW_PASSWORD)


def test_change_needs_a_signed_in_account(client):
    response = change(client, factories.PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


@pytest.mark.promise("P-06")
@pytest.mark.parametrize(
    ("url", "field"),
    [("/account/password", "current_password"), ("/account/two-step/off", "password")],
)
def test_guessing_the_password_from_a_signed_in_session_is_limited(client, admin, make, url, field):
    owner = make.tenant().owner
    client.sign_in(owner.email)
    form = {"new_password": NEW_PASSWORD}
    for _ in range(5):
        assert client.submit(url, {**form, field: "a wrong guess"}).status_code == 422

    response = client.submit(url, {**form, field: factories.PASSWORD})

    assert response.status_code == 429
    assert "Too many wrong passwords" in text(response)
    assert account(admin, owner.email)["session_version"] == 1
    assert client.get("/account").status_code == 200
