"""The photos an estimate shows, chosen by the office from its job's visits while it is a
draft: which, in which order, with what captions. The homeowner's view of them is in
link_routes.py."""

from __future__ import annotations

from uuid import UUID

from flask import flash
from flask_login import current_user

from app import roles
from app.auth import identity
from app.db import ConstraintViolation
from app.estimates import bp, routes, service
from app.estimates.forms import PhotosForm


@bp.post("/estimates/<uuid:estimate_id>/photos")
@identity.company_required(*roles.OFFICE_STAFF)
def choose_photos(estimate_id: UUID) -> routes.View:
    estimate = routes._draft(estimate_id)
    tenant_id = current_user.tenant_id
    available = service.job_photos(tenant_id, estimate_id)
    form = PhotosForm(known={str(p["id"]) for p in available}, most=service.MAX_PHOTOS)
    if not form.validate_on_submit():
        return routes._show(estimate, {"photos": form}, 422)
    chosen = [(UUID(file_id), caption) for file_id, caption in form.choice()]
    try:
        service.choose_photos(tenant_id, estimate_id, chosen)
    except ConstraintViolation as violation:
        form.form_errors.append(violation.message)
        return routes._show(estimate, {"photos": form}, 422)
    flash(
        f"The estimate shows {len(chosen)} photo{'s' if len(chosen) != 1 else ''}."
        if chosen
        else "The estimate shows no photos.",
        "success",
    )
    return routes._back(estimate_id, "photos")
