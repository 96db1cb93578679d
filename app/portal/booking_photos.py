"""Photos of the problem, added on the page that confirms a booking: each is cleaned (upright,
no metadata: no GPS position), stored under the company's prefix, then recorded as the visit's
photo by app.portal_add_booking_photo (the homeowner's own visit booked online within the
hour, at most 5). When the database refuses the row, the stored bytes are removed again."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import request
from flask.sansio.scaffold import Scaffold
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from app import db, sql
from app.integrations import files
from app.portal import bp

queries = sql.load(__file__, "booking.sql")
REQUEST_BYTES = files.MAX_PHOTO_BYTES + 64 * 1024  # the photo and the form around it


class BookingPhotoForm(FlaskForm):
    photo = FileField(
        "Add a photo of the problem",
        validators=[FileRequired("Choose or take a photo first.")],
        render_kw={"accept": "image/*"},
        description="JPEG, PNG or WebP, up to 10 MB; up to 5 photos.",
    )


@bp.record_once
def _limit(state: Any) -> None:
    """Photos may be up to 10 MB while other forms stay under the app's 2 MB (set before the
    CSRF check reads the body)."""
    app: Scaffold = state.app
    app.before_request_funcs.setdefault(None, []).insert(0, _photo_upload_limit)


def _photo_upload_limit() -> None:
    if request.endpoint == "portal.add_booking_photo":
        request.max_content_length = REQUEST_BYTES


def add_photo(tenant_id: UUID, visit_id: UUID, data: bytes) -> None:
    """Keep the photo as the visit's; FileRefused or ConstraintViolation when it is not one."""
    picture = files.clean_photo(data)
    key = files.visit_file_key(tenant_id, visit_id, picture.content_type)
    with files.kept({key: picture}):
        db.write(
            queries.add_photo,
            {
                "visit_id": visit_id,
                "storage_key": key,
                "content_type": picture.content_type,
                "byte_size": len(picture.data),
            },
        )
