"""Texts through the official Twilio SDK (app.integrations.sms) against the loopback Twilio:
what is sent and recorded, how refusals are told apart, and how the worker finds a text that
Twilio accepted before a crash."""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from twilio.rest import Client

from app.integrations.sms import SendFailed, Sent, TwilioAccount, find_sent_sms, send_sms
from tests.messaging.conftest import NetworkGuard
from tests.messaging.providers import TwilioServer, twilio_sid

TO = "+15551230001"
CALLBACK = "http://plenum.test/messages/twilio/status"


def send(
    server: TwilioServer,
    account: TwilioAccount,
    to: str = TO,
    body: str = "Hi",
    callback: str | None = CALLBACK,
) -> Sent:
    return send_sms(account, to=to, body=body, status_callback=callback, api_base=server.url)


def refusal(server: TwilioServer, account: TwilioAccount, to: str = TO) -> SendFailed:
    with pytest.raises(SendFailed) as raised:
        send(server, account, to)
    return raised.value


def test_a_text_goes_from_the_company_number_and_is_recorded_once(twilio_server, twilio_account):
    to = "+15551230002"
    sent = send(twilio_server, twilio_account, to, "Your technician is on the way.")
    assert sent.provider_id.startswith("SM") and len(sent.provider_id) == 34
    assert sent.status == "queued"
    [text] = twilio_server.received(to=to)
    assert (text.sid, text.account, text.from_) == (
        sent.provider_id,
        twilio_account.account_sid,
        twilio_account.from_number,
    )
    assert (text.body, text.status_callback, text.messaging_service_sid) == (
        "Your technician is on the way.",
        CALLBACK,
        "",
    )
    assert twilio_server.count(to, "Your technician is on the way.") == 1


def test_a_messaging_service_sends_without_a_number(twilio_server, twilio_account):
    service = dataclasses.replace(
        twilio_account, from_number="", messaging_service_sid=twilio_sid("MG")
    )
    to = "+15551230003"
    sent = send_sms(
        service, to=to, body="Reminder", status_callback=None, api_base=twilio_server.url
    )
    assert sent.status == "accepted"
    [text] = twilio_server.received(to=to)
    assert (text.messaging_service_sid, text.from_, text.status_callback) == (
        service.messaging_service_sid,
        "",
        "",
    )


def test_a_wrong_auth_token_is_a_permanent_refusal_that_names_no_secret(
    twilio_server, twilio_account
):
    wrong = dataclasses.replace(twilio_account, auth_token="0" * 32)
    failed = refusal(twilio_server, wrong, "+15551230004")
    assert (failed.transient, failed.code) == (False, "20003")
    assert "auth token" in failed.reason
    assert twilio_account.auth_token not in failed.reason and "0" * 32 not in failed.reason
    assert twilio_server.received(to="+15551230004") == []


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [(500, None, "50000"), (503, None, "50300"), (429, 20429, "20429"), (400, 20429, "20429")],
)
def test_a_busy_or_failing_twilio_is_worth_trying_again(
    twilio_server, twilio_account, status, code, expected
):
    to = f"+1555123{status}{code or 0}"[:12]
    twilio_server.fail_next(1, status=status, code=code)
    failed = refusal(twilio_server, twilio_account, to)
    assert (failed.transient, failed.code) == (True, expected)
    assert twilio_server.received(to=to) == []
    send(twilio_server, twilio_account, to)  # the next try goes
    assert twilio_server.count(to, "Hi") == 1


@pytest.mark.parametrize(
    ("code", "words"), [(21211, "not a valid phone number"), (21610, "replied STOP")]
)
def test_a_refused_number_is_a_permanent_refusal(twilio_server, twilio_account, code, words):
    to = f"+1555000{code}"
    twilio_server.refuse_number(to, code=code)
    failed = refusal(twilio_server, twilio_account, to)
    assert (failed.transient, failed.code) == (False, str(code))
    assert words in failed.reason


def test_a_number_that_is_not_e164_is_refused_as_twilio_does(twilio_server, twilio_account):
    failed = refusal(twilio_server, twilio_account, "555-0100")
    assert (failed.transient, failed.code) == (False, "21211")


def test_an_unreachable_twilio_is_worth_trying_again(twilio_account):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(SendFailed) as raised:
        send_sms(
            twilio_account,
            to=TO,
            body="Hi",
            status_callback=None,
            api_base=f"http://127.0.0.1:{port}",
        )
    assert raised.value.transient and "could not be reached" in raised.value.reason


def test_without_an_api_base_the_sdk_calls_twilio_itself(
    twilio_account, loopback_only: NetworkGuard
):
    """The control for the address: with none set, api.twilio.com (refused here) is asked."""
    with pytest.raises(SendFailed) as raised:
        send_sms(twilio_account, to=TO, body="Hi", status_callback=None, api_base=None)
    assert raised.value.transient
    assert "api.twilio.com" in loopback_only.attempts
    loopback_only.attempts.clear()


