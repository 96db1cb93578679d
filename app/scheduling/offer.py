"""The one Schedule form: the windows a visit is offered (grouped by day, the first few shown,
an emergency's same-day windows first), the form that books one of them or a time typed in,
and the booking it makes. The job page, the dispatch board and the New call page all use it,
with the template macro `scheduling/_schedule_form.html`."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app import company
from app.formatting import format_day, format_time
from app.scheduling import office, service
from app.scheduling.forms import ScheduleForm
from app.scheduling.service import Booking, SchedulingRefused

Row = dict[str, Any]


def submitted(prefix: str = "") -> bool:
    """Whether this request posts the Schedule form (named with `prefix` where a page has
    another form too, like the dispatch board's)."""
    if request.method != "POST":
        return False
    return not prefix or any(name.startswith(f"{prefix}-") for name in request.form)


def schedule_form(tenant_id: UUID, visit: Row, zone: ZoneInfo, prefix: str = "") -> ScheduleForm:
    """The booking form, starting from the visit's current window and technicians (or as
    posted), offering the windows the visit can have now."""
    current: dict[str, Any] = {
        "duration_minutes": visit["duration_minutes"],
        "technician_ids": [str(t) for t in visit["technician_ids"]],
    }
    if visit["window_starts_at"] is not None:
        starts = visit["window_starts_at"].astimezone(zone)
        length = visit["window_ends_at"] - visit["window_starts_at"]
        current |= {
            "day": starts.date(),
            "start": starts.time(),
            "window_hours": max(round(length.total_seconds() / 3600), 1),
        }
    if submitted(prefix):
        form = ScheduleForm(prefix=prefix)
    else:
        form = ScheduleForm(prefix=prefix, formdata=None, data=current)
    form.offer_technicians(service.technicians(tenant_id))
    return form


def offer(visit: Row, form: ScheduleForm, zone: ZoneInfo, endpoint: str, **args: Any) -> Row:
    """What the macro shows: the windows by day (the first `shown` of them listed), where
    "More days" leads (`endpoint` with `args`), and whether this is an emergency."""
    days = office.offered_windows(visit["property_id"], visit["kind"], visit["priority"], zone)
    form.offer_windows(w for _, windows in days for w in windows)
    shown = office.shown_days(request.args.get("days"))
    more = min(shown + office.SHOWN_DAYS, office.DAYS_OFFERED)
    today = datetime.now(zone).date()
    return {
        "form": form,
        "zone": zone,
        "days": days,
        "shown": shown,
        "more_url": url_for(endpoint, **args, days=more, _anchor="windows")
        if len(days) > shown
        else None,
        "emergency": visit["priority"] == "emergency",
        "same_day": bool(days) and days[0][0] == today,
        "window_hours": office.WINDOW_HOURS,
        "overrides": service.OVERRIDES,
    }


def booking(tenant_id: UUID, form: ScheduleForm, visit: Row, zone: ZoneInfo) -> Booking:
    """The booking the form asks for; a window without technicians goes to the first one
    free then. A time typed in may be booked outside the rules (an emergency's override)."""
    minutes = form.duration_minutes.data or visit["duration_minutes"]
    technician_ids = form.chosen_technicians()
    starts = form.slot_start()
    if starts is None:
        assert form.day.data is not None and form.start.data is not None
        hours = form.window_hours.data or office.WINDOW_HOURS
        typed = Booking.local(zone, form.day.data, form.start.data, hours, minutes, technician_ids)
        return Booking(
            typed.starts_at,
            typed.ends_at,
            minutes,
            technician_ids,
            override=form.override.data or "",
            override_reason=form.override_reason.data or "" if form.override.data else "",
        )
    if not technician_ids:
        free = office.free_technicians(tenant_id, visit["id"], starts, minutes, zone)
        if not free:
            raise SchedulingRefused("Nobody is free in that window any more. Choose another.")
        technician_ids = [free[0]["account_id"]]
    local = starts.astimezone(zone)
    return Booking.local(
        zone, local.date(), local.time(), form.slot_hours(), minutes, technician_ids
    )


def book(tenant_id: UUID, visit: Row, form: ScheduleForm, zone: ZoneInfo) -> Row:
    """Book the visit as the form says (SchedulingRefused says why not); the visit as booked."""
    made = booking(tenant_id, form, visit, zone)
    service.book(tenant_id, visit["id"], made, form.redispatch_choice())
    booked = service.visit(tenant_id, visit["id"])
    assert booked is not None
    return booked


def booked_message(booked: Row, zone: ZoneInfo) -> str:
    starts = booked["window_starts_at"]
    outside = " (outside the rules: " + booked["booking_override_reason"] + ")"
    return (
        f"Booked {format_day(starts, zone)}, arriving from {format_time(starts, zone)}, "
        f"with {booked['technician_names']}{outside if booked['booking_override'] else ''}."
    )


def schedule_page(
    tenant_id: UUID,
    visit: Row,
    template: str,
    endpoint: str,
    done: str,
    prefix: str = "",
    **context: Any,
) -> Response | tuple[str, int]:
    """A page with the Schedule form (`template`, at `endpoint`, its fields named with
    `prefix`): shown, or its booking made and the office sent on to `done`; a refusal re-shows
    it with the reason (422 rolls back)."""
    zone = company.zone(tenant_id)
    form = schedule_form(tenant_id, visit, zone, prefix)
    page = {
        "visit": visit,
        "kinds": service.KINDS,
        "priorities": service.PRIORITIES,
        "statuses": service.STATUSES,
        **context,
        **offer(visit, form, zone, endpoint, visit_id=visit["id"]),
    }
    if not form.validate_on_submit():
        return render_template(template, **page), 422 if form.is_submitted() else 200
    try:
        booked = book(tenant_id, visit, form, zone)
    except SchedulingRefused as refusal:
        form.form_errors.append(refusal.message)
        return render_template(template, **page), 422
    flash(booked_message(booked, zone), "success")
    return redirect(done)
