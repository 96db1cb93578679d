"""Twilio's signed requests as the loopback Twilio makes them, checked with the SDK's
RequestValidator through app.integrations.sms.valid_signature."""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from twilio.request_validator import RequestValidator

from app.integrations.sms import send_sms, valid_signature
from tests.messaging.providers import inbound_params, twilio_signature

# Twilio's published example of a signed request.
DOCUMENTED_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOCUMENTED_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}


def test_twilio_signature_reproduces_twilios_published_example():
    assert twilio_signature("12345", DOCUMENTED_URL, DOCUMENTED_PARAMS) == (
        "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    )


def test_the_sdk_accepts_our_signature_and_refuses_a_tampered_one():
    url = "https://plenum.test/messages/twilio/inbound"
    params = inbound_params("AC" + "a" * 32, "+15551230001", "+15550000000", "STOP")
    signature = twilio_signature("token-1", url, params)
    assert RequestValidator("token-1").validate(url, params, signature)
    assert valid_signature("token-1", url, params, signature)
    assert not valid_signature("token-1", url, {**params, "Body": "START"}, signature)
    assert not valid_signature("token-1", url + "?x=1", params, signature)
    assert not valid_signature(
        "token-1", "https://evil.test/messages/twilio/inbound", params, signature
    )
    assert not valid_signature("token-2", url, params, signature)
    assert not valid_signature(
        "token-1", url, {k: v for k, v in params.items() if k != "From"}, signature
    )
    assert not valid_signature("token-1", url, params, "")
    assert not valid_signature("", url, params, signature)


class Receiver:
    """A loopback endpoint that answers 204 to a request Twilio signed with `token`, 403 else."""

    def __init__(self, token: str) -> None:
        self.posts: list[dict[str, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                params = dict(urllib.parse.parse_qsl(raw.decode()))
                url = receiver.url + self.path
                ok = valid_signature(token, url, params, self.headers.get("X-Twilio-Signature", ""))
                receiver.posts.append(params)
                self.send_response(204 if ok else 403)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver(twilio_account) -> Iterator[Receiver]:
    endpoint = Receiver(twilio_account.auth_token)
    yield endpoint
    endpoint.server.shutdown()
    endpoint.server.server_close()


def test_a_status_callback_reaches_the_url_the_text_named_signed(
    twilio_server, twilio_account, receiver
):
    callback = receiver.url + "/messages/twilio/status?m=1"
    sent = send_sms(
        twilio_account,
        to="+15551240001",
        body="Hi",
        status_callback=callback,
        api_base=twilio_server.url,
    )
    assert twilio_server.deliver_status(sent.provider_id, "delivered") == 204
    assert twilio_server.deliver_status(sent.provider_id, "undelivered", error_code=30003) == 204
    first, second = receiver.posts
    assert (first["MessageSid"], first["MessageStatus"], first["AccountSid"]) == (
        sent.provider_id,
        "delivered",
        twilio_account.account_sid,
    )
    assert (first["To"], first["From"], "ErrorCode" in first) == (
        "+15551240001",
        twilio_account.from_number,
        False,
    )
    assert (second["MessageStatus"], second["ErrorCode"]) == ("undelivered", "30003")
    assert twilio_server.messages[sent.provider_id].status == "undelivered"


def test_a_status_callback_for_a_test_client_is_signed_for_its_url(twilio_server, twilio_account):
    sent = send_sms(
        twilio_account,
        to="+15551240002",
        body="Hi",
        status_callback="http://plenum.test/messages/twilio/status",
        api_base=twilio_server.url,
    )
    hook = twilio_server.status_callback(sent.provider_id, "sent")
    assert hook.url == "http://plenum.test/messages/twilio/status"
    assert valid_signature(
        twilio_account.auth_token, hook.url, hook.params, hook.headers["X-Twilio-Signature"]
    )
    assert not valid_signature(
        "another token", hook.url, hook.params, hook.headers["X-Twilio-Signature"]
    )


def test_a_receiver_refuses_a_callback_signed_with_another_token(
    twilio_server, twilio_account, receiver
):
    """The control for the receiver above: a wrong signature is answered 403."""
    sent = send_sms(
        twilio_account,
        to="+15551240003",
        body="Hi",
        status_callback=receiver.url + "/s",
        api_base=twilio_server.url,
    )
    twilio_server.accounts[twilio_account.account_sid] = "not the company's token"
    try:
        assert twilio_server.deliver_status(sent.provider_id, "delivered") == 403
    finally:
        twilio_server.accounts[twilio_account.account_sid] = twilio_account.auth_token


def test_inbound_params_carry_what_twilio_posts():
    params = inbound_params("AC" + "b" * 32, "+15551230009", "+15550000000", "STOP")
    assert params["MessageSid"].startswith("SM") and params["SmsSid"] == params["MessageSid"]
    assert (params["From"], params["To"], params["Body"], params["NumMedia"]) == (
        "+15551230009",
        "+15550000000",
        "STOP",
        "0",
    )
