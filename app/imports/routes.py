"""Import pages (upload → mapping → preview → progress → report) and the CSV exports."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import csv_export, roles
from app.audit.access import record_access
from app.auth import identity
from app.auth.forms import ConfirmForm
from app.imports import bp, csvfile, export, fields, service
from app.imports.forms import UploadForm, mapping_form
from app.views import form_page, invalid

View = Response | str | tuple[str, int]
EDITABLE = ("uploaded", "previewed")
SHOWN_PROBLEMS = 500


def _import_or_404(import_id: UUID) -> dict[str, Any]:
    found = service.get(current_user.tenant_id, import_id)
    if found is None:
        abort(404)
    return found


@bp.route("/customers/import", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def upload() -> View:
    form = UploadForm()
    recent = service.recent(current_user.tenant_id)
    if not form.validate_on_submit():
        return form_page("imports/upload.html", form, recent=recent)
    file = form.file.data
    try:
        import_id, note = service.upload(current_user.tenant_id, file.filename or "", file.read())
    except csvfile.UnreadableFile as unreadable:
        form.file.errors = [str(unreadable)]
        return invalid("imports/upload.html", form=form, recent=recent)
    if note:
        flash(note, "info")
    return redirect(url_for("imports.mapping", import_id=import_id))


@bp.route("/customers/import/<uuid:import_id>/mapping", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def mapping(import_id: UUID) -> View:
    found = _import_or_404(import_id)
    if found["status"] not in EDITABLE:
        return redirect(url_for("imports.show", import_id=import_id))
    form = mapping_form(found["headers"], found["mapping"])
    if not form.validate_on_submit():
        return form_page("imports/mapping.html", form, found=found, targets=fields.TARGETS)
    problem = fields.mapping_problem(form.mapping())
    if problem:
        form.form_errors.append(problem)
        return invalid("imports/mapping.html", form=form, found=found, targets=fields.TARGETS)
    service.preview(current_user.tenant_id, import_id, form.mapping())
    return redirect(url_for("imports.show", import_id=import_id))


@bp.get("/customers/import/<uuid:import_id>")
@identity.company_required(*roles.OFFICE_STAFF)
def show(import_id: UUID) -> View:
    found = _import_or_404(import_id)
    if found["status"] == "uploaded":
        return redirect(url_for("imports.mapping", import_id=import_id))
    return render_template(
        "imports/show.html",
        found=found,
        problems=found["problems"][:SHOWN_PROBLEMS],
        form=ConfirmForm(),
        working=found["status"] in ("queued", "running"),
        inline_max=service.INLINE_MAX_ROWS,
    )


@bp.post("/customers/import/<uuid:import_id>/confirm")
@identity.company_required(*roles.OFFICE_STAFF)
def confirm(import_id: UUID) -> View:
    found = _import_or_404(import_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    started = service.confirm(
        current_user.id, current_user.tenant_id, import_id, found["total_rows"]
    )
    if not started:
        flash("This import is not waiting for confirmation.", "error")
    return redirect(url_for("imports.show", import_id=import_id))


@bp.post("/customers/import/<uuid:import_id>/cancel")
@identity.company_required(*roles.OFFICE_STAFF)
def cancel(import_id: UUID) -> View:
    _import_or_404(import_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if service.cancel(current_user.tenant_id, import_id):
        flash("Import cancelled; no customers were added.", "info")
    else:
        flash("This import can no longer be cancelled.", "error")
    return redirect(url_for("imports.upload"))


@bp.get("/customers/import/<uuid:import_id>/skipped.csv")
@identity.company_required(*roles.OFFICE_STAFF)
def skipped(import_id: UUID) -> Response:
    found = _import_or_404(import_id)
    record_access("public.customer_imports", import_id, view="skipped rows", format="csv")
    rows = [("Line", "Reason")] + [(str(p["line"]), p["reason"]) for p in found["problems"]]
    return csv_export.csv_response(
        ["\ufeff", csv_export.csv_text(rows)], f"skipped-rows-{import_id}.csv"
    )


def _export(kind: str) -> Response:
    chunks = export.build(kind, current_user.tenant_id)
    return csv_export.csv_response(chunks, f"{kind}-{date.today().isoformat()}.csv")


@bp.get("/customers/export.csv")
@identity.company_required(*roles.OFFICE_STAFF)
def export_customers() -> Response:
    return _export("customers")


@bp.get("/properties/export.csv")
@identity.company_required(*roles.OFFICE_STAFF)
def export_properties() -> Response:
    return _export("properties")


@bp.get("/equipment/export.csv")
@identity.company_required(*roles.OFFICE_STAFF)
def export_equipment() -> Response:
    return _export("equipment")


@bp.get("/contacts/export.csv")
@identity.company_required(*roles.OFFICE_STAFF)
def export_contacts() -> Response:
    return _export("contacts")
