"""Sessions live on the server as well as in the cookie: sign-out, "sign out everywhere else"
and expiry end them for good, even for a copy of the cookie (P-06)."""

from __future__ import annotations

import hashlib

import pytest

from tests.conftest import Client

pytestmark = pytest.mark.promise("P-06")
COOKIE = "plenum_session"


def copy_of(client: Client, app) -> Client:
    """Another browser holding a copy of `client`'s session cookie."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    thief: Client = app.test_client()
    thief.set_cookie(COOKIE, cookie.value)
    return thief


def is_signed_in(client: Client) -> bool:
    response = client.get("/")
    return response.status_code == 200 and "Signed in as" in response.get_data(as_text=True)


def test_a_cookie_copied_before_sign_out_stops_working_after_it(app, client, make):
    tenant = make.tenant()
    client.sign_in(tenant.owner.email)
    thief = copy_of(client, app)
    assert is_signed_in(thief)  # the copy works while the session is open

    client.submit("/sign-out")

    assert not is_signed_in(thief)
    assert thief.get("/team").status_code == 302


def test_only_the_hash_of_the_session_secret_is_stored(client, make, admin):
    tenant = make.tenant()
    client.sign_in(tenant.owner.email)
    with client.session_transaction() as session:
        secret = session["sid"]
    rows = admin.execute(
        "select encode(id, 'hex') as id from iam.sessions where account_id = %(id)s",
        {"id": tenant.owner.account_id},
    ).fetchall()
    assert len(rows) == 1
    assert secret not in rows[0]["id"]
    assert rows[0]["id"] == hashlib.sha256(secret.encode()).hexdigest()


def test_signing_out_everywhere_else_ends_the_other_browsers_only(app, client, make):
    tenant = make.tenant()
    client.sign_in(tenant.owner.email)
    laptop: Client = app.test_client()
    laptop.sign_in(tenant.owner.email)
    page = client.get("/account").get_data(as_text=True)
    assert page.count("since ") == 2 and "this browser" in page

    response = client.submit("/account/sessions/end-others", follow_redirects=True)

    assert "Signed out of 1 other session." in response.get_data(as_text=True)
    assert not is_signed_in(laptop)
    assert is_signed_in(client)


def test_an_expired_session_is_signed_out(client, make, admin):
    tenant = make.tenant()
    client.sign_in(tenant.owner.email)
    admin.execute(
        "update iam.sessions set expires_at = now() - interval '1 second'"
        " where account_id = %(id)s",
        {"id": tenant.owner.account_id},
    )
    assert not is_signed_in(client)


def test_another_account_cannot_end_my_sessions(app, client, make, admin):
    tenant = make.tenant()
    other = make.member(tenant.id, "admin")
    client.sign_in(tenant.owner.email)
    intruder: Client = app.test_client()
    intruder.sign_in(other.email)
    intruder.submit("/account/sessions/end-others")
    assert is_signed_in(client)
