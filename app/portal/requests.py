"""The homeowner's service requests: their list, opening one (what it is about, which home,
photos), and a request's thread with a reply. Reads go through the homeowner's own policies, so
another customer's request is a 404; writes go through the portal's definers, which take the
customer from the session and write the homeowner as the author. Photos are checked (a photo,
at most 10 MB), written anew without their metadata and kept under the company's prefix before
their rows; a refused photo saves nothing at all."""

from __future__ import annotations

from uuid import UUID, uuid4

from flask import abort, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app import company, db, sql, views
from app.forms import choices, strip_text
from app.integrations import files
from app.portal import bp
from app.portal.identity import Homeowner, portal_required, signed_in
from app.portal.nav import NAV

queries = sql.load(__file__, "requests.sql")
NAV.append(("Requests", "portal.requests"))
View = Response | str | tuple[str, int]
STATUSES = {"open": "Open", "waiting_on_customer": "Answered", "closed": "Closed"}
MOST_PHOTOS = 3  # in one submit
# The photos plus the form around them (token, fields, multipart boundaries).
PHOTOS_REQUEST_BYTES = MOST_PHOTOS * files.MAX_PHOTO_BYTES + 64 * 1024
TOO_MANY_PHOTOS = f"Send at most {MOST_PHOTOS} photos at a time."
TOO_LARGE = (
    f"The photos are too large: at most {MOST_PHOTOS} photos of up to 10 MB each go at once."
    " Go back and choose fewer or smaller photos."
)
UPLOADS = {"portal.new_request", "portal.reply"}


@bp.record_once
def _allow_photo_uploads(state: BlueprintSetupState) -> None:
    """Photos may be up to 10 MB each while other forms stay under the app's 2 MB; the body is
    read by the CSRF check before any view runs, so the limit is set first of all."""
    state.app.before_request_funcs.setdefault(None, []).insert(0, _photo_upload_limit)


def _photo_upload_limit() -> None:
    if request.endpoint in UPLOADS:
        request.max_content_length = PHOTOS_REQUEST_BYTES
        if (request.content_length or 0) > PHOTOS_REQUEST_BYTES:
            abort(413, TOO_LARGE)  # before a byte of the body is read: nothing is saved


def _photos_field() -> MultipleFileField:
    return MultipleFileField(
        "Photos (optional)",
        description=f"Up to {MOST_PHOTOS} photos: JPEG, PNG or WebP, at most 10 MB each.",
        render_kw={"accept": "image/*"},
    )


class RequestForm(FlaskForm):
    subject = StringField(
        "What is it about?",
        filters=[strip_text],
        validators=[
            DataRequired("Say in a few words what it is about."),
            Length(max=200, message="Keep it under 200 characters."),
        ],
        render_kw={"placeholder": "Thermostat keeps resetting"},
    )
    property_id = SelectField("Which home?", validate_choice=True)
    body = TextAreaField(
        "Describe the problem",
        filters=[strip_text],
        validators=[
            DataRequired("Describe the problem first."),
            Length(max=5000, message="Keep it under 5,000 characters."),
        ],
        render_kw={"rows": 5},
    )
    photos = _photos_field()


class ReplyForm(FlaskForm):
    body = TextAreaField(
        "Your reply",
        filters=[strip_text],
        validators=[
            DataRequired("Write your reply first."),
            Length(max=5000, message="Keep it under 5,000 characters."),
        ],
        render_kw={"rows": 4},
    )
    photos = _photos_field()


def _scope(me: Homeowner, **more: object) -> dict[str, object]:
    return {"tenant_id": me.tenant_id, "customer_id": me.customer_id, **more}


def _uploads(field: MultipleFileField) -> list[FileStorage]:
    return [f for f in (field.data or []) if isinstance(f, FileStorage) and f.filename]


def cleaned_photos(field: MultipleFileField) -> list[files.Picture] | None:
    """The chosen photos as they are kept; None (with the message on the field) when any of
    them cannot be kept, so that nothing is saved."""
    uploads = _uploads(field)
    try:
        if len(uploads) > MOST_PHOTOS:
            raise files.FileRefused(TOO_MANY_PHOTOS)
        return [files.clean_photo(f.read(files.MAX_PHOTO_BYTES + 1)) for f in uploads]
    except files.FileRefused as refused:
        field.errors = [refused.message]
        return None


