"""An approval with a drawn signature, on the link or in person: the signature is kept first
(under the company's prefix, then the estimate's) and removed again when the approval does not
take, so a refused or repeated approval leaves no file behind."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from uuid import UUID

from app import db
from app.estimates.service import queries
from app.integrations import files


def signature_key(tenant_id: UUID, estimate_id: UUID) -> str:
    """Where an approval's drawn signature is kept: the company's prefix, then the estimate's."""
    return files.check_key(f"{tenant_id}/estimates/{estimate_id}/{uuid.uuid4()}.png")


def signed(key: str, signature: bytes, record: Callable[[str], str]) -> str:
    """`record(key)` with the signature stored at `key`; its outcome ('approved', 'already',
    'closed'). The file stays only when the approval took."""
    store = files.store()
    store.put(key, signature, "image/png")
    outcome = "closed"
    try:
        outcome = record(key)
    finally:
        if outcome != "approved":
            store.delete(key)
    return outcome


def approve_in_person(
    tenant_id: UUID, estimate_id: UUID, option_id: UUID, signed_by: str, signature: bytes
) -> str:
    """The homeowner's approval given on the phone of the member recording it (app.approve_
    estimate_in_person: the technician of the estimate's job, or office staff): 'approved',
    'already' (approved before: nothing changes) or 'closed' (not open for approval)."""

    def record(key: str) -> str:
        params = {
            "id": estimate_id,
            "option_id": option_id,
            "signed_by": signed_by,
            "signature_key": key,
        }
        return str(db.write(queries.approve_in_person, params)[0]["outcome"])

    return signed(signature_key(tenant_id, estimate_id), signature, record)
