"""The dispatch board: each technician's day as a lane along the clock, the queue of visits
waiting for a place, and placing or moving a visit. Dragging a card posts the same form that
the "Move" page shows, so the board works fully without script. Where the cards go on a lane
is worked out in layout.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import company, db, fragments, roles, sql
from app.audit.access import record_list
from app.auth import identity
from app.auth.forms import ConfirmForm
from app.scheduling import bp, offer, service
from app.scheduling.forms import DAY_MESSAGE, PlaceForm, ScheduleForm, parse_day, required_day
from app.scheduling.layout import axis_for, lanes_for, now_column, week_rows
from app.scheduling.times import clock

queries = sql.load(__file__, "board.sql")
Row = dict[str, Any]
View = Response | str | tuple[str, int] | tuple[Response, int]
QUEUE_PAGE = 50


# --- reading the board ----------------------------------------------------------------------


def local_midnight(zone: ZoneInfo, day: date) -> datetime:
    """Where a local day starts; the next one's minus this is 23 or 25 hours on DST days."""
    return datetime.combine(day, time(0), tzinfo=zone)


def _between(tenant_id: UUID, zone: ZoneInfo, first: date, days: int) -> tuple[str, db.Params]:
    """The visits (not canceled) whose window starts on these local days, with technician ids:
    the statement and its parameters."""
    return queries.visits_between, {
        "tenant_id": tenant_id,
        "starts": local_midnight(zone, first),
        "ends": local_midnight(zone, first + timedelta(days=days)),
    }


def visits_between(tenant_id: UUID, zone: ZoneInfo, first: date, days: int) -> list[Row]:
    return db.query(*_between(tenant_id, zone, first, days))


# --- the pages --------------------------------------------------------------------------------


def _requested_day(name: str, default: date) -> tuple[date, str | None]:
    """The day the address asks for, or `default` and what was wrong with it."""
    try:
        return parse_day(request.args.get(name), default), None
    except ValueError:
        return default, DAY_MESSAGE


def _chosen(technicians: list[Row]) -> list[UUID] | None:
    """The technicians the board is filtered to (None: everyone). Unknown ids are ignored."""
    wanted = set(request.args.getlist("technician"))
    chosen = [t["account_id"] for t in technicians if str(t["account_id"]) in wanted]
    return chosen or None


def _queue_limit() -> int:
    """How much of the queue to show: 50 more each time "Show more" is followed."""
    try:
        wanted = int(request.args.get("queue", QUEUE_PAGE))
    except ValueError:
        wanted = QUEUE_PAGE
    return min(max(QUEUE_PAGE, wanted), 20 * QUEUE_PAGE)


def _paths() -> dict[str, str]:
    """Where a card's links start (a visit's, customer's or job's id follows): url_for once
    per page instead of several times for each of hundreds of cards."""
    marker = str(UUID(int=0))

    def prefix(endpoint: str, **values: Any) -> str:
        address = url_for(endpoint, **values)
        return address[: address.index(marker)]

    return {
        "place": prefix("scheduling.board_place", visit_id=UUID(int=0)),
        "customer": prefix("customers.show", customer_id=UUID(int=0)),
        "job": prefix("scheduling.job", job_id=UUID(int=0)),
    }


def _filter_args(chosen: list[UUID] | None) -> dict[str, list[str]]:
    return {"technician": [str(t) for t in chosen or []]}


def _reads(tenant: UUID, zone: ZoneInfo, day: date) -> tuple[list[Row], list[Row], list[Row]]:
    """The board's three reads in one round trip: the technicians (lanes), the day's visits
    and the head of the queue."""
    technicians, visits, queue = db.query_together(
        (service.queries.technicians, {"tenant_id": tenant}),
        _between(tenant, zone, day, 1),
        (queries.unscheduled_queue, {"tenant_id": tenant, "limit": _queue_limit()}),
    )
    return technicians, visits, queue


@bp.get("/dispatch")
@identity.company_required(*roles.OFFICE_STAFF)
def board() -> View:
    tenant = current_user.tenant_id
    zone = company.zone(tenant)
    now = datetime.now(zone)
    today = now.date()
    day, error = _requested_day("day", today)
    technicians, visits, queue = _reads(tenant, zone, day)
    chosen = _chosen(technicians)
    axis = axis_for(visits, zone)
    record_list("public.visits", (v["id"] for v in [*visits, *queue]), view="dispatch board")
    filter_args = _filter_args(chosen)
    # The queue and the lanes, kept while these values stay the same: the visits and the queue
    # by the digest of each row, as the query gives it (hashing the rows here cost more).
    body = fragments.render(
        "scheduling/_board_body.html",
        lambda: {"lanes": lanes_for(technicians, chosen, visits, zone, axis), "queue": queue},
        visit_digests=[v["digest"] for v in visits],
        queue_digests=[v["digest"] for v in queue],
        day=day,
        zone=zone,
        technicians=technicians,
        chosen=chosen,
        axis=axis,
        now_at=now_column(axis, now, day),
        now_label=clock(now),
        waiting=queue[0]["waiting"] if queue else 0,
        filter_args=filter_args,
        paths=_paths(),
        movable=service.MOVABLE,
        kinds=service.KINDS,
        priorities=service.PRIORITIES,
        statuses=service.STATUSES,
    )
    return render_template(
        "scheduling/board.html",
        day=day,
        prev_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        today=today,
        technicians=technicians,
        chosen=chosen,
        filter_args=filter_args,
        error=error,
        body=body,
    ), (422 if error else 200)


