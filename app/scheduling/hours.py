"""Technicians' working hours and time off, which bookings must respect (the database refuses
a booking outside them), and the pages where managers and dispatchers set them and can end a
technician's calendar link."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import company, db, roles, sql
from app.auth import identity
from app.auth.forms import ConfirmForm
from app.formatting import format_datetime
from app.scheduling import bp, service
from app.scheduling.forms import WEEKDAYS, HoursForm, TimeOffForm
from app.views import show_violation

queries = sql.load(__file__, "hours.sql")
Row = dict[str, Any]
View = Response | str | tuple[str, int]
# Who may change hours and time off (the policies on working_hours and time_off say the same).
PAGE = "scheduling/hours.html"
VISITS_LISTED = 5  # in a warning; the rest are counted


def technician(tenant_id: UUID, account_id: UUID) -> Row | None:
    return db.one(queries.technician, {"tenant_id": tenant_id, "account_id": account_id})


def working_hours(tenant_id: UUID, account_id: UUID) -> list[Row]:
    """The technician's own hours by ISO weekday; none means the company default applies."""
    return db.query(queries.working_hours, {"tenant_id": tenant_id, "account_id": account_id})


def set_working_hours(
    tenant_id: UUID, account_id: UUID, days: list[tuple[int, time, time]]
) -> None:
    """Replace the technician's hours with `days`, all or nothing."""
    scope = {"tenant_id": tenant_id, "account_id": account_id}
    with db.atomic():
        db.write(queries.clear_working_hours, scope)
        for weekday, starts_at, ends_at in days:
            db.write(
                queries.add_working_hours,
                {**scope, "weekday": weekday, "starts_at": starts_at, "ends_at": ends_at},
            )


def visits_outside_hours(tenant_id: UUID, account_id: UUID, zone: ZoneInfo) -> list[Row]:
    """The first visits ahead that the technician's hours no longer cover, each with how many
    there are in all (`outside`)."""
    return db.query(
        queries.visits_outside_hours,
        {
            "tenant_id": tenant_id,
            "account_id": account_id,
            "zone": zone.key,
            "limit": VISITS_LISTED,
        },
    )


def open_calendar_feed(tenant_id: UUID, account_id: UUID) -> Row | None:
    return db.one(queries.open_calendar_feed, {"tenant_id": tenant_id, "account_id": account_id})


def revoke_calendar_feeds(tenant_id: UUID, account_id: UUID) -> bool:
    """End the technician's calendar link (a lost phone); False when none was open."""
    scope = {"tenant_id": tenant_id, "account_id": account_id}
    return bool(db.write(queries.revoke_calendar_feeds, scope))


def time_off(tenant_id: UUID, account_id: UUID) -> list[Row]:
    return db.query(queries.time_off, {"tenant_id": tenant_id, "account_id": account_id})


def add_time_off(
    tenant_id: UUID, account_id: UUID, starts_at: datetime, ends_at: datetime, reason: str
) -> None:
    db.write(
        queries.add_time_off,
        {
            "tenant_id": tenant_id,
            "account_id": account_id,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "reason": reason,
        },
    )


# --- pages --------------------------------------------------------------------------------


def _technician(account_id: UUID) -> Row:
    found = technician(current_user.tenant_id, account_id)
    if found is None:
        abort(404)  # another company's member, or not a technician here
    return found


def _page(
    account_id: UUID,
    status: int = 200,
    hours_form: HoursForm | None = None,
    time_off_form: TimeOffForm | None = None,
) -> tuple[str, int]:
    """The technician's hours and time off; a refused form is shown with its errors (422)."""
    tenant_id = current_user.tenant_id
    found = _technician(account_id)
    rows = working_hours(tenant_id, account_id)
    if hours_form is None:
        hours_form = HoursForm(formdata=None)
        hours_form.fill(rows)
    return render_template(
        PAGE,
        technician=found,
        uses_default=not rows,
        hours_form=hours_form,
        time_off_form=time_off_form or TimeOffForm(formdata=None),
        time_off=time_off(tenant_id, account_id),
        feed=open_calendar_feed(tenant_id, account_id),
        weekdays=WEEKDAYS,
        zone=company.zone(tenant_id),
        confirm_form=ConfirmForm(formdata=None),
    ), status


