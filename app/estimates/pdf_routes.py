"""The office's estimate on paper: the PDF of the estimate page's document (app/documents.py),
a recorded read as the page is. The homeowner's is in link_routes.py, gated as their page."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from flask import abort
from flask_login import current_user
from werkzeug.wrappers import Response

from app import company, documents, roles
from app.audit.access import record_access
from app.auth import identity
from app.estimates import bp, document, service


@bp.get("/estimates/<uuid:estimate_id>/estimate.pdf")
@identity.company_required(*roles.OFFICE_STAFF)
def pdf(estimate_id: UUID) -> Response:
    tenant_id = current_user.tenant_id
    estimate = service.get(tenant_id, estimate_id, datetime.now(company.zone()).date())
    letterhead = company.letterhead(tenant_id)
    if estimate is None or letterhead is None:
        abort(404)  # another company's id reads as missing, never as forbidden
    record_access("public.estimates", estimate_id, view="estimate", format="pdf")
    row = estimate.row
    d = document.from_estimate(estimate, letterhead)
    context = document.context(
        d,
        approval_note=document.approval_note(row),
        signature_src=documents.image_url(row["signature_key"]),
    )
    return documents.download(documents.pdf(document.TEMPLATE, **context), d.filename)
