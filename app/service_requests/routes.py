"""The Requests queue and a request's page. Office staff only; another company's request is a
404 (row-level security shows none of it)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import company, db, roles, views
from app.audit.access import record_access, record_list
from app.auth import identity
from app.auth.forms import ConfirmForm
from app.integrations import files
from app.service_requests import bp, service
from app.service_requests.forms import UNASSIGNED, AssignForm, JobForm, ReplyForm
from app.service_requests.vocabulary import STATUSES, TABS

View = Response | str | tuple[str, int]
SHOW = "service_requests/show.html"


@bp.get("/requests")
@identity.company_required(*roles.OFFICE_STAFF)
def queue() -> View:
    tab = request.args.get("tab", "unassigned")
    if tab not in TABS:
        abort(404)
    page, counts = service.queue(current_user.tenant_id, tab, views.page_number() or 1)
    record_list("public.service_requests", (r["id"] for r in page.rows), view=tab)
    return render_template(
        "service_requests/queue.html",
        page=page,
        tab=tab,
        tabs=TABS,
        counts=counts,
        statuses=STATUSES,
        zone=company.zone(current_user.tenant_id),
    )


def _found(request_id: UUID) -> service.Request:
    return views.found_or_404(service.request(current_user.tenant_id, request_id))


def _show(found: service.Request, status: int = 200, **forms: Any) -> View:
    tenant_id = current_user.tenant_id
    staff = service.staff(tenant_id)
    row = found.row
    assigned = str(row["assigned_to"]) if row["assigned_to"] else UNASSIGNED
    return render_template(
        SHOW,
        r=row,
        thread=found.thread,
        photos=found.photos,
        statuses=STATUSES,
        zone=company.zone(tenant_id),
        reply_form=forms.get("reply") or ReplyForm(formdata=None),
        assign_form=forms.get("assign") or AssignForm(staff, formdata=None, assigned_to=assigned),
        confirm_form=ConfirmForm(formdata=None),
        job_form=forms.get("job") or JobForm(formdata=None),
        refusal=forms.get("refusal", ""),
    ), status


@bp.get("/requests/<uuid:request_id>")
@identity.company_required(*roles.OFFICE_STAFF)
def show(request_id: UUID) -> View:
    found = _found(request_id)
    record_access("public.service_requests", request_id)
    return _show(found)


def _back(request_id: UUID, anchor: str = "") -> Response:
    return redirect(url_for("service_requests.show", request_id=request_id, _anchor=anchor or None))


@bp.post("/requests/<uuid:request_id>/reply")
@identity.company_required(*roles.OFFICE_STAFF)
def reply(request_id: UUID) -> View:
    found = _found(request_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _show(found, 422, reply=form)
    try:
        unsent = service.reply(
            current_user.tenant_id, found, form.body.data or "", form.becomes_status()
        )
    except db.ConstraintViolation as refused:
        form.body.errors = [refused.message]
        return _show(found, 422, reply=form)
    if unsent:
        flash(f"Reply added. Not sent to the customer: {unsent}", "warning")
    else:
        flash("Reply added.", "success")
    return _back(request_id, "thread")


@bp.post("/requests/<uuid:request_id>/assign")
@identity.company_required(*roles.OFFICE_STAFF)
def assign(request_id: UUID) -> View:
    found = _found(request_id)
    form = AssignForm(service.staff(current_user.tenant_id))
    if not form.validate_on_submit():
        return _show(found, 422, assign=form)
    chosen = form.assigned_to.data
    try:
        service.assign(current_user.tenant_id, request_id, UUID(chosen) if chosen else None)
    except db.ConstraintViolation as refused:
        form.assigned_to.errors = [refused.message]
        return _show(found, 422, assign=form)
    flash("Assigned." if chosen else "Nobody has the request now.", "success")
    return _back(request_id)


@bp.post("/requests/<uuid:request_id>/close")
@identity.company_required(*roles.OFFICE_STAFF)
def close(request_id: UUID) -> View:
    return _change_status(request_id, "closed", "Request closed.")


@bp.post("/requests/<uuid:request_id>/reopen")
@identity.company_required(*roles.OFFICE_STAFF)
def reopen(request_id: UUID) -> View:
    return _change_status(request_id, "open", "Request reopened.")


def _change_status(request_id: UUID, status: str, done: str) -> View:
    _found(request_id)
    views.confirmed()
    service.set_status(current_user.tenant_id, request_id, status)
    flash(done, "success")
    return _back(request_id)


@bp.post("/requests/<uuid:request_id>/job")
@identity.company_required(*roles.OFFICE_STAFF)
def make_job(request_id: UUID) -> View:
    found = _found(request_id)
    form = JobForm()
    if not form.validate_on_submit():
        return _show(found, 422, job=form)
    try:
        job_id = service.turn_into_job(current_user.tenant_id, found, form.job_kind.data)
    except service.RequestRefused as refused:
        return _show(found, 422, job=form, refusal=refused.message)
    except db.ConstraintViolation as refused:
        return _show(found, 422, job=form, refusal=refused.message)
    flash("The request is now a job. Book its visit here.", "success")
    return redirect(url_for("scheduling.job", job_id=job_id))


@bp.get("/requests/photos/<uuid:request_photo_id>")
@identity.company_required(*roles.OFFICE_STAFF)
def photo(request_photo_id: UUID) -> Response:
    thumbnail = request.args.get("size") == "thumb"
    try:
        found = service.photo(current_user.tenant_id, request_photo_id, thumbnail)
    except files.FileMissing:
        abort(404)
    if found is None:
        abort(404)
    row, data = found
    record_access(
        "public.service_request_photos", request_photo_id, view="thumbnail" if thumbnail else "file"
    )
    response = Response(data, mimetype="image/jpeg" if thumbnail else row["content_type"])
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = "inline"
    return response
