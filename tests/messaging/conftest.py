"""Messaging's fixtures: the loopback Twilio and SendGrid for the whole session, a fresh
company account on each per test, and a guard that fails any test whose code looks up or
connects to a host other than this machine (Twilio and SendGrid included)."""

from __future__ import annotations

import ipaddress
import secrets
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from app.integrations.email import SendGridAccount
from app.integrations.sms import TwilioAccount
from tests.messaging.providers import SendGridServer, TwilioServer, twilio_sid


class OutsideHost(OSError):
    """A test tried to reach a host that is not this machine."""


class NetworkGuard:
    """An audit hook (once per process) refusing DNS look-ups and connections beyond loopback
    while `on`; `attempts` keeps what was refused."""

    def __init__(self) -> None:
        self.on = False
        self.attempts: list[str] = []
        sys.addaudithook(self._audit)

    @staticmethod
    def local(host: Any) -> bool:
        if host in (None, "", "localhost") or not isinstance(host, str):
            return True
        try:
            return ipaddress.ip_address(host.split("%")[0]).is_loopback
        except ValueError:
            return False

    def _audit(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.on:
            return
        if event == "socket.getaddrinfo":
            host = args[0].decode() if isinstance(args[0], bytes) else args[0]
        elif event == "socket.connect" and isinstance(args[1], tuple):
            host = args[1][0]
        else:
            return
        if not self.local(host):
            self.attempts.append(str(host))
            raise OutsideHost(f"not a loopback host: {host}")


GUARD = NetworkGuard()


@pytest.fixture(autouse=True)
def loopback_only() -> Iterator[NetworkGuard]:
    """Every test here: nothing but this machine is contacted. A test that means to try an
    outside host empties `attempts` after checking them."""
    GUARD.on, GUARD.attempts = True, []
    try:
        yield GUARD
    finally:
        GUARD.on = False
    assert GUARD.attempts == [], f"tried to reach {GUARD.attempts}"


@pytest.fixture(scope="session")
def twilio_server() -> Iterator[TwilioServer]:
    server = TwilioServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def sendgrid_server() -> Iterator[SendGridServer]:
    server = SendGridServer()
    yield server
    server.close()


@pytest.fixture
def twilio_account(twilio_server: TwilioServer) -> Iterator[TwilioAccount]:
    """A company's Twilio account, known to the loopback Twilio, sending from a number."""
    account = TwilioAccount(
        account_sid=twilio_sid("AC"),
        auth_token=secrets.token_hex(16),
        from_number="+1555" + str(secrets.randbelow(10**7)).zfill(7),
        messaging_service_sid="",
    )
    twilio_server.add_account(account.account_sid, account.auth_token)
    yield account
    twilio_server.clear_failures()


@pytest.fixture
def sendgrid_account(sendgrid_server: SendGridServer) -> Iterator[SendGridAccount]:
    account = SendGridAccount(
        api_key="SG." + secrets.token_urlsafe(16) + "." + secrets.token_urlsafe(32),
        from_email="office@acme-hvac.example",
        from_name="Acme Heating",
    )
    sendgrid_server.add_key(account.api_key)
    yield account
    sendgrid_server.clear_failures()
