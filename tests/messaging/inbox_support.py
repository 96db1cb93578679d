"""A company texting through its own Twilio account (its auth token sealed as the settings page
seals it), and Twilio's webhooks to it, signed as Twilio signs them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from app import crypto
from app.config import Settings
from app.db import Connection
from app.integrations.sms import TwilioAccount
from tests.messaging.providers import Webhook, inbound_params, signed

PUBLIC_URL = "http://plenum.test"  # the tests' PUBLIC_URL (tests/conftest.py make_settings)


@dataclass(frozen=True)
class TextingCompany:
    tenant_id: UUID
    endpoint_id: str
    account: TwilioAccount
    public_url: str = PUBLIC_URL  # the site's PUBLIC_URL, which Twilio is configured with

    @property
    def inbound_url(self) -> str:
        return f"{self.public_url}/messaging/twilio/{self.endpoint_id}/inbound"

    @property
    def status_url(self) -> str:
        return f"{self.public_url}/messaging/twilio/{self.endpoint_id}/status"

    def text(self, from_: str, body: str) -> Webhook:
        """The signed request Twilio makes when `from_` texts `body` to the company's number."""
        params = inbound_params(self.account.account_sid, from_, self.account.from_number, body)
        return signed(self.account.auth_token, self.inbound_url, params)


def connect_twilio(
    admin: Connection, settings: Settings, tenant_id: UUID, account: TwilioAccount
) -> TextingCompany:
    """Give the company its Twilio account, the token sealed for its row."""
    row = admin.execute(
        "insert into public.messaging_accounts (tenant_id, twilio_account_sid, twilio_from_number)"
        " values (%s, %s, %s) returning id, endpoint_id",
        [tenant_id, account.account_sid, account.from_number],
    ).fetchone()
    assert row is not None
    sealed = crypto.encrypt(
        account.auth_token,
        place=crypto.TWILIO_AUTH_TOKEN.at(tenant_id, row["id"]),
        keyring=crypto.keyring_of(settings),
    )
    admin.execute(
        "update public.messaging_accounts set twilio_auth_token_encrypted = %s where id = %s",
        [sealed, row["id"]],
    )
    return TextingCompany(tenant_id, row["endpoint_id"], account)


def one(conn: Connection, query: str, params: Any = None) -> dict[str, Any]:
    """The one row a read behind the app finds."""
    row = conn.execute(query, params).fetchone()
    assert row is not None, query
    return row
