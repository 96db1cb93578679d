"""Import pages (upload → mapping → preview → progress → report → undo) and the CSV exports."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import csv_export, roles
from app.audit.access import record_access
from app.auth import identity
from app.auth.forms import ConfirmForm
from app.imports import bp, export, preview, reading, service
from app.imports.forms import UploadForm, mapping_form, mapping_problem
from app.imports.kinds import KINDS
from app.imports.sources import PRESETS
from app.views import form_page, invalid, page_number

View = Response | str | tuple[str, int]
EDITABLE = ("uploaded", "previewed")
SHOWN_PROBLEMS = 500
FILTERS = {"": "All", "flagged": "With flags", "new": "New", "update": "Updates"}


def _import_or_404(import_id: UUID) -> dict[str, Any]:
    found = service.get(current_user.tenant_id, import_id)
    if found is None:
        abort(404)
    return found


def _context(found: dict[str, Any]) -> dict[str, Any]:
    preset = next((p for p in PRESETS if p.key == found["source"]), None)
    return {
        "found": found,
        "kind": KINDS[found["kind"]],
        "preset": preset,
        "notes": found["options"].get("file_notes", []),
    }


@bp.route("/customers/import", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def upload() -> View:
    form = UploadForm()
    recent = service.recent(current_user.tenant_id)
    if not form.validate_on_submit():
        return form_page("imports/upload.html", form, recent=recent, kinds=KINDS)
    file = form.file.data
    try:
        import_id = service.upload(
            current_user.tenant_id, form.kind.data, file.filename or "", file.read()
        )
    except reading.UnreadableFile as unreadable:
        form.file.errors = [str(unreadable)]
        return invalid("imports/upload.html", form=form, recent=recent, kinds=KINDS)
    return redirect(url_for("imports.mapping", import_id=import_id))


@bp.route("/customers/import/<uuid:import_id>/mapping", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def mapping(import_id: UUID) -> View:
    found = _import_or_404(import_id)
    if found["status"] not in EDITABLE:
        return redirect(url_for("imports.show", import_id=import_id))
    context = _context(found)
    kind = context["kind"]
    form = mapping_form(kind, found["headers"], found["mapping"], found["options"])
    samples = found["options"].get("samples", [])
    page = {"targets": kind.targets, "samples": samples} | context
    if not form.validate_on_submit():
        return form_page("imports/mapping.html", form, **page)
    problem = mapping_problem(kind, form.mapping())
    if problem:
        form.form_errors.append(problem)
        return invalid("imports/mapping.html", form=form, **page)
    options = found["options"] | form.options(found["kind"])
    service.preview(current_user.tenant_id, found, form.mapping(), options)
    return redirect(url_for("imports.show", import_id=import_id))


@bp.get("/customers/import/<uuid:import_id>")
@identity.company_required(*roles.OFFICE_STAFF)
def show(import_id: UUID) -> View:
    found = _import_or_404(import_id)
    if found["status"] == "uploaded":
        return redirect(url_for("imports.mapping", import_id=import_id))
    number = page_number()
    shown = request.args.get("show", "")
    if number is None or shown not in FILTERS:
        abort(404)
    action = shown if shown in ("new", "update") else ""
    page, total = service.items_page(
        current_user.tenant_id, import_id, number, shown == "flagged", action
    )
    return render_template(
        "imports/show.html",
        problems=found["problems"][:SHOWN_PROBLEMS],
        form=ConfirmForm(),
        working=found["status"] in ("checking", "queued", "running"),
        page=page,
        items=[(item, preview.lines(item)) for item in page.rows],
        total=total,
        shown=shown,
        filters=FILTERS,
        actions=preview.ACTIONS,
        **_context(found),
    )


@bp.post("/customers/import/<uuid:import_id>/confirm")
@identity.company_required(*roles.OFFICE_STAFF)
def confirm(import_id: UUID) -> View:
    found = _import_or_404(import_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    started = service.confirm(
        current_user.id, current_user.tenant_id, import_id, found["valid_rows"]
    )
    if not started:
        flash("This import is not waiting for confirmation.", "error")
    return redirect(url_for("imports.show", import_id=import_id))


@bp.post("/customers/import/<uuid:import_id>/undo")
@identity.company_required(*roles.OFFICE_STAFF)
def undo(import_id: UUID) -> View:
    _import_or_404(import_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    refused = service.undo(current_user.id, current_user.tenant_id, import_id)
    if refused:
        flash(refused, "error")
    else:
        flash("Import undone: what it added is removed and what it changed is put back.", "info")
    return redirect(url_for("imports.show", import_id=import_id))


@bp.post("/customers/import/<uuid:import_id>/cancel")
@identity.company_required(*roles.OFFICE_STAFF)
def cancel(import_id: UUID) -> View:
    _import_or_404(import_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if service.cancel(current_user.tenant_id, import_id):
        flash("Import cancelled; nothing was saved.", "info")
    else:
        flash("This import can no longer be cancelled.", "error")
    return redirect(url_for("imports.upload"))


@bp.get("/customers/import/<uuid:import_id>/skipped.csv")
@identity.company_required(*roles.OFFICE_STAFF)
def skipped(import_id: UUID) -> Response:
    """The rows left out and the rows saved with flags, as they were in the file plus the
    reason: fix them and upload this file again."""
    found = _import_or_404(import_id)
    record_access("public.customer_imports", import_id, view="skipped rows", format="csv")
    rows = service.rows_to_check(current_user.tenant_id, found)
    return csv_export.csv_response(
        ["\ufeff", csv_export.csv_text(rows)], f"rows-to-check-{import_id}.csv"
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