def add_photos(
    me: Homeowner, request_id: UUID, message_id: UUID | None, pictures: list[files.Picture]
) -> None:
    prefix = f"{me.tenant_id}/requests/{request_id}"
    kept = {files.check_key(f"{prefix}/{uuid4()}.jpg"): picture for picture in pictures}
    with files.kept(kept):
        for key, picture in kept.items():
            db.write(
                queries.add_photo,
                {
                    "request_id": request_id,
                    "message_id": message_id,
                    "storage_key": key,
                    "content_type": picture.content_type,
                    "byte_size": len(picture.data),
                },
            )


@bp.get("/requests")
@portal_required
def requests() -> View:
    number = views.page_number() or 1
    rows = db.query(queries.my_requests, _scope(signed_in(), **sql.paging(number)))
    return render_template(
        "portal/requests.html",
        page=sql.page_of(rows, number),
        statuses=STATUSES,
        zone=company.zone(signed_in().tenant_id),
    )


def _new_page(me: Homeowner, form: RequestForm, status: int = 200) -> View:
    return render_template("portal/requests_new.html", form=form), status


def _with_homes(me: Homeowner, form: RequestForm) -> RequestForm:
    homes = db.query(queries.my_properties, _scope(me))
    form.property_id.choices = choices(
        [("", "Not about one home")]
        + [
            (str(h["id"]), " ".join(filter(None, (h["street"], h["unit"], h["city"]))))
            for h in homes
        ]
    )
    return form


@bp.route("/requests/new", methods=["GET", "POST"])
@portal_required
def new_request() -> View:
    me = signed_in()
    if request.method == "GET":
        return _new_page(me, _with_homes(me, RequestForm(formdata=None)))
    form = _with_homes(me, RequestForm())
    if not form.validate_on_submit():
        return _new_page(me, form, 422)
    pictures = cleaned_photos(form.photos)
    if pictures is None:
        return _new_page(me, form, 422)
    try:
        with db.atomic():
            values = {
                "property_id": form.property_id.data or None,
                "subject": form.subject.data,
                "body": form.body.data,
            }
            request_id = UUID(str(db.write(queries.open_request, values)[0]["id"]))
            add_photos(me, request_id, None, pictures)
    except db.ConstraintViolation as refused:
        form.form_errors.append(refused.message)
        return _new_page(me, form, 422)
    flash("Your request is sent. We will answer here.", "success")
    return redirect(url_for("portal.request_page", request_id=request_id))


def _request_or_404(me: Homeowner, request_id: UUID) -> db.Row:
    found = db.one(queries.my_request, _scope(me, id=request_id))
    if found is None:
        abort(404)
    return found


def _thread_page(me: Homeowner, found: db.Row, form: ReplyForm, status: int = 200) -> View:
    scope = _scope(me, id=found["id"])
    thread, photos = db.query_together((queries.my_thread, scope), (queries.my_photos, scope))
    return render_template(
        "portal/requests_show.html",
        r=found,
        thread=thread,
        photos=photos,
        form=form,
        statuses=STATUSES,
        zone=company.zone(me.tenant_id),
    ), status


@bp.get("/requests/<uuid:request_id>")
@portal_required
def request_page(request_id: UUID) -> View:
    me = signed_in()
    return _thread_page(me, _request_or_404(me, request_id), ReplyForm(formdata=None))


@bp.post("/requests/<uuid:request_id>/reply")
@portal_required
def reply(request_id: UUID) -> View:
    me = signed_in()
    found = _request_or_404(me, request_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _thread_page(me, found, form, 422)
    pictures = cleaned_photos(form.photos)
    if pictures is None:
        return _thread_page(me, found, form, 422)
    try:
        with db.atomic():
            said = db.write(queries.reply, {"id": request_id, "body": form.body.data})[0]["id"]
            if said is None:
                abort(404)
            add_photos(me, request_id, UUID(str(said)), pictures)
    except db.ConstraintViolation as refused:
        form.form_errors.append(refused.message)
        return _thread_page(me, found, form, 422)
    flash("Reply sent.", "success")
    return redirect(url_for("portal.request_page", request_id=request_id, _anchor="thread"))


@bp.get("/requests/photos/<uuid:request_photo_id>")
@portal_required
def request_photo(request_photo_id: UUID) -> Response:
    """A photo of one of the homeowner's own requests (`?size=thumb` for its thumbnail)."""
    row = db.one(queries.my_photo, _scope(signed_in(), id=request_photo_id))
    if row is None:
        abort(404)
    store, key = files.store(), row["storage_key"]
    try:
        data = store.get(files.thumbnail_key(key) if request.args.get("size") == "thumb" else key)
    except files.FileMissing:
        abort(404)
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = "inline"
    return response
