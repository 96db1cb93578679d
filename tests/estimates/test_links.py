"""The homeowner's link: sent by the office (the message queued, earlier links withdrawn),
traded for the session on first use so that no later URL holds the token, showing the options
and totals; an approval with a typed name and a drawn signature happens once and makes the
next visit and tells the office; declines keep their reason; withdrawn, unknown and expired
links open nothing."""

from __future__ import annotations

import html
import re
from typing import Any, cast
from uuid import UUID

import pytest
from flask import Flask

from app.access_log import redact
from app.db import Connection
from tests.conftest import Client
from tests.estimates.test_estimates import Office, add_line, options_of, start
from tests.factories import Factory
from tests.technician.support import signature_data_url

LINK = re.compile(r"https?://[^/\s]+/estimate/([A-Za-z0-9_-]{43})")


def text(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def office(make: Factory, client: Client) -> Office:
    return Office(make, client)


def sent(client: Client, office: Office, admin: Connection, job: bool = True) -> tuple[UUID, str]:
    """An estimate with two options, sent by email; its id and the emailed token."""
    estimate = (
        start(client, office) if job else start(client, office, property_id=str(office.property))
    )
    client.submit(f"/estimates/{estimate}/options", {"new-option-name": "Best"})
    options = options_of(admin, estimate)
    add_line(client, options["Recommended"], 0, unit_price="4200.00")
    add_line(client, options["Best"], 1, unit_price="6900.00")
    response = client.submit(f"/estimates/{estimate}/send", {"to": "ruth@homes.example"})
    assert response.status_code == 302, text(response)
    message = admin.execute(
        "select channel, to_address, subject, body from public.messages"
        " where kind = 'estimate_sent' order by created_at desc limit 1"
    ).fetchone()
    assert message is not None and message["to_address"] == "ruth@homes.example"
    assert message["channel"] == "email" and message["subject"].startswith("Your estimate EST-")
    found = LINK.search(message["body"])
    assert found, message["body"]
    return estimate, found.group(1)


def status_of(admin: Connection, estimate: UUID) -> dict[str, Any]:
    row = admin.execute(
        "select status, approved_option_id, approved_by_name, approved_from, signature_key,"
        " approved_visit_id, job_id, decline_reason from public.estimates where id = %s",
        [estimate],
    ).fetchone()
    assert row is not None
    return row


def test_the_link_is_traded_for_the_session_and_shows_the_options(
    app: Flask, client: Client, office: Office, admin: Connection
) -> None:
    estimate, token = sent(client, office, admin)
    homeowner = app.test_client()
    first = homeowner.get(f"/estimate/{token}")
    assert first.status_code == 303
    assert first.headers["Location"].endswith(f"/estimate/view/{estimate}")
    assert token not in first.headers["Location"]
    assert first.headers["Referrer-Policy"] == "no-referrer"
    page = homeowner.get(first.headers["Location"])
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    body = text(page)
    assert "Recommended" in body and "Best" in body and "$6,900.00" in body and token not in body
    assert status_of(admin, estimate)["status"] == "viewed"
    # Another browser, without the token, sees nothing.
    assert app.test_client().get(f"/estimate/view/{estimate}").status_code == 404


def test_the_access_log_never_holds_the_token(
    client: Client, office: Office, admin: Connection
) -> None:
    _, token = sent(client, office, admin)
    assert token not in redact(f'"GET /estimate/{token} HTTP/1.1"')
    kept = f"/estimate/view/{UUID(int=1)}"
    assert redact(kept) == kept


def approve(
    homeowner: Any,
    estimate: UUID,
    option: UUID,
    name: str = "Ruth Alvarez",
    signature: str | None = None,
) -> Any:
    return homeowner.post(
        f"/estimate/view/{estimate}/approve",
        data={
            "csrf_token": csrf(homeowner, estimate),
            "option": str(option),
            "signed_by": name,
            "signature": signature_data_url() if signature is None else signature,
        },
    )


def csrf(homeowner: Any, estimate: UUID) -> str:
    page = text(homeowner.get(f"/estimate/view/{estimate}"))
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    # An answered estimate's page has no form: the session's token from another page then.
    return found.group(1) if found else str(homeowner.csrf_token())


def opened(app: Flask, token: str) -> Any:
    homeowner = app.test_client()
    assert homeowner.get(f"/estimate/{token}").status_code == 303
    return homeowner


@pytest.mark.promise("P-01")
def test_an_approval_happens_once_makes_the_next_visit_and_tells_the_office(
    app: Flask, client: Client, office: Office, admin: Connection, make: Factory
) -> None:
    estimate, token = sent(client, office, admin)
    best = options_of(admin, estimate)["Best"]
    homeowner = opened(app, token)
    assert approve(homeowner, estimate, best).status_code == 303
    row = status_of(admin, estimate)
    assert (row["status"], row["approved_option_id"], row["approved_by_name"]) == (
        "approved",
        best,
        "Ruth Alvarez",
    )
    assert row["approved_from"] and row["signature_key"].endswith(".png")
    visit = admin.execute(
        "select job_id, status from public.visits where id = %s", [row["approved_visit_id"]]
    ).fetchone()
    assert visit is not None and (visit["job_id"], visit["status"]) == (office.job, "unscheduled")
    told = admin.execute(
        "select count(*) as n from outbox.messages where kind = 'estimate_approved'"
    ).fetchone()
    assert told is not None and told["n"] == 2  # the owner and the office member
    again = approve(homeowner, estimate, options_of(admin, estimate)["Recommended"])
    assert again.status_code == 303
    assert "already approved" in text(homeowner.get(f"/estimate/view/{estimate}"))
    assert status_of(admin, estimate)["approved_option_id"] == best
    visits = admin.execute(
        "select count(*) as n from public.visits where job_id = %s", [office.job]
    ).fetchone()
    assert visits is not None and visits["n"] == 1
    signature = client.get(f"/estimates/{estimate}/signature.png")
    assert signature.status_code == 200 and signature.data.startswith(b"\x89PNG")
    stranger = cast(Client, app.test_client())  # the app uses tests.conftest.Client
    other = make.tenant()
    stranger.sign_in(make.member(other.id, "office").email)
    assert stranger.get(f"/estimates/{estimate}/signature.png").status_code == 404
    assert stranger.get(f"/estimate/view/{estimate}").status_code == 404
    late = stranger.post(
        f"/estimate/view/{estimate}/decline", data={"csrf_token": stranger.csrf_token()}
    )
    assert late.status_code == 404


def test_an_estimate_without_a_job_gets_one_when_approved(
    app: Flask, client: Client, office: Office, admin: Connection
) -> None:
    estimate, token = sent(client, office, admin, job=False)
    assert status_of(admin, estimate)["job_id"] is None
    approve(opened(app, token), estimate, options_of(admin, estimate)["Recommended"])
    row = status_of(admin, estimate)
    assert row["status"] == "approved" and row["job_id"] is not None
    job = admin.execute(
        "select property_id, summary from public.jobs where id = %s", [row["job_id"]]
    ).fetchone()
    assert job is not None and job["property_id"] == office.property


@pytest.mark.parametrize(
    ("name", "signature", "message"),
    [
        ("", None, "Type your name to sign."),
        ("Ruth Alvarez", "", "Sign with your finger"),
        ("Ruth Alvarez", "data:image/png;base64,AAAA", "could not be read"),
    ],
)
def test_an_approval_needs_a_name_and_a_signature(
    app: Flask,
    client: Client,
    office: Office,
    admin: Connection,
    name: str,
    signature: str | None,
    message: str,
) -> None:
    estimate, token = sent(client, office, admin)
    homeowner = opened(app, token)
    refused = approve(homeowner, estimate, options_of(admin, estimate)["Best"], name, signature)
    assert refused.status_code == 422 and message in text(refused)
    assert status_of(admin, estimate)["status"] == "viewed"


def test_a_decline_keeps_its_reason(
    app: Flask, client: Client, office: Office, admin: Connection
) -> None:
    estimate, token = sent(client, office, admin)
    homeowner = opened(app, token)
    response = homeowner.post(
        f"/estimate/view/{estimate}/decline",
        data={"csrf_token": csrf(homeowner, estimate), "reason": "Too expensive"},
    )
    assert response.status_code == 303
    row = status_of(admin, estimate)
    assert (row["status"], row["decline_reason"]) == ("declined", "Too expensive")
    assert "Declined" in text(client.get(f"/estimates/{estimate}"))


def test_withdrawn_unknown_and_expired_links_open_nothing(
    app: Flask, client: Client, office: Office, admin: Connection
) -> None:
    estimate, first = sent(client, office, admin)
    second = client.submit(f"/estimates/{estimate}/send", {"to": ""})
    assert second.status_code == 302
    assert app.test_client().get(f"/estimate/{first}").status_code == 410  # sent again
    newest = admin.execute(
        "select id from public.estimate_links where estimate_id = %s and revoked_at is null",
        [estimate],
    ).fetchone()
    assert newest is not None
    assert client.submit(f"/estimates/links/{newest['id']}/revoke").status_code == 302
    assert admin.execute(
        "select count(*) as n from public.estimate_links where estimate_id = %s"
        " and revoked_at is null",
        [estimate],
    ).fetchone() == {"n": 0}
    assert app.test_client().get("/estimate/" + "x" * 43).status_code == 410
    expiring, token = sent(client, office, admin)
    homeowner = opened(app, token)
    token_for_form = csrf(homeowner, expiring)
    admin.execute("alter table public.estimates disable trigger estimates_keep_their_place")
    admin.execute(
        "update public.estimates set valid_until = current_date - 2 where id = %s", [expiring]
    )
    admin.execute("alter table public.estimates enable trigger estimates_keep_their_place")
    assert "expired" in text(homeowner.get(f"/estimate/view/{expiring}"))
    late = homeowner.post(
        f"/estimate/view/{expiring}/approve",
        data={
            "csrf_token": token_for_form,
            "option": str(options_of(admin, expiring)["Best"]),
            "signed_by": "Ruth Alvarez",
            "signature": signature_data_url(),
        },
    )
    assert late.status_code == 303
    assert status_of(admin, expiring)["status"] == "viewed"


def test_a_link_made_without_an_email_is_shown_once_to_the_sender(
    client: Client, office: Office, admin: Connection
) -> None:
    estimate = start(client, office)
    add_line(client, options_of(admin, estimate)["Recommended"], 0)
    client.submit(f"/estimates/{estimate}/send", {"to": ""})
    first = text(client.get(f"/estimates/{estimate}"))
    assert LINK.search(first)
    assert not LINK.search(text(client.get(f"/estimates/{estimate}")))
    assert admin.execute(
        "select count(*) as n from public.messages where kind = 'estimate_sent'"
    ).fetchone() == {"n": 0}
    bad = client.submit(f"/estimates/{estimate}/send", {"to": "not an address"})
    assert bad.status_code == 422


@pytest.mark.promise("P-06")
def test_the_homeowners_forms_refuse_a_request_without_the_csrf_token(
    app: Flask, client: Client, office: Office, admin: Connection
) -> None:
    estimate, token = sent(client, office, admin)
    homeowner = opened(app, token)
    best = str(options_of(admin, estimate)["Best"])
    forged = {"option": best, "signed_by": "Ruth Alvarez", "signature": signature_data_url()}
    assert homeowner.post(f"/estimate/view/{estimate}/approve", data=forged).status_code == 400
    assert homeowner.post(f"/estimate/view/{estimate}/decline", data={}).status_code == 400
    assert status_of(admin, estimate)["status"] == "sent"  # not even looked at
