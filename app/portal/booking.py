"""Booking a visit in the portal: one of the homeowner's places, a kind of service the company
books online, the problem in their words, then one of the live windows
(app.portal_bookable_windows: starts and ends only) and confirm (app.portal_book_visit, which
takes the customer from the portal session). A window taken meanwhile is refused by the
database and the page offers the windows left."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, session, url_for
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField

from app import booking as online_booking
from app import db, sql, vocabulary
from app.forms import choices
from app.integrations import files
from app.portal import bp
from app.portal.booking_photos import BookingPhotoForm, add_photo
from app.portal.identity import portal_required, signed_in
from app.portal.nav import NAV
from app.views import show_violation

queries = sql.load(__file__, "booking.sql")
NAV.append(("Book a visit", "portal.book"))
TEMPLATE = "portal/book.html"
DONE_KEY = "portal:booked"


class PortalBookingForm(FlaskForm):
    property_id = SelectField("Where", choices=[])
    kind = SelectField("What do you need?", choices=[])
    description = online_booking.description_field()
    window = StringField("Time")


def _rules() -> db.Row:
    me = signed_in()
    found = db.one(queries.rules, {"tenant_id": me.tenant_id, "customer_id": me.customer_id})
    if found is None:
        abort(404)
    return found


def _form(rules: db.Row) -> PortalBookingForm:
    form = PortalBookingForm()
    form.property_id.choices = choices(
        (p["id"], ", ".join(x for x in (p["street"], p["unit"], p["city"]) if x))
        for p in rules["places"]
    )
    form.kind.choices = choices((k, vocabulary.JOB_KINDS[k]) for k in rules["kinds"])
    return form


def _page(form: PortalBookingForm, rules: db.Row, status: int, **extra: Any) -> Any:
    context: dict[str, Any] = {"form": form, "rules": rules, "step": "details"} | extra
    return render_template(TEMPLATE, **context), status


def _with_windows(form: PortalBookingForm, rules: db.Row, status: int) -> Any:
    params = {"property_id": form.property_id.data, "kind": form.kind.data}
    zone = ZoneInfo(rules["time_zone"])
    days = online_booking.by_day(db.query(queries.windows, params), zone)
    return _page(form, rules, status, step="windows", days=days, zone=zone)


@bp.route("/book", methods=["GET", "POST"])
@portal_required
def book() -> Any:
    rules = _rules()
    form = _form(rules)
    if not form.is_submitted():
        return _page(form, rules, 200)
    if not form.validate():
        return _page(form, rules, 422)
    starts = online_booking.parse(form.window.data)
    if starts is None:
        if form.window.data:
            form.window.errors = ["Pick one of the times below."]
        return _with_windows(form, rules, 422 if form.window.data else 200)
    params = {
        "property_id": form.property_id.data,
        "kind": form.kind.data,
        "description": form.description.data,
        "window": starts,
    }
    try:
        booked = db.write(queries.book, params)[0]
    except db.ConstraintViolation as violation:
        if violation.constraint == "online_bookings_window_open":
            form.window.errors = [online_booking.WINDOW_TAKEN]
            return _with_windows(form, rules, 409)
        show_violation(form, violation)
        return _page(form, rules, 422)
    session[DONE_KEY] = {
        "tenant_id": str(signed_in().tenant_id),
        "visit": str(booked["visit_id"]),
        "status": booked["status"],
        "starts": booked["window_starts_at"].isoformat(),
        "ends": booked["window_ends_at"].isoformat(),
    }
    return redirect(url_for("portal.booked"), code=303)


def _done() -> dict[str, str] | None:
    """The booking this browser just made (for its confirmation page and its photos)."""
    done = session.get(DONE_KEY)
    if not isinstance(done, dict) or done.get("tenant_id") != str(signed_in().tenant_id):
        return None
    return done


def _booked_page(done: dict[str, str], form: BookingPhotoForm, status: int) -> Any:
    return render_template(
        "portal/booked.html",
        done=done,
        starts=datetime.fromisoformat(done["starts"]),
        ends=datetime.fromisoformat(done["ends"]),
        zone=ZoneInfo(_rules()["time_zone"]),
        photo_form=form,
    ), status


@bp.get("/book/done")
@portal_required
def booked() -> Any:
    done = _done()
    if done is None:
        return redirect(url_for("portal.book"), code=303)
    return _booked_page(done, BookingPhotoForm(), 200)


@bp.post("/book/done/photos")
@portal_required
def add_booking_photo() -> Any:
    done = _done()
    if done is None:
        return redirect(url_for("portal.book"), code=303)
    form = BookingPhotoForm()
    if not form.validate_on_submit():
        return _booked_page(done, form, 422)
    try:
        data = form.photo.data.read(files.MAX_PHOTO_BYTES + 1)
        add_photo(signed_in().tenant_id, UUID(done["visit"]), data)
    except (files.FileRefused, db.ConstraintViolation) as refused:
        form.photo.errors = [refused.message]
        return _booked_page(done, form, 422)
    flash("Photo added.", "success")
    return redirect(url_for("portal.booked"), code=303)
