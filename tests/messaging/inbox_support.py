"""A company texting through its own Twilio account (its auth token sealed as the settings page
seals it), and Twilio's webhooks to it, signed as Twilio signs them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from app.config import Settings
from app.db import Connection
from app.integrations.sms import TwilioAccount
from tests.messaging.providers import Webhook, inbound_params, signed
from tests.messaging.support import connect

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
    row_id = connect(admin, settings, tenant_id, account)
    endpoint = one(
        admin, "select endpoint_id from public.messaging_accounts where id = %s", [row_id]
    )
    return TextingCompany(tenant_id, endpoint["endpoint_id"], account)


def one(conn: Connection, query: str, params: Any = None) -> dict[str, Any]:
    """The one row a read behind the app finds."""
    row = conn.execute(query, params).fetchone()
    assert row is not None, query
    return row
