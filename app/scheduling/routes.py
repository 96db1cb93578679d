"""Office pages for jobs and their visits: taking a call, booking a window, moving a visit
along. The database refuses what is not allowed; the refusals come back as messages."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import company, properties, roles
from app.audit.access import record_access, record_list
from app.auth import identity
from app.auth.forms import ConfirmForm
from app.scheduling import bp, offer, office, service
from app.scheduling.forms import CancelForm, JobDetailsForm, JobForm
from app.scheduling.service import SchedulingRefused
from app.views import saved

View = Response | str | tuple[str, int]
JOB_FORM = "scheduling/job_form.html"
SCHEDULE = "scheduling/schedule.html"


def _found(row: dict[str, Any] | None) -> dict[str, Any]:
    if row is None:
        abort(404)  # another company's id reads as missing, never as forbidden
    return row


def _visit(visit_id: UUID) -> dict[str, Any]:
    return _found(service.visit(current_user.tenant_id, visit_id))


def _to_job(job_id: UUID, visit_id: UUID | None = None) -> Response:
    anchor = f"visit-{visit_id}" if visit_id else None
    return redirect(url_for("scheduling.job", job_id=job_id, _anchor=anchor))


# --- jobs ---------------------------------------------------------------------------------


@bp.route("/properties/<uuid:property_id>/jobs/new", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def new_job(property_id: UUID) -> View:
    tenant_id = current_user.tenant_id
    prop = _found(properties.get_property(tenant_id, property_id))
    if prop["archived_at"] is not None:
        flash("This property is archived: restore it before booking work there.", "warning")
        return redirect(url_for("properties.show", property_id=property_id))
    form = JobForm()
    form.offer_equipment(office.equipment_choices(tenant_id, property_id))
    if not form.is_submitted() and request.args.get("equipment"):
        form.equipment_ids.data = [request.args["equipment"]]
    job_id = saved(
        form,
        JOB_FORM,
        lambda: service.create_job(tenant_id, property_id, form.values(), form.chosen_equipment()),
        prop=prop,
        place=properties.property_title(prop),
        job=None,
    )
    flash("Job added. Choose when its visit happens.", "success")
    return redirect(url_for("scheduling.job", job_id=job_id))


def _job_page(
    job_id: UUID, status: int = 200, error: str = "", failed_visit: UUID | None = None
) -> tuple[str, int]:
    page = _found(office.job_page(current_user.tenant_id, job_id))
    record_access("public.jobs", job_id, view="job page")
    for table, ids in office.work_shown(page).items():
        record_list(table, ids, view="job page")
    return render_template(
        "scheduling/job.html",
        **page,
        zone=company.zone(current_user.tenant_id),
        kinds=service.KINDS,
        priorities=service.PRIORITIES,
        statuses=service.STATUSES,
        overrides=service.OVERRIDES,
        transitions=service.TRANSITIONS,
        movable=service.MOVABLE,
        equipment_title=properties.equipment_title,
        error=error,
        failed_visit=failed_visit,
    ), status


@bp.get("/jobs/<uuid:job_id>")
@identity.company_required(*roles.OFFICE_STAFF)
def job(job_id: UUID) -> View:
    return _job_page(job_id)


@bp.route("/jobs/<uuid:job_id>/edit", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def edit_job(job_id: UUID) -> View:
    found = _found(service.job(current_user.tenant_id, job_id))
    form = JobDetailsForm(data=None if request.method == "POST" else found)
    saved(
        form,
        JOB_FORM,
        lambda: office.update_job(current_user.tenant_id, job_id, form.values()),
        prop=None,
        place="",
        job=found,
    )
    flash("Job saved.", "success")
    return _to_job(job_id)


@bp.post("/jobs/<uuid:job_id>/visits")
@identity.company_required(*roles.OFFICE_STAFF)
def add_visit(job_id: UUID) -> View:
    _found(service.job(current_user.tenant_id, job_id))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    visit_id = service.add_visit(current_user.tenant_id, job_id)
    flash("Another visit added. Choose when it happens.", "success")
    return redirect(url_for("scheduling.schedule", visit_id=visit_id))


# --- booking ------------------------------------------------------------------------------


@bp.route("/visits/<uuid:visit_id>/schedule", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def schedule(visit_id: UUID) -> View:
    found = _visit(visit_id)
    if found["status"] not in service.MOVABLE:
        state = service.STATUSES[found["status"]].lower()
        flash(f"This visit is {state}: it can no longer be moved.", "warning")
        return _to_job(found["job_id"], visit_id)
    return offer.schedule_page(
        current_user.tenant_id,
        found,
        SCHEDULE,
        "scheduling.schedule",
        url_for("scheduling.job", job_id=found["job_id"], _anchor=f"visit-{visit_id}"),
    )


# --- status changes -----------------------------------------------------------------------


def _moved(visit_id: UUID, to: str, done: str, **values: str) -> View:
    """Move a visit to `to`; a refusal shows the job page with the reason (422)."""
    found = _visit(visit_id)
    try:
        service.move(current_user.tenant_id, visit_id, to, **values)
    except SchedulingRefused as refusal:
        return _job_page(found["job_id"], 422, refusal.message, visit_id)
    flash(done, "success")
    return _to_job(found["job_id"], visit_id)


@bp.post("/visits/<uuid:visit_id>/dispatch")
@identity.company_required(*roles.OFFICE_STAFF)
def dispatch(visit_id: UUID) -> View:
    _visit(visit_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _moved(visit_id, "dispatched", "Visit dispatched: it is on the technician's day.")


@bp.post("/visits/<uuid:visit_id>/unschedule")
@identity.company_required(*roles.OFFICE_STAFF)
def unschedule(visit_id: UUID) -> View:
    found = _visit(visit_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        service.unschedule(current_user.tenant_id, visit_id)
    except SchedulingRefused as refusal:
        return _job_page(found["job_id"], 422, refusal.message, visit_id)
    flash("Visit unscheduled: its technicians are free again.", "success")
    return _to_job(found["job_id"], visit_id)


@bp.post("/visits/<uuid:visit_id>/cancel")
@identity.company_required(*roles.OFFICE_STAFF)
def cancel(visit_id: UUID) -> View:
    found = _visit(visit_id)
    form = CancelForm()
    if not form.validate_on_submit():
        message = " ".join(form.cancel_reason.errors) or "Say why the visit is canceled."
        return _job_page(found["job_id"], 422, message, visit_id)
    return _moved(
        visit_id, "canceled", "Visit canceled.", cancel_reason=form.cancel_reason.data or ""
    )
