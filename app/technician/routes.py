"""The technician's phone pages: their day, and each visit with its status buttons, notes,
photos, checklist and completion. Technicians only; the database shows each of them only
their own visits, so another technician's visit is a 404 like another company's."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response

from app import company, db, estimates, invoices, roles, scheduling
from app.audit.access import record_access, record_list
from app.auth import identity
from app.auth.forms import ConfirmForm
from app.forms import EARLIEST_DAY, LATEST_DAY
from app.integrations import files
from app.scheduling import SchedulingRefused, window_label
from app.technician import bp, service
from app.technician import calendar as _calendar  # noqa: F401  (registers the feed's routes)
from app.technician.forms import CompleteForm, NoteForm, PhotoForm
from app.vocabulary import EQUIPMENT_KINDS, JOB_KINDS, VISIT_STATUSES

View = Response | str | tuple[str, int]
VISIT_PAGE = "technician/visit.html"
# The statuses a technician sets with one tap; completing takes the completion form.
TAPS = {"en_route": "On my way", "on_site": "Arrived"}
# A photo plus the form around it (token, field names, multipart boundaries).
PHOTO_REQUEST_BYTES = files.MAX_PHOTO_BYTES + 64 * 1024


@bp.record_once
def _allow_photo_uploads(state: BlueprintSetupState) -> None:
    """Photos may be up to 10 MB while every other form stays under the app's 2 MB. The body
    is read by the CSRF check before any view runs, so the larger limit is set first of all."""
    state.app.before_request_funcs.setdefault(None, []).insert(0, _photo_upload_limit)


class PhotoTooLarge(RequestEntityTooLarge):
    """A photo over the limit, told apart from the app's other 413s: it gets the visit page."""

    description = files.PHOTO_TOO_LARGE


def _photo_upload_limit() -> None:
    if request.endpoint == "technician.add_photo":
        request.max_content_length = PHOTO_REQUEST_BYTES
        if (request.content_length or 0) > PHOTO_REQUEST_BYTES:
            raise PhotoTooLarge()  # before a byte of the body is read


def _day(raw: str | None) -> date | None:
    """The asked day, or None when it is not a date the schedule can hold."""
    try:
        day = date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return day if day and EARLIEST_DAY <= day <= LATEST_DAY else None


@bp.get("/my-day")
@identity.company_required(*roles.TECHNICIANS)
def my_day() -> View:
    zone = company.zone(current_user.tenant_id)
    asked = request.args.get("day")
    day = _day(asked)
    bad_day = bool(asked) and day is None
    day = day or service.local_today(zone)
    visits = service.day_visits(current_user.tenant_id, current_user.id, day, zone)
    record_list("public.visits", (v["id"] for v in visits), view="my day")
    return render_template(
        "technician/my_day.html",
        day=day,
        today=service.local_today(zone),
        previous=day - timedelta(days=1),
        following=day + timedelta(days=1),
        visits=visits,
        zone=zone,
        bad_day=bad_day,
        kinds=JOB_KINDS,
        statuses=VISIT_STATUSES,
        window_label=window_label,
    ), (422 if bad_day else 200)


def visit_or_404(visit_id: UUID) -> dict[str, Any]:
    found = service.visit(current_user.tenant_id, visit_id)
    if found is None:
        abort(404)  # another technician's visit reads as missing, like another company's
    return found


def _page(
    found: dict[str, Any],
    status: int = 200,
    refusal: str | None = None,
    note_form: NoteForm | None = None,
    photo_form: PhotoForm | None = None,
    complete_form: CompleteForm | None = None,
) -> tuple[str, int]:
    """The visit page; with a refused form, 422 and the page rolled back (gate codes hidden)."""
    page = service.visit_page(current_user.tenant_id, found, reveal_access_notes=status < 400)
    return render_template(
        VISIT_PAGE,
        **page,
        refusal=refusal,
        note_form=note_form or NoteForm(formdata=None),
        photo_form=photo_form or PhotoForm(formdata=None),
        complete_form=complete_form or CompleteForm(formdata=None),
        taps=TAPS,
        kinds=JOB_KINDS,
        statuses=VISIT_STATUSES,
        equipment_kinds=EQUIPMENT_KINDS,
        estimate_statuses=estimates.STATUSES,
        invoice_statuses=invoices.STATUSES,
        window=window_label(found["window_starts_at"], found["window_ends_at"], page["zone"]),
    ), status


def _back(visit_id: UUID, anchor: str | None = None) -> Response:
    return redirect(url_for("technician.visit", visit_id=visit_id, _anchor=anchor))


@bp.get("/my-day/visits/<uuid:visit_id>")
@identity.company_required(*roles.TECHNICIANS)
def visit(visit_id: UUID) -> View:
    return _page(visit_or_404(visit_id))


