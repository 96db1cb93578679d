"""The price book's CSV export and import (upload, preview, confirm), for office staff. The
preview writes nothing; it carries the file, signed, to the confirmation, which checks every
row again against the book as it is then and writes all or nothing."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.sansio.blueprints import BlueprintSetupState
from flask_login import current_user
from werkzeug.wrappers import Response

from app import imports, roles
from app.auth import identity
from app.csv_export import csv_response
from app.pricebook import bp, transfer_file, transfer_service
from app.pricebook.forms import ConfirmImportForm, ImportForm
from app.pricebook.vocabulary import KINDS
from app.views import form_page, invalid

View = Response | str | tuple[str, int]
UPLOAD_PAGE = "pricebook/import.html"
SHOWN_ROWS = 500  # per table of the preview
NOT_CONFIRMED = (
    "This import cannot be confirmed: its file was changed after the preview, was previewed"
    " for another company, or more than an hour ago. Upload the file again."
)
# Bodies larger than the app's 2 MB: a 2 MB file with its form around it, and the preview's
# signed copy of such a file (base64 of it, compressed when that is smaller).
BODY_LIMITS = {
    "pricebook.import_book": transfer_file.MAX_BYTES + 1024 * 1024,
    "pricebook.confirm_import": 2 * transfer_file.MAX_BYTES,
}


def _allow_large_bodies() -> None:
    if request.method == "POST" and request.endpoint in BODY_LIMITS:
        request.max_content_length = BODY_LIMITS[request.endpoint]


@bp.record_once
def _first_before_request(state: BlueprintSetupState) -> None:
    # CSRF protection reads the form in an earlier hook, which enforces the limit: the larger
    # limit must be set before it, hence first in the list.
    state.app.before_request_funcs.setdefault(None, []).insert(0, _allow_large_bodies)


@bp.get("/price-book/export.csv")
@identity.company_required(*roles.OFFICE_STAFF)
def export_book() -> Response:
    chunks = transfer_service.export(current_user.tenant_id)
    return csv_response(chunks, f"price-book-{date.today().isoformat()}.csv")


@bp.route("/price-book/import", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def import_book() -> View:
    form = ImportForm()
    if not form.validate_on_submit():
        return form_page(UPLOAD_PAGE, form)
    file = form.file.data
    try:
        text = transfer_file.decode(file.read(transfer_file.MAX_BYTES + 1))
        upload = transfer_file.Upload((file.filename or "")[:255] or "price-book.csv", text)
        rows = transfer_file.read(upload.text)
    except imports.UnreadableFile as unreadable:
        form.file.errors = [str(unreadable)]
        return invalid(UPLOAD_PAGE, form=form)
    return _preview(upload, transfer_service.plan(current_user.tenant_id, rows))


@bp.post("/price-book/import/confirm")
@identity.company_required(*roles.OFFICE_STAFF)
def confirm_import() -> View:
    tenant_id = current_user.tenant_id
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400, NOT_CONFIRMED)
    try:
        upload = transfer_file.unsign(
            form.book_file.data, tenant_id, current_app.config["SECRET_KEY"]
        )
        rows = transfer_file.read(upload.text)
    except (transfer_file.NotSigned, imports.UnreadableFile):
        abort(400, NOT_CONFIRMED)
    planned = transfer_service.plan(tenant_id, rows)
    if planned.problems:
        return _preview(upload, planned)
    try:
        transfer_service.apply(tenant_id, planned)
    except transfer_service.Refused as refused:
        planned.problems.append(refused.problem)
        return _preview(upload, planned)
    flash(_done(planned), "success" if planned.has_changes else "info")
    return redirect(url_for("pricebook.index"))


def _preview(upload: transfer_file.Upload, planned: transfer_service.Plan) -> tuple[str, int]:
    """What the file would do; a confirmation form only when every row is right and something
    changes (422 when a row is wrong, so nothing of this request is kept)."""
    form = None
    if planned.has_changes and not planned.problems:
        form = ConfirmImportForm(formdata=None)
        tenant_id = current_user.tenant_id
        secret_key = current_app.config["SECRET_KEY"]
        form.book_file.data = transfer_file.sign(
            upload.text, upload.file_name, tenant_id, secret_key
        )
    page = render_template(
        "pricebook/import_preview.html",
        upload=upload,
        plan=planned,
        form=form,
        shown=SHOWN_ROWS,
        kinds=KINDS,
    )
    return page, 422 if planned.problems else 200


def _done(planned: transfer_service.Plan) -> str:
    if not planned.has_changes:
        return "Nothing changed: every row of the file matches the price book."
    added, updated = len(planned.of("add")), len(planned.of("update"))
    unchanged = len(planned.of("unchanged"))
    return f"Price book imported: {added} added, {updated} updated, {unchanged} unchanged."