def test_find_sent_sms_finds_only_this_text_since_then(twilio_server, twilio_account):
    to = "+15551230005"
    before = datetime.now(UTC) - timedelta(seconds=1)
    sent = send(twilio_server, twilio_account, to, "Visit confirmed", callback=None)

    def find(**changes: object) -> object:
        query = {"to": to, "body": "Visit confirmed", "since": before, **changes}
        return find_sent_sms(twilio_account, api_base=twilio_server.url, **query)  # type: ignore[arg-type]

    assert find() == sent
    assert find(body="Visit confirmed!") is None
    assert find(to="+15551230006") is None
    assert find(since=datetime.now(UTC) + timedelta(seconds=2)) is None
    other = dataclasses.replace(twilio_account, from_number="+15559990000")
    assert (
        find_sent_sms(
            other, to=to, body="Visit confirmed", since=before, api_base=twilio_server.url
        )
        is None
    )
    twilio_server.add_account(stranger := twilio_sid("AC"), "token")
    foreign = dataclasses.replace(twilio_account, account_sid=stranger, auth_token="token")
    assert (
        find_sent_sms(
            foreign, to=to, body="Visit confirmed", since=before, api_base=twilio_server.url
        )
        is None
    )


def test_find_sent_sms_reads_past_the_first_page(twilio_server, twilio_account):
    to = "+15551230007"
    since = datetime.now(UTC) - timedelta(seconds=1)
    first = send(twilio_server, twilio_account, to, body="the first")
    for n in range(120):
        send(twilio_server, twilio_account, to, body=f"later {n}")
    found = find_sent_sms(
        twilio_account, to=to, body="the first", since=since, api_base=twilio_server.url
    )
    assert found == first


def test_find_sent_sms_for_a_messaging_service(twilio_server, twilio_account):
    service = dataclasses.replace(
        twilio_account, from_number="", messaging_service_sid=twilio_sid("MG")
    )
    other = dataclasses.replace(service, messaging_service_sid=twilio_sid("MG"))
    to, since = "+15551230008", datetime.now(UTC) - timedelta(seconds=1)
    sent = send_sms(service, to=to, body="Hello", status_callback=None, api_base=twilio_server.url)
    assert (
        find_sent_sms(service, to=to, body="Hello", since=since, api_base=twilio_server.url) == sent
    )
    assert (
        find_sent_sms(other, to=to, body="Hello", since=since, api_base=twilio_server.url) is None
    )


def test_find_sent_sms_when_twilio_fails_is_worth_trying_again(twilio_server, twilio_account):
    twilio_server.fail_next(1, status=503)
    with pytest.raises(SendFailed) as raised:
        find_sent_sms(
            twilio_account, to=TO, body="Hi", since=datetime.now(UTC), api_base=twilio_server.url
        )
    assert raised.value.transient


def test_many_senders_at_once_each_text_recorded_exactly_once(twilio_server, twilio_account):
    numbers = [f"+1555200{n:04d}" for n in range(200)]
    errors: list[Exception] = []

    def worker(mine: list[str]) -> None:
        for to in mine:
            try:
                send(twilio_server, twilio_account, to, body="Batch")
            except Exception as error:  # collected for the assertion below
                errors.append(error)

    threads = [threading.Thread(target=worker, args=(numbers[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert all(twilio_server.count(to, "Batch") == 1 for to in numbers)


def test_the_loopback_twilio_lists_by_date_sent_as_twilio_does(twilio_server, twilio_account):
    """DateSent filters by day and leaves out texts not yet sent: why find_sent_sms reads the
    newest texts instead. A text's own resource is there at once."""
    to = "+15551230010"
    queued = send(twilio_server, twilio_account, to, body="queued")
    delivered = send(twilio_server, twilio_account, to, body="delivered")
    twilio_server.status_callback(delivered.provider_id, "delivered")
    client = Client(twilio_account.account_sid, twilio_account.auth_token)
    client.api.base_url = twilio_server.url
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    listed = client.messages.list(to=to, date_sent_after=today)
    assert [m.sid for m in listed] == [delivered.provider_id]
    assert [m.sid for m in client.messages.list(to=to)] == [
        delivered.provider_id,
        queued.provider_id,
    ]
    fetched = client.messages(queued.provider_id).fetch()
    assert (fetched.status, fetched.body, fetched.date_sent) == ("queued", "queued", None)


def test_the_loopback_twilio_waits_as_long_as_it_is_told(twilio_account):
    slow = TwilioServer(latency=0.3)
    slow.add_account(twilio_account.account_sid, twilio_account.auth_token)
    try:
        started = time.monotonic()
        send(slow, twilio_account)
        assert time.monotonic() - started >= 0.3
    finally:
        slow.close()