@bp.post("/my-day/visits/<uuid:visit_id>/status")
@identity.company_required(*roles.TECHNICIANS)
def move(visit_id: UUID) -> View:
    found = visit_or_404(visit_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    to = request.form.get("status", "")
    if to not in TAPS:
        return _page(found, 422, "Choose “On my way” or “Arrived”.")
    try:
        scheduling.move(current_user.tenant_id, visit_id, to)
    except SchedulingRefused as refused:
        return _page(visit_or_404(visit_id), 422, refused.message)
    flash(f"{TAPS[to]}: the office can see it now.", "success")
    return _back(visit_id)


@bp.post("/my-day/visits/<uuid:visit_id>/complete")
@identity.company_required(*roles.TECHNICIANS)
def complete(visit_id: UUID) -> View:
    found = visit_or_404(visit_id)
    form = CompleteForm()
    if not form.validate_on_submit():
        return _page(found, 422, complete_form=form)
    try:
        signature = None
        if not form.not_available.data:
            signature = files.decode_signature(form.signature.data or "")
        completion = service.Completion(
            notes=form.completion_notes.data or "",
            signed_by=(form.signed_by.data or "") if signature else "",
            signature=signature,
            unsigned_reason="" if signature else (form.unsigned_reason.data or ""),
        )
        service.complete(current_user.tenant_id, visit_id, completion)
    except files.FileRefused as refused:
        form.signature.errors = [refused.message]
        return _page(found, 422, complete_form=form)
    except SchedulingRefused as refused:
        return _page(visit_or_404(visit_id), 422, refused.message, complete_form=form)
    flash("Visit completed. Thank you!", "success")
    return _back(visit_id)


@bp.post("/my-day/visits/<uuid:visit_id>/notes")
@identity.company_required(*roles.TECHNICIANS)
def add_note(visit_id: UUID) -> View:
    found = visit_or_404(visit_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _page(found, 422, note_form=form)
    try:
        service.add_note(current_user.tenant_id, visit_id, form.body.data or "")
    except db.ConstraintViolation as violation:
        form.body.errors = [violation.message]
        return _page(found, 422, note_form=form)
    flash("Note added.", "success")
    return _back(visit_id, "notes")


@bp.post("/my-day/visits/<uuid:visit_id>/photos")
@identity.company_required(*roles.TECHNICIANS)
def add_photo(visit_id: UUID) -> View:
    found = visit_or_404(visit_id)
    form = PhotoForm()
    if not form.validate_on_submit():
        return _page(found, 422, photo_form=form)
    try:
        service.add_photo(
            current_user.tenant_id, visit_id, form.photo.data.read(files.MAX_PHOTO_BYTES + 1)
        )
    except (files.FileRefused, db.ConstraintViolation) as refused:
        form.photo.errors = [refused.message]
        return _page(found, 422, photo_form=form)
    flash("Photo added.", "success")
    return _back(visit_id, "photos")


@bp.errorhandler(PhotoTooLarge)
def _photo_too_large(error: PhotoTooLarge) -> ResponseReturnValue:
    """The visit page again with the message next to the photo field, status 413. The limit
    stops the request before the CSRF check and before identity is settled: identity is
    settled here, and the page is shown only to whoever may see it (the usual refusal page
    otherwise). Nothing of the body is read and nothing is saved, so no token is needed."""
    identity.load_request_identity()
    try:
        return _refuse_large_photo((request.view_args or {})["visit_id"])
    except HTTPException as refused:
        return current_app.handle_http_exception(refused)


@identity.company_required(*roles.TECHNICIANS)
def _refuse_large_photo(visit_id: UUID) -> View:
    form = PhotoForm(formdata=None)
    form.photo.errors = [files.PHOTO_TOO_LARGE]
    return _page(visit_or_404(visit_id), 413, photo_form=form)


@bp.get("/my-day/files/<uuid:file_id>")
@identity.company_required()
def file(file_id: UUID) -> Response:
    """A photo or signature, to whoever may see its visit (its technicians, the office);
    `?size=thumb` for a photo's thumbnail, the small image the visit page lists."""
    thumbnail = request.args.get("size") == "thumb"
    found = service.file(current_user.tenant_id, file_id, thumbnail=thumbnail)
    if found is None:
        abort(404)
    row, data = found
    record_access("public.visit_files", file_id, view="thumbnail" if thumbnail else "file")
    response = Response(data, mimetype=row["content_type"])
    # Kept by no cache, the browser's included: once access ends (a technician's visit drops
    # out of their view, a member is removed), the photo is not still on the device.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.post("/my-day/checklist/<uuid:item_id>")
@identity.company_required(*roles.TECHNICIANS)
def tick(item_id: UUID) -> View:
    item = service.checklist_item(current_user.tenant_id, item_id)
    if item is None:
        abort(404)
    found = visit_or_404(item["visit_id"])
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        service.tick(current_user.tenant_id, found, item_id, request.form.get("done") == "1")
    except SchedulingRefused as refused:
        return _page(found, 422, refused.message)
    return _back(found["id"], f"item-{item_id}")
