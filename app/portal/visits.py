"""The homeowner's visits: upcoming and past, each with its window in the property's time zone,
the technician's first name and its status ("On the way" once the technician is en route);
moving or canceling a visit online until `app.portal_change_cutoff()` before its window (the
database decides, and says why not)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from app import booking as online_booking
from app import db, sql
from app.formatting import format_day, format_time_range, local
from app.portal import bp
from app.portal.constraints import BOOKING_REFUSALS
from app.portal.identity import portal_required
from app.portal.nav import NAV
from app.views import show_violation

queries = sql.load(__file__, "visits.sql")
NAV.append(("Visits", "portal.visits"))

STATUS_LABELS = {
    "unscheduled": "To be scheduled",
    "scheduled": "Scheduled",
    "dispatched": "Scheduled",
    "en_route": "On the way",
    "on_site": "Technician on site",
    "completed": "Done",
    "canceled": "Canceled",
}


class RescheduleForm(FlaskForm):
    window = StringField("New time")  # one of the live windows offered (its start, in UTC)


class CancelForm(FlaskForm):
    reason = TextAreaField(
        "Why are you canceling? (optional)",
        validators=[Length(max=500, message="Keep the reason under 500 characters.")],
    )


def _visit(visit_id: UUID) -> db.Row:
    """The signed-in customer's visit, or 404 (another customer's reads as unknown)."""
    found = db.one(queries.get_visit, {"visit_id": visit_id})
    if found is None:
        abort(404)
    return found


def when(starts: datetime | None, ends: datetime | None, zone: ZoneInfo) -> str:
    """`Thu, Dec 10, 9:00-11:00 AM` (a window across midnight names both days itself)."""
    if starts is None or ends is None:
        return "Time to be arranged"
    window = format_time_range(starts, ends, zone)
    same_day = local(starts, zone).date() == local(ends, zone).date()
    return f"{format_day(starts, zone)}, {window}" if same_day else window


def shown(visit: db.Row) -> dict[str, Any]:
    """A visit as the portal shows it: its window in its zone, its status in words."""
    zone = ZoneInfo(visit["time_zone"])
    return {
        **visit,
        "zone": zone,
        "when": when(visit["window_starts_at"], visit["window_ends_at"], zone),
        "label": STATUS_LABELS[visit["status"]],
    }


@bp.get("/visits")
@portal_required
def visits() -> str:
    rows = [shown(v) for v in db.query(queries.list_visits)]
    return render_template(
        "portal/visits.html",
        upcoming=[v for v in rows if not v["finished"]],
        past=[v for v in rows if v["finished"]],
    )


def _page(visit: db.Row, reschedule: RescheduleForm, cancel: CancelForm, status: int = 200) -> Any:
    shown_visit = shown(visit)
    windows = []
    if visit["changeable"]:
        windows = db.query(queries.reschedule_windows, {"visit_id": visit["id"]})
    page = render_template(
        "portal/visit.html",
        visit=shown_visit,
        reschedule=reschedule,
        cancel=cancel,
        days=online_booking.by_day(windows, shown_visit["zone"]),
    )
    return page, status


@bp.get("/visits/<uuid:visit_id>")
@portal_required
def visit(visit_id: UUID) -> Any:
    return _page(_visit(visit_id), RescheduleForm(), CancelForm())


@bp.post("/visits/<uuid:visit_id>/reschedule")
@portal_required
def reschedule(visit_id: UUID) -> Any:
    found = _visit(visit_id)
    form = RescheduleForm()
    starts = online_booking.parse(form.window.data)
    if not form.validate_on_submit() or starts is None:
        if starts is None:
            form.window.errors = ["Pick one of the free times."]
        return _page(found, form, CancelForm(), 422)
    try:
        db.write(queries.reschedule_visit, {"visit_id": visit_id, "starts_at": starts})
    except db.ConstraintViolation as refused:
        if refused.constraint == "online_bookings_window_open":
            form.window.errors = [online_booking.WINDOW_TAKEN]
        else:
            _refused(form, refused)
        return _page(found, form, CancelForm(), 422)
    flash("Your visit has been moved.", "success")
    return redirect(url_for("portal.visit", visit_id=visit_id), code=303)


@bp.post("/visits/<uuid:visit_id>/cancel")
@portal_required
def cancel(visit_id: UUID) -> Response | Any:
    found = _visit(visit_id)
    form = CancelForm()
    if not form.validate_on_submit():
        return _page(found, RescheduleForm(), form, 422)
    try:
        db.write(queries.cancel_visit, {"visit_id": visit_id, "reason": form.reason.data or ""})
    except db.ConstraintViolation as refused:
        _refused(form, refused)
        return _page(found, RescheduleForm(), form, 422)
    flash("Your visit has been canceled.", "success")
    return redirect(url_for("portal.visit", visit_id=visit_id), code=303)


def _refused(form: FlaskForm, refused: db.ConstraintViolation) -> None:
    """The database's refusal in the homeowner's words, above the form."""
    words = BOOKING_REFUSALS.get(refused.constraint or "")
    if words:
        form.form_errors.append(words)
    else:
        show_violation(form, refused)
