"""A paused sign-in offers an emailed link that lets the account's owner back in at once: sent
at most once per pause, the same answer for any address, and usable once (P-06)."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.auth.support import emails_to, open_link, sign_in_response, text, without_csrf

pytestmark = pytest.mark.promise("P-06")

SIGN_IN_LIMIT = 5
UNLOCK_LINK = re.compile(r"http://plenum\.test(/sign-in/unlock/[\w-]+)")
SENT = "If an account uses that address, we have emailed it a link to sign in again"


def pause(client, email: str) -> None:
    for _ in range(SIGN_IN_LIMIT):
        assert sign_in_response(client, email, "a wrong guess").status_code == 401


def unlock_links(admin, email: str) -> list[str]:
    return [
        match.group(1)
        for message in emails_to(admin, email)
        if message["kind"] == "sign_in_unlock"
        for match in [UNLOCK_LINK.search(message["body_text"])]
        if match
    ]


def test_the_paused_page_offers_an_emailed_link(client, admin, make):
    owner = make.tenant().owner
    pause(client, owner.email)

    paused = sign_in_response(client, owner.email, factories.PASSWORD)

    assert paused.status_code == 429
    page = text(paused)
    assert "Wait 15 minutes, or reset your password." in page
    assert "Email me a link to sign in" in page
    assert f'value="{owner.email}"' in page
    response = client.submit("/sign-in/paused", {"email": owner.email}, follow_redirects=True)
    assert SENT in text(response)
    assert len(unlock_links(admin, owner.email)) == 1
    [message] = [m for m in emails_to(admin, owner.email) if m["kind"] == "sign_in_unlock"]
    assert message["subject"] == "Sign in to Plenum again" and message["tenant_id"] is None


def test_one_link_per_pause_and_the_same_answer_for_unknown_addresses(app, admin, make):
    owner = make.tenant().owner
    answers = []
    for email in (owner.email, owner.email, "nobody@example.com"):
        browser = app.test_client()
        response = browser.submit("/sign-in/paused", {"email": email}, follow_redirects=True)
        answers.append((response.status_code, without_csrf(text(response))))

    assert answers[0] == answers[1] == answers[2]
    assert len(unlock_links(admin, owner.email)) == 1
    assert emails_to(admin, "nobody@example.com") == []


def test_the_link_lifts_the_pause_of_that_account_once(client, app, admin, make):
    company = make.tenant()
    owner, other = company.owner, make.member(company.id, "admin")
    pause(client, owner.email)
    pause(client, other.email)
    client.submit("/sign-in/paused", {"email": owner.email})
    [link] = unlock_links(admin, owner.email)

    page = open_link(client, link)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    response = client.submit("/sign-in/unlock", follow_redirects=True)

    assert "Sign-in is open again for your account." in text(response)
    client.sign_in(owner.email)
    assert sign_in_response(app.test_client(), other.email, factories.PASSWORD).status_code == 429
    client.submit("/sign-out")
    assert open_link(client, link).status_code == 410
    assert client.submit("/sign-in/unlock").status_code == 410
