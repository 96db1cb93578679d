"""Estimates as the homeowner sees them: through a link that holds a token (no sign-in). Every
read and write here runs as the token holder (`db.SIGN_IN`), through the narrow definers of
supabase/migrations/20261207140000_estimate_links.sql, which hash the token and answer nothing
for a link that is unknown, revoked or closed. What all document links share is in
app/document_links.py."""

from __future__ import annotations

from uuid import UUID

from app import db, document_links
from app.estimates.approvals import signature_key, signed
from app.estimates.document import Document, from_link
from app.estimates.service import queries
from app.integrations import files

KIND = "estimate"  # the link's path (`/estimate/<token>`) and its session keys


def place(token: str) -> tuple[UUID, UUID] | None:
    """The company and the estimate a link opens, or None for a closed link."""
    return document_links.place(queries.link_place, token, "estimate_id")


def document(token: str) -> Document | None:
    """The estimate behind the link (a first look marks it viewed), or None."""
    found = document_links.answer(queries.by_link, token)
    return from_link(found) if found is not None else None


def photo(token: str, photo_id: UUID) -> tuple[UUID, bytes] | None:
    """One photo of the estimate behind the link, made small for a screen
    (files.document_photo): the estimate it belongs to and its JPEG; None for a photo of any
    other estimate, a closed link, or a file that is missing."""
    db.set_claims(db.SIGN_IN)
    row = db.one(queries.photo_by_link, {"token": token[:200], "id": photo_id})
    if row is None:
        return None
    try:
        data = files.document_photo(files.store().get(row["storage_key"]))
    except (files.FileMissing, files.FileRefused):
        return None
    return UUID(str(row["estimate_id"])), data


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
