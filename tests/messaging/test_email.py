"""Email through the official SendGrid SDK (app.integrations.email.send_email) against the
loopback SendGrid: what is sent and recorded, and how refusals are told apart."""

from __future__ import annotations

import dataclasses
import json
import socket
import urllib.error
import urllib.request
import uuid

import pytest

from app.integrations.email import SendGridAccount, send_email
from app.integrations.sending import SendFailed, Sent
from tests.messaging.conftest import NetworkGuard

UNSUBSCRIBE = {
    "List-Unsubscribe": "<https://plenum.test/u/abc>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}


def send(account: SendGridAccount, api_base: str | None, **changes: object) -> Sent:
    fields: dict[str, object] = {
        "to": "homeowner@example.com",
        "subject": "Spring tune-up",
        "text": "Book your tune-up.\n",
        "html": None,
        "headers": {},
        "message_id": str(uuid.uuid4()),
        **changes,
    }
    return send_email(account, api_base=api_base, **fields)  # type: ignore[arg-type]


def refusal(account: SendGridAccount, api_base: str | None, **changes: object) -> SendFailed:
    with pytest.raises(SendFailed) as raised:
        send(account, api_base, **changes)
    return raised.value


def test_an_email_goes_with_its_headers_and_message_id(sendgrid_server, sendgrid_account):
    message_id = str(uuid.uuid4())
    sent = send(
        sendgrid_account,
        sendgrid_server.url,
        to="ann@example.com",
        html="<p>Book your tune-up.</p>",
        headers=UNSUBSCRIBE,
        message_id=message_id,
    )
    [mail] = sendgrid_server.received(to="ann@example.com")
    assert sent == Sent(provider_id=mail.message_id, status="accepted") and sent.provider_id
    assert (mail.to, mail.from_, mail.from_name, mail.subject) == (
        ("ann@example.com",),
        "office@acme-hvac.example",
        "Acme Heating",
        "Spring tune-up",
    )
    assert (mail.text, mail.html) == ("Book your tune-up.\n", "<p>Book your tune-up.</p>")
    assert mail.headers == UNSUBSCRIBE
    assert mail.custom_args == {"message_id": message_id}
    assert (mail.api_key, sendgrid_server.count("ann@example.com", "Spring tune-up")) == (
        sendgrid_account.api_key,
        1,
    )


def test_a_wrong_key_is_a_permanent_refusal_that_names_no_secret(sendgrid_server, sendgrid_account):
    wrong = dataclasses.replace(sendgrid_account, api_key="SG.wrong.key")
    failed = refusal(wrong, sendgrid_server.url, to="bob@example.com")
    assert (failed.transient, failed.code) == (False, "401")
    assert failed.reason == "SendGrid refused the company's API key: check it."
    assert sendgrid_server.received(to="bob@example.com") == []


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_busy_or_failing_sendgrid_is_worth_trying_again(
    sendgrid_server, sendgrid_account, status
):
    to = f"busy{status}@example.com"
    sendgrid_server.fail_next(1, status=status)
    failed = refusal(sendgrid_account, sendgrid_server.url, to=to)
    assert (failed.transient, failed.code) == (True, str(status))
    assert sendgrid_server.received(to=to) == []
    send(sendgrid_account, sendgrid_server.url, to=to)
    assert len(sendgrid_server.received(to=to)) == 1


@pytest.mark.parametrize(
    "changes", [{"subject": ""}, {"text": ""}, {"to": "not an address"}], ids=str
)
def test_a_malformed_email_is_a_permanent_refusal(sendgrid_server, sendgrid_account, changes):
    failed = refusal(sendgrid_account, sendgrid_server.url, **changes)
    assert (failed.transient, failed.code) == (False, "400")


def test_the_loopback_sendgrid_names_what_is_missing(sendgrid_server, sendgrid_account):
    request = urllib.request.Request(  # noqa: S310 (loopback)
        sendgrid_server.url + "/v3/mail/send",
        data=json.dumps({"personalizations": [{"to": []}], "from": {"email": "x"}}).encode(),
        headers={"Authorization": f"Bearer {sendgrid_account.api_key}"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310 (loopback)
    assert raised.value.code == 400
    fields = {error["field"] for error in json.loads(raised.value.read())["errors"]}
    assert fields == {"personalizations.0.to", "from.email", "subject", "content"}


def test_an_unreachable_sendgrid_is_worth_trying_again(sendgrid_account):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    failed = refusal(sendgrid_account, f"http://127.0.0.1:{port}")
    assert failed.transient and "could not be reached" in failed.reason


def test_without_an_api_base_the_sdk_calls_sendgrid_itself(
    sendgrid_account, loopback_only: NetworkGuard
):
    """The control for the address: with none set, api.sendgrid.com (refused here) is asked."""
    failed = refusal(sendgrid_account, None)
    assert failed.transient
    assert "api.sendgrid.com" in loopback_only.attempts
    loopback_only.attempts.clear()
