"""Signing in and out: the right people get in, nobody learns who has an account, sessions are
fresh at sign-in and gone at sign-out, and `next` never leads off the site."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from tests import factories
from tests.auth.support import sign_in_response, text, without_csrf

MISMATCH = "That email and password don't match an account."


def test_right_password_lands_on_the_dashboard(client, make):
    tenant = make.tenant("Frost & Sons")
    response = sign_in_response(client, tenant.owner.email, factories.PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = text(client.get("/"))
    assert "Frost & Sons" in page
    assert f"Signed in as {tenant.owner.full_name} · Owner" in page


def test_email_is_matched_whatever_its_case(client, make):
    owner = make.tenant().owner
    response = sign_in_response(client, f"  {owner.email.upper()} ", factories.PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused_without_saying_whether_the_account_exists(client, make):
    owner = make.tenant().owner
    wrong = sign_in_response(client, owner.email, "not the password at all")
    unknown = sign_in_response(client, "nobody@example.com", "not the password at all")

    assert wrong.status_code == unknown.status_code == 401
    assert MISMATCH in text(wrong)
    # Apart from the address typed in, the two refusals are the same page.
    assert without_csrf(text(wrong)).replace(owner.email, "EMAIL") == without_csrf(
        text(unknown)
    ).replace("nobody@example.com", "EMAIL")
    assert "not the password at all" not in text(wrong)
    assert client.get("/").headers["Location"] == "/sign-in"


def test_blank_fields_are_shown_next_to_the_fields(client):
    response = client.submit("/sign-in", {"email": "", "password": ""})
    assert response.status_code == 422
    page = text(response)
    assert "Enter an email address." in page
    assert "Enter your password." in page


def test_member_of_no_company_is_signed_in_but_sees_no_company_page(client, make):
    make.account(email="loner@example.com")
    client.sign_in("loner@example.com")
    page = text(client.get("/"))
    assert "You are not part of a company" in page


@pytest.mark.promise("P-06")
def test_session_is_rotated_at_sign_in(client, make):
    owner = make.tenant().owner
    token_before = client.csrf_token()
    with client.session_transaction() as session:
        session["planted"] = "by someone who handed this browser a session"
    cookie_before = client.get_cookie("plenum_session").value

    client.sign_in(owner.email)

    assert client.get_cookie("plenum_session").value != cookie_before
    with client.session_transaction() as session:
        assert "planted" not in session
    assert client.csrf_token() != token_before
    # The token of the session before sign-in no longer works.
    response = client.post("/sign-out", data={"csrf_token": token_before})
    assert response.status_code == 400
    assert client.get("/").status_code == 200


def test_sign_out_is_post_only_and_ends_the_session(client, make):
    owner = make.tenant().owner
    client.sign_in(owner.email)

    assert client.get("/sign-out").status_code == 405
    assert client.get("/").status_code == 200, "a GET must not sign anyone out"

    response = client.submit("/sign-out", follow_redirects=True)
    assert response.request.path == "/sign-in"
    assert "You are signed out." in text(response)
    assert client.get("/").headers["Location"] == "/sign-in"
    assert client.get("/account").headers["Location"].startswith("/sign-in")


@pytest.mark.promise("P-06")
def test_sign_out_needs_the_csrf_token(client, make):
    client.sign_in(make.tenant().owner.email)
    response = client.post("/sign-out")
    assert response.status_code == 400
    assert client.get("/").status_code == 200


def test_next_leads_back_to_the_page_asked_for(client, make):
    owner = make.tenant().owner
    redirect = client.get("/account")
    assert redirect.headers["Location"] == "/sign-in?next=%2Faccount"
    response = client.submit(
        "/sign-in?next=%2Faccount", {"email": owner.email, "password": factories.PASSWORD}
    )
    assert response.headers["Location"] == "/account"


OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "/\t/evil.example/",
    "https:/evil.example/",
    "javascript:alert(1)",
]


@pytest.mark.promise("P-06")
def test_next_never_leads_off_the_site(client, make):
    owner = make.tenant().owner
    response = client.submit(
        "/sign-in",
        {"email": owner.email, "password": factories.PASSWORD},
        query_string={"next": "//evil.example/"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    # Once signed in, the sign-in page forwards to `next` by the same rule.
    for target in OFF_SITE:
        response = client.get("/sign-in", query_string={"next": target})
        assert response.status_code == 302
        assert lands_on_this_site(response.headers["Location"]), (target, response.headers)


def lands_on_this_site(location: str) -> bool:
    """Where a browser goes: it drops tabs and newlines and reads `\\` as `/` in web URLs."""
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    resolved = urlsplit(urljoin("http://plenum.test/sign-in", cleaned))
    return resolved.scheme == "http" and resolved.netloc == "plenum.test"


@pytest.mark.promise("P-03")
def test_removal_takes_effect_on_the_next_request_of_a_signed_in_member(client, admin, make):
    tenant = make.tenant("Frost & Sons")
    technician = make.member(tenant.id, "technician")
    client.sign_in(technician.email)
    assert "Frost & Sons" in text(client.get("/"))

    admin.execute(
        "update public.memberships set status = 'removed', removed_at = now() where id = %s",
        (technician.membership_id,),
    )

    page = text(client.get("/"))
    assert "You are not part of a company" in page
    assert "Frost & Sons" not in page
