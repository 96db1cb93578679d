"""The SMS port's interface (the Twilio adapter is not written yet)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TwilioAccount:
    account_sid: str
    auth_token: str
    from_number: str
    messaging_service_sid: str


@dataclass(frozen=True)
class Sent:
    provider_id: str
    status: str


class SendFailed(Exception):
    def __init__(self, reason: str, *, transient: bool, code: str = "") -> None:
        super().__init__(reason)
        self.reason, self.transient, self.code = reason, transient, code


def send_sms(
    account: TwilioAccount, *, to: str, body: str, status_callback: str | None, api_base: str | None
) -> Sent:
    raise NotImplementedError


def find_sent_sms(
    account: TwilioAccount, *, to: str, body: str, since: datetime, api_base: str | None
) -> Sent | None:
    raise NotImplementedError


def valid_signature(auth_token: str, url: str, params: Mapping[str, str], signature: str) -> bool:
    raise NotImplementedError
