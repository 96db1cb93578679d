"""Signing a homeowner in without the sign-in flow: a portal session opened directly (as the
sign-in's definer would), for tests of what a signed-in homeowner sees and may do."""

from __future__ import annotations

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
