"""Signing a homeowner in without the sign-in flow: a portal session opened directly (as the
sign-in's definer would), for tests of what a signed-in homeowner sees and may do; and, for
tests of the flow itself, the code and link of the latest sign-in message to an address."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from app import crypto
from app.db import Connection
from app.portal.identity import SESSION_KEY, claims_for
from tests.conftest import Client


def open_session(admin: Connection, tenant_id: UUID, customer_id: UUID) -> tuple[UUID, str]:
    """A new portal session for the customer: its id and the browser's secret."""
    secret = crypto.new_token()
    row = admin.execute(
        "insert into iam.portal_sessions (token_hash, tenant_id, customer_id, address, expires_at)"
        " values (%s, %s, %s, 'pat@example.com', %s) returning id",
        [
            crypto.token_hash(secret),
            tenant_id,
            customer_id,
            datetime.now(UTC) + timedelta(hours=12),
        ],
    ).fetchone()
    assert row is not None
    return row["id"], secret


def sign_in(client: Client, admin: Connection, tenant_id: UUID, customer_id: UUID) -> UUID:
    """The test browser is now signed in to the portal as the customer; returns the session id."""
    session_id, secret = open_session(admin, tenant_id, customer_id)
    with client.session_transaction() as session:
        session[SESSION_KEY] = secret
    return session_id


def homeowner_claims(admin: Connection, tenant_id: UUID, customer_id: UUID) -> dict[str, Any]:
    """The claims of a portal request by the customer (with a session open for them)."""
    session_id, _ = open_session(admin, tenant_id, customer_id)
    return claims_for(session_id, tenant_id, customer_id)


SIGN_IN_KIND = "portal_sign_in"  # the kind of message that carries a code and a link


def sign_in_message(admin: Connection, address: str, wait: float = 5.0) -> str:
    """The text of the latest sign-in message to `address` (an email, or a number in E.164):
    from the outbox once the worker has sent it there, else as queued in public.messages. The
    message is queued just after the sign-in page has answered, so it is waited for a moment."""
    deadline = time.monotonic() + wait
    row = _latest_sign_in_message(admin, address)
    while row is None and time.monotonic() < deadline:
        time.sleep(0.05)
        row = _latest_sign_in_message(admin, address)
    assert row is not None, f"no sign-in message to {address}"
    return str(row["body"])


def _latest_sign_in_message(admin: Connection, address: str) -> dict[str, Any] | None:
    return admin.execute(
        "select body, created_at from ("
        "  select body_text as body, created_at from outbox.messages"
        "   where kind = %(kind)s and to_address = %(to)s"
        "  union all"
        "  select body, created_at from public.messages"
        "   where kind = %(kind)s and to_address = %(to)s and direction = 'out'"
        ") m order by created_at desc limit 1",
        {"kind": SIGN_IN_KIND, "to": address},
    ).fetchone()


def code_from_outbox(admin: Connection, address: str) -> str:
    """The 6-digit code of the latest sign-in message to `address`."""
    match = re.search(r"(?<![0-9])([0-9]{6})(?![0-9])", sign_in_message(admin, address))
    assert match, "the sign-in message holds no code"
    return match.group(1)


def link_from_outbox(admin: Connection, address: str) -> str:
    """The path (`/portal/link/<token>`) of the latest sign-in message's link to `address`."""
    match = re.search(r"(/portal/link/[A-Za-z0-9_-]+)", sign_in_message(admin, address))
    assert match, "the sign-in message holds no link"
    return match.group(1)
