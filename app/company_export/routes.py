"""The export page: start an export, follow its progress, download the zip while it is kept.
Owners and admins only; another company's export is a 404."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO
from uuid import UUID

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField

from app import company, db, roles, sql
from app.audit.access import record_access
from app.auth import identity
from app.company_export import bp, constraints
from app.integrations import files

queries = sql.load(__file__)
View = Response | str | tuple[str, int]
EXPIRED = "This export is no longer kept: exports can be downloaded for 7 days. Start a new one."


class ExportForm(FlaskForm):
    include_access_notes = BooleanField("Include access notes and gate codes, decrypted")


def _page(form: ExportForm, status: int = 200) -> View:
    exports = db.query(queries.list_exports, {"tenant_id": current_user.tenant_id})
    return render_template(
        "company_export/index.html",
        form=form,
        exports=exports,
        working=any(e["status"] in ("queued", "running") for e in exports),
        statuses=constraints.STATUSES,
        zone=company.zone(current_user.tenant_id),
        is_owner=current_user.can(*roles.OWNERS),
    ), status


@bp.get("/company/export")
@identity.company_required(*roles.MANAGERS)
def index() -> View:
    return _page(ExportForm(formdata=None))


@bp.post("/company/export")
@identity.company_required(*roles.MANAGERS)
def start() -> View:
    form = ExportForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    # Only an owner is offered the choice; the database refuses it from anyone else too.
    wanted = bool(form.include_access_notes.data) and current_user.can(*roles.OWNERS)
    try:
        db.write(
            queries.request_export,
            {"tenant_id": current_user.tenant_id, "include_access_notes": wanted},
        )
    except db.ConstraintViolation as refused:
        form.form_errors.append(refused.message)
        return _page(form, 409)
    flash(
        "Export started. It is prepared in the background; this page shows its progress.",
        "success",
    )
    return redirect(url_for("company_export.index"))


def _chunks(source: BinaryIO) -> Iterator[bytes]:
    with source:
        while chunk := source.read(files.CHUNK_BYTES):
            yield chunk


@bp.get("/company/export/<uuid:export_id>/download")
@identity.company_required(*roles.MANAGERS)
def download(export_id: UUID) -> View:
    found = db.one(queries.get_export, {"tenant_id": current_user.tenant_id, "id": export_id})
    if found is None or found["status"] not in ("done", "expired"):
        abort(404)
    if not found["downloadable"] or found["storage_key"] is None:
        return render_template("company_export/expired.html", message=EXPIRED), 410
    try:
        source = files.store().open(found["storage_key"])
    except files.FileMissing:
        return render_template("company_export/expired.html", message=EXPIRED), 410
    record_access("public.company_exports", export_id, view="download", bytes=found["byte_size"])
    day = found["created_at"].astimezone(company.zone(current_user.tenant_id)).date()
    return Response(
        _chunks(source),
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="company-export-{day.isoformat()}.zip"',
            "Content-Length": str(found["byte_size"]),
            "Cache-Control": "no-store",
        },
    )