def _back(account_id: UUID, anchor: str) -> Response:
    return redirect(url_for("scheduling.hours", account_id=account_id, _anchor=anchor))


@bp.route("/team/technicians/<uuid:account_id>/hours", methods=["GET", "POST"])
@identity.company_required(*roles.PLANNERS)
def hours(account_id: UUID) -> View:
    found = _technician(account_id)
    form = HoursForm()
    if not form.is_submitted():
        return _page(account_id)
    if not form.validate():
        return _page(account_id, 422, hours_form=form)
    try:
        set_working_hours(current_user.tenant_id, account_id, form.working_days())
    except db.ConstraintViolation as violation:
        form.form_errors.append(violation.message)
        return _page(account_id, 422, hours_form=form)
    if form.working_days():
        flash(f"Working hours of {found['full_name']} saved.", "success")
    else:
        flash(f"{found['full_name']} works the company default hours again.", "success")
    _warn_about_hours(account_id)
    return _back(account_id, "hours")


def _warn_about_hours(account_id: UUID) -> None:
    """New hours do not move visits already booked; say which ones now fall outside them."""
    zone = company.zone(current_user.tenant_id)
    outside = visits_outside_hours(current_user.tenant_id, account_id, zone)
    if outside:
        more = outside[0]["outside"] - len(outside)
        listed = _listed(outside, zone) + (f"; and {more} more" if more else "")
        flash(f"Booked outside these hours, to be moved: {listed}.", "warning")


@bp.post("/team/technicians/<uuid:account_id>/time-off")
@identity.company_required(*roles.PLANNERS)
def new_time_off(account_id: UUID) -> View:
    found = _technician(account_id)
    form = TimeOffForm()
    if not form.validate_on_submit():
        return _page(account_id, 422, time_off_form=form)
    zone = company.zone(current_user.tenant_id)
    starts_at, ends_at = form.during(zone)
    try:
        add_time_off(current_user.tenant_id, account_id, starts_at, ends_at, form.reason.data or "")
    except db.ConstraintViolation as violation:
        show_violation(form, violation)
        return _page(account_id, 422, time_off_form=form)
    flash(f"Time off added for {found['full_name']}.", "success")
    _warn_about_visits(account_id, starts_at, ends_at)
    return _back(account_id, "time-off")


def _warn_about_visits(account_id: UUID, starts_at: datetime, ends_at: datetime) -> None:
    """Time off does not move visits already booked; say which ones need a new time."""
    minutes = int((ends_at - starts_at).total_seconds() // 60)
    booked = service.conflicts(current_user.tenant_id, [account_id], starts_at, minutes)
    if booked:
        zone = company.zone(current_user.tenant_id)
        flash(
            f"Still booked during this time off, to be moved: {_listed(booked, zone)}.", "warning"
        )


def _listed(visits: list[Row], zone: ZoneInfo) -> str:
    """`“No heat” for Ruth Alvarez, Mon, Dec 7, 2026 · 9:00 AM; …`"""
    return "; ".join(
        f"“{row['job_summary']}” for {row['customer_name']}, "
        f"{format_datetime(row['booked_from'], zone)}"
        for row in visits
    )


@bp.post("/time-off/<uuid:time_off_id>/remove")
@identity.company_required(*roles.PLANNERS)
def remove_time_off(time_off_id: UUID) -> View:
    scope = {"tenant_id": current_user.tenant_id, "id": time_off_id}
    found = db.one(queries.one_time_off, scope)
    if found is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db.write(queries.remove_time_off, scope)
    flash("Time off removed.", "success")
    return _back(found["technician_id"], "time-off")


@bp.post("/team/technicians/<uuid:account_id>/calendar/revoke")
@identity.company_required(*roles.PLANNERS)
def revoke_calendar(account_id: UUID) -> View:
    found = _technician(account_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if revoke_calendar_feeds(current_user.tenant_id, account_id):
        flash(
            f"Calendar link of {found['full_name']} revoked: their calendar stops updating. "
            "They can open a new link from their phone.",
            "success",
        )
    else:
        flash(f"{found['full_name']} has no calendar link open.", "info")
    return _back(account_id, "calendar")
