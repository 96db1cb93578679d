"""The former owners' page of their deletion certificate, reached by the emailed link with no
account. As for estimates and invoices (app/document_links.py), the token URL only hands its
token to this browser's session and redirects to a page without it, so the token is in no
later URL, log line or referrer; every page of the flow says `Referrer-Policy: no-referrer`."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from flask import abort, make_response
from werkzeug.wrappers import Response

from app import document_links
from app.auth.links import no_referrer, page
from app.certificates import Signed, bp, queries

KIND = "certificate"
WHY_CLOSED = (
    "This address does not open a deletion certificate. Check that you copied the whole link"
    " from the email that sent it."
)


def _certificate(token: str) -> dict[str, Any] | None:
    found = document_links.answer(queries.certificate_by_link, token)
    return dict(found) if found else None


def _place(token: str) -> tuple[UUID, UUID] | None:
    found = _certificate(token)
    return (UUID(found["id"]), UUID(found["id"])) if found else None


def _held(certificate_id: UUID) -> dict[str, Any]:
    found = document_links.held_document(KIND, certificate_id, _certificate, lambda c: c["id"])
    if found is None:
        abort(404)  # a certificate's link does not close: another certificate's token
    return found


def _signed(found: dict[str, Any]) -> Signed:
    return Signed(found["document"], found["digest"], found["signature"], found["key_id"])


@bp.get("/certificate/<token>")
def link(token: str) -> Response:
    return document_links.opened(KIND, token, _place, "certificates.view", WHY_CLOSED)


@bp.get("/certificate/view/<uuid:certificate_id>")
def view(certificate_id: UUID) -> Response:
    found = _held(certificate_id)
    return page(
        "certificates/view.html",
        certificate=json.loads(found["document"]),
        digest=found["digest"],
        key_id=found["key_id"],
        certificate_id=certificate_id,
    )


@bp.get("/certificate/view/<uuid:certificate_id>.json")
def download(certificate_id: UUID) -> Response:
    response = make_response(_signed(_held(certificate_id)).as_json())
    response.headers["Content-Type"] = "application/json"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="deletion-certificate-{certificate_id}.json"'
    )
    return no_referrer(response)
