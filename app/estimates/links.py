"""Estimates as the homeowner sees them: through a link that holds a token (no sign-in). Every
read and write here runs as the token holder (`db.SIGN_IN`), through the narrow definers of
supabase/migrations/20261207140000_estimate_links.sql, which hash the token and answer nothing
for a link that is unknown, revoked or closed."""

from __future__ import annotations

from uuid import UUID

from flask import current_app

from app import db
from app.estimates.approvals import signature_key, signed
from app.estimates.document import Document, from_link
from app.estimates.service import queries


def public_url(token: str) -> str:
    """The link a homeowner opens."""
    return f"{current_app.config['PLENUM'].public_url}/estimate/{token}"


def place(token: str) -> tuple[UUID, UUID] | None:
    """The company and the estimate a link opens, or None for a closed link."""
    db.set_claims(db.SIGN_IN)
    row = db.one(queries.link_place, {"token": token[:200]})
    return (UUID(str(row["tenant_id"])), UUID(str(row["estimate_id"]))) if row else None


def document(token: str) -> Document | None:
    """The estimate behind the link (a first look marks it viewed), or None."""
    db.set_claims(db.SIGN_IN)
    found = db.value(queries.by_link, {"token": token[:200]})
    return from_link(found) if found is not None else None


def approve(token: str, option_id: str, signed_by: str, signature: bytes) -> str:
    """'approved', 'already' (approved before: nothing changes) or 'closed'. The signature is
    kept first and removed again when the approval does not take."""
    where = place(token)
    if where is None:
        return "closed"

    def record(key: str) -> str:
        params = {
            "token": token[:200],
            "option_id": option_id,
            "signed_by": signed_by,
            "signature_key": key,
        }
        return str(db.write(queries.approve_by_link, params)[0]["outcome"])

    return signed(signature_key(*where), signature, record)


def decline(token: str, reason: str) -> str:
    """'declined', 'already' or 'closed'."""
    db.set_claims(db.SIGN_IN)
    params = {"token": token[:200], "reason": reason}
    return str(db.write(queries.decline_by_link, params)[0]["outcome"])