@bp.get("/dispatch/week")
@identity.company_required(*roles.OFFICE_STAFF)
def board_week() -> View:
    tenant = current_user.tenant_id
    zone = company.zone(tenant)
    today = datetime.now(zone).date()
    day, error = _requested_day("start", today)
    first = day - timedelta(days=day.weekday())  # weeks start on Monday
    technicians = service.technicians(tenant)
    chosen = _chosen(technicians)
    visits = visits_between(tenant, zone, first, 7)
    record_list("public.visits", (v["id"] for v in visits), view="dispatch week")
    filter_args = _filter_args(chosen)
    days = [first + timedelta(days=n) for n in range(7)]
    # The table, kept while these values stay the same (the visits by each row's digest).
    body = fragments.render(
        "scheduling/_board_week_body.html",
        lambda: {"rows": week_rows(technicians, chosen, visits, zone, first), "clock": clock},
        visit_digests=[v["digest"] for v in visits],
        technicians=technicians,
        chosen=chosen,
        days=days,
        today=today,
        zone=zone,
        day_links=[_day_link(d, filter_args) for d in days],
    )
    return render_template(
        "scheduling/board_week.html",
        first=first,
        prev_week=first - timedelta(days=7),
        next_week=first + timedelta(days=7),
        days=days,
        today=today,
        technicians=technicians,
        chosen=chosen,
        filter_args=filter_args,
        error=error,
        body=body,
    ), (422 if error else 200)


def _day_link(day: date, filter_args: dict[str, list[str]]) -> str:
    values: dict[str, Any] = {"day": day.isoformat(), **filter_args}
    return url_for("scheduling.board", **values)


def _labels() -> dict[str, dict[str, str]]:
    return {"kinds": service.KINDS, "priorities": service.PRIORITIES, "statuses": service.STATUSES}


# --- placing a visit --------------------------------------------------------------------------


def _visit_or_404(visit_id: UUID) -> Row:
    found = service.visit(current_user.tenant_id, visit_id)
    if found is None:
        abort(404)
    return found


