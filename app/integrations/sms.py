"""The SMS port: texts sent with the company's own Twilio account through the official `twilio`
SDK, to `TWILIO_API_BASE` when it is set (tests run a loopback Twilio), to Twilio's API
otherwise. Each call names the account it sends for, so one worker serves every company; the
address is set on that call's client only. Status callbacks and inbound texts are trusted only
with Twilio's signature. Logs name the kind of failure and Twilio's code, never a token, a
number or a body."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from app.integrations.sending import SendFailed, Sent

__all__ = [
    "SendFailed",
    "Sent",
    "TwilioAccount",
    "find_sent_sms",
    "send_sms",
    "valid_signature",
]

log = logging.getLogger(__name__)
# The SDK logs each request's query (phone numbers) at INFO: keep it to warnings.
_sdk_log = logging.getLogger(__name__ + ".sdk")
_sdk_log.setLevel(logging.WARNING)
TIMEOUT_SECONDS = 10.0
# How many of the newest texts to the recipient `find_sent_sms` reads: far more than a
# company sends one homeowner between a crash and the worker's next try.
RECENT_LIMIT = 200
# Not the process's TWILIO_EDGE or TWILIO_REGION: they would rewrite every company's host.
_NO_ENVIRONMENT = {"TWILIO_EDGE": "", "TWILIO_REGION": ""}

# Twilio's codes for a refusal that is about the message or the account, not the moment.
REFUSALS = {
    20003: "Twilio refused the company's account SID or auth token: check them.",
    20404: "Twilio does not know the company's account or sending number: check them.",
    21211: "Twilio says the number is not a valid phone number.",
    21408: "The company's Twilio account may not send texts to this country.",
    21606: "The company's Twilio number cannot send texts: check it.",
    21610: "The recipient replied STOP to the company's number; Twilio will not text them.",
    21612: "Twilio cannot send texts between these two numbers.",
    21614: "The number cannot receive texts (not a mobile number).",
}
BUSY_CODES = {20429}  # Twilio's "too many requests"


@dataclass(frozen=True)
class TwilioAccount:
    """A company's Twilio credentials and sender: a number (E.164), or a Messaging Service."""

    account_sid: str
    auth_token: str
    from_number: str
    messaging_service_sid: str


_local = threading.local()


def _http_client() -> TwilioHttpClient:
    """One pooled HTTP client per thread (credentials travel with each request, not in it)."""
    client = getattr(_local, "http_client", None)
    if client is None:
        client = TwilioHttpClient(timeout=TIMEOUT_SECONDS, logger=_sdk_log)
        _local.http_client = client
    return client


def _client(account: TwilioAccount, api_base: str | None) -> Client:
    client = Client(
        account.account_sid,
        account.auth_token,
        http_client=_http_client(),
        environment=_NO_ENVIRONMENT,
    )
    if api_base:
        client.api.base_url = api_base.rstrip("/")
    return client


def _failed(error: Exception) -> SendFailed:
    """The refusal as the worker needs it: retry later or not, and words for the office."""
    if isinstance(error, TwilioRestException | TwilioServiceException):
        status = int(error.status or 0)
        code = int(error.code or 0)
        log.warning("sms: Twilio refused: HTTP %s code %s", status, code or "-")
        label = str(code or status)
        if status == 429 or status >= 500 or code in BUSY_CODES:
            return SendFailed(
                "Twilio is busy or unavailable; the text will be tried again.",
                transient=True,
                code=label,
            )
        if code in REFUSALS:
            return SendFailed(REFUSALS[code], transient=False, code=label)
        if status == 401:
            return SendFailed(REFUSALS[20003], transient=False, code=label)
        return SendFailed(f"Twilio refused the text (error {label}).", transient=False, code=label)
    log.warning("sms: Twilio could not be reached: %s", type(error).__name__)
    return SendFailed("Twilio could not be reached; the text will be tried again.", transient=True)


def send_sms(
    account: TwilioAccount,
    *,
    to: str,
    body: str,
    status_callback: str | None,
    api_base: str | None,
) -> Sent:
    """Send `body` to `to` from the account's number or Messaging Service; Twilio answers with
    the message's SID once it has queued it. Raises SendFailed."""
    sender: dict[str, str] = (
        {"messaging_service_sid": account.messaging_service_sid}
        if account.messaging_service_sid
        else {"from_": account.from_number}
    )
    extra = {"status_callback": status_callback} if status_callback else {}
    try:
        message = _client(account, api_base).messages.create(to=to, body=body, **sender, **extra)
    except (TwilioException, requests.RequestException, OSError) as error:
        raise _failed(error) from error
    return Sent(provider_id=str(message.sid), status=str(message.status or "queued"))


def find_sent_sms(
    account: TwilioAccount, *, to: str, body: str, since: datetime, api_base: str | None
) -> Sent | None:
    """The text with this body that Twilio accepted for `to` from this account's sender since
    `since`, if any: how the worker learns, after a crash between Twilio's answer and its own
    commit, that a message already went. Twilio's DateSent filter is by day and a queued text
    has no date sent yet, so the newest texts to `to` are read and compared by creation time."""
    sender: dict[str, str] = {} if account.messaging_service_sid else {"from_": account.from_number}
    # Twilio's dates are to the second; a naive `since` is taken as UTC.
    earliest = since.replace(microsecond=0, tzinfo=since.tzinfo or UTC)
    try:
        for message in _client(account, api_base).messages.stream(
            to=to, limit=RECENT_LIMIT, page_size=50, **sender
        ):
            if account.messaging_service_sid and (
                message.messaging_service_sid != account.messaging_service_sid
            ):
                continue
            created = message.date_created
            if message.body == body and created is not None and created >= earliest:
                return Sent(provider_id=str(message.sid), status=str(message.status))
    except (TwilioException, requests.RequestException, OSError) as error:
        raise _failed(error) from error
    return None


def valid_signature(auth_token: str, url: str, params: Mapping[str, str], signature: str) -> bool:
    """Whether Twilio signed this request (`X-Twilio-Signature`) with the account's auth token:
    the full URL it posted to and its form fields, checked by the SDK's RequestValidator."""
    if not auth_token or not signature:
        return False
    return bool(RequestValidator(auth_token).validate(url, dict(params), signature))
