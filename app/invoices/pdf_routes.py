"""The office's invoice on paper: the PDF of the invoice page's document (app/documents.py), a
recorded read as the page is."""

from __future__ import annotations

from uuid import UUID

from flask import abort
from flask_login import current_user
from werkzeug.wrappers import Response

from app import company, documents, roles
from app.audit.access import record_access
from app.auth import identity
from app.invoices import bp, document, service


@bp.get("/invoices/<uuid:invoice_id>/invoice.pdf")
@identity.company_required(*roles.OFFICE_STAFF)
def pdf(invoice_id: UUID) -> Response:
    tenant_id = current_user.tenant_id
    invoice = service.get(tenant_id, invoice_id)
    letterhead = company.letterhead(tenant_id)
    if invoice is None or letterhead is None:
        abort(404)  # another company's id reads as missing, never as forbidden
    record_access("public.invoices", invoice_id, view="invoice", format="pdf")
    d = document.from_invoice(invoice, letterhead)
    return documents.download(documents.pdf(document.TEMPLATE, **document.context(d)), d.filename)