def _wants_json() -> bool:
    """A drop on the board (fetch) rather than the form."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _prefill(visit: Row, zone: ZoneInfo, today: date) -> dict[str, Any]:
    """The form as the Move/Schedule link opens it: where the visit is now (or the board's
    day at 8am), on the lane the link was on."""
    lane = request.args.get("from", "")
    booked = [str(t) for t in visit["technician_ids"]]
    values = {
        "technician_id": lane if lane in booked else (booked[0] if booked else ""),
        "replacing": lane if lane in booked else "",
        "duration_minutes": visit["duration_minutes"],
        "window_hours": 2,
    }
    if visit["window_starts_at"] is not None:
        starts = visit["window_starts_at"].astimezone(zone)
        hours = (visit["window_ends_at"] - visit["window_starts_at"]).total_seconds() / 3600
        return values | {
            "day": starts.date().isoformat(),
            "start": f"{starts:%H:%M}",
            "window_hours": f"{hours:g}",
        }
    return values | {"day": _requested_day("day", today)[0].isoformat(), "start": "08:00"}


OFFER = "offer"  # the prefix of the Schedule form's fields on the place page


def _place_page(
    visit: Row,
    form: PlaceForm,
    zone: ZoneInfo,
    status: int,
    schedule: ScheduleForm | None = None,
) -> tuple[str, int]:
    """The Schedule/Move page: the windows the job page offers (the one Schedule form), and
    the exact place on a lane (what a drop on the board posts)."""
    if schedule is None:
        schedule = offer.schedule_form(current_user.tenant_id, visit, zone, OFFER)
    offered = offer.offer(visit, schedule, zone, "scheduling.board_place", visit_id=visit["id"])
    booked = {str(t) for t in visit["technician_ids"]}
    others = []
    if form.replacing.data in booked:  # moved from one lane: the others stay on the visit
        stay = booked - {form.replacing.data}
        others = [name for value, name in form.technician_id.choices if value in stay]
    return render_template(
        "scheduling/board_place.html",
        visit=visit,
        place_form=form,
        **offered,
        others=others,
        movable=service.MOVABLE,
        labels=_labels(),
        clock=clock,
        back_day=_back_day(visit, form, zone),
    ), status


def _back_day(visit: Row, form: PlaceForm, zone: ZoneInfo) -> date:
    """The board's day to go back to: the visit's, or the one the form was opened for."""
    if visit["window_starts_at"] is not None:
        return visit["window_starts_at"].astimezone(zone).date()
    try:
        return required_day(form.day.data or "")
    except ValueError:
        return datetime.now(zone).date()


def _refused(visit: Row, form: PlaceForm, zone: ZoneInfo, message: str, status: int) -> View:
    """Nothing saved (an error status rolls the request back); say why where it was asked."""
    if _wants_json():
        return jsonify(ok=False, message=message), status
    if message not in form.messages():
        form.form_errors.append(message)
    return _place_page(visit, form, zone, 422)


def _booked_message(visit: Row, form: PlaceForm, booking: service.Booking, zone: ZoneInfo) -> str:
    names = dict(form.technician_id.choices)
    who = ", ".join(names.get(str(t), "a technician") for t in booking.technician_ids)
    starts, ends = booking.starts_at.astimezone(zone), booking.ends_at.astimezone(zone)
    return (
        f"{visit['customer_name']} booked with {who} on {starts:%a %b %-d}, "
        f"{clock(starts)} to {clock(ends)}."
    )


@bp.route("/dispatch/visits/<uuid:visit_id>/place", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def board_place(visit_id: UUID) -> View:
    tenant = current_user.tenant_id
    visit = _visit_or_404(visit_id)
    zone = company.zone(tenant)
    submitted = request.method == "POST"
    form = PlaceForm(data=None if submitted else _prefill(visit, zone, datetime.now(zone).date()))
    form.technician_id.choices = [
        ("", "Choose a technician"),
        *((str(t["account_id"]), t["full_name"]) for t in service.technicians(tenant)),
    ]
    if not submitted:
        return _place_page(visit, form, zone, 200)
    if offer.submitted(OFFER):
        return _book_offered(visit, form, zone)
    if not form.validate_on_submit():
        return _refused(visit, form, zone, form.messages(), 422)
    booking = form.booking(zone, visit["technician_ids"])
    try:
        service.book(tenant, visit_id, booking, form.redispatch_choice())
    except service.RedispatchNeeded as question:
        if _wants_json():  # the board asks, then sends the drop again with the answer
            return jsonify(ok=False, message=question.message, choose="redispatch"), 409
        return _refused(visit, form, zone, question.message, 422)
    except service.SchedulingRefused as refusal:
        return _refused(visit, form, zone, refusal.message, 409)
    flash(_booked_message(visit, form, booking, zone), "success")
    if _wants_json():
        return jsonify(ok=True)
    return redirect(url_for("scheduling.board", day=required_day(form.day.data).isoformat()))


def _book_offered(visit: Row, form: PlaceForm, zone: ZoneInfo) -> View:
    """A window chosen in the Schedule form of the place page: booked as on the job page."""
    tenant = current_user.tenant_id
    schedule = offer.schedule_form(tenant, visit, zone, OFFER)
    offer.offer(visit, schedule, zone, "scheduling.board_place", visit_id=visit["id"])
    if not schedule.validate_on_submit():
        return _place_page(visit, form, zone, 422, schedule)
    try:
        booked = offer.book(tenant, visit, schedule, zone)
    except service.SchedulingRefused as refusal:
        schedule.form_errors.append(refusal.message)
        return _place_page(visit, form, zone, 422, schedule)
    flash(offer.booked_message(booked, zone), "success")
    day = booked["window_starts_at"].astimezone(zone).date()
    return redirect(url_for("scheduling.board", day=day.isoformat()))


def _status_change(visit_id: UUID, change: Callable[[], None], done: str) -> Response:
    """Dispatch or unschedule from a card; a refusal is shown on the board, not a 500."""
    visit = _visit_or_404(visit_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        change()
        flash(f"{visit['customer_name']}: {done}.", "success")
    except service.SchedulingRefused as refusal:
        flash(refusal.message, "error")
    try:
        day = required_day(request.form.get("day", "")).isoformat()
    except ValueError:
        day = None  # the board opens on today
    return redirect(url_for("scheduling.board", day=day))


@bp.post("/dispatch/visits/<uuid:visit_id>/unschedule")
@identity.company_required(*roles.OFFICE_STAFF)
def board_unschedule(visit_id: UUID) -> Response:
    tenant = current_user.tenant_id
    return _status_change(
        visit_id,
        lambda: service.unschedule(tenant, visit_id),
        "back in the unscheduled queue",
    )


@bp.post("/dispatch/visits/<uuid:visit_id>/dispatch")
@identity.company_required(*roles.OFFICE_STAFF)
def board_dispatch(visit_id: UUID) -> Response:
    tenant = current_user.tenant_id
    return _status_change(
        visit_id,
        lambda: service.move(tenant, visit_id, "dispatched"),
        "dispatched to the technician",
    )
