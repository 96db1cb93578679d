"""The dispatch board: each technician's day as a lane along the clock, the queue of visits
waiting for a place, and placing or moving a visit. Dragging a card posts the same form that
the "Move" page shows, so the board works fully without script."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import Field, HiddenField, SelectField, StringField
from wtforms.validators import ValidationError

from app import db, sql
from app.auth import identity
from app.auth.forms import ConfirmForm
from app.customers.service import company_zone
from app.forms import strip_text
from app.scheduling import bp, service

queries = sql.load(__file__, "board.sql")
Row = dict[str, Any]
View = Response | str | tuple[str, int] | tuple[Response, int]
OFFICE = identity.OFFICE_ROLES

FIRST_HOUR, LAST_HOUR = 7, 19  # the hour axis, widened when a visit falls outside it
SLOT_MINUTES = 15  # one column of a lane
QUEUE_PAGE = 50
EARLIEST, LATEST = date(1970, 1, 1), date(2200, 12, 31)
DAY_MESSAGE = "Enter the day as a date, like 2026-03-02."
EN_DASH = "\N{EN DASH}"  # between the ends of a window


# --- reading the board ----------------------------------------------------------------------


def local_midnight(zone: ZoneInfo, day: date) -> datetime:
    """Where a local day starts; the next one's minus this is 23 or 25 hours on DST days."""
    return datetime.combine(day, time(0), tzinfo=zone)


def visits_between(tenant_id: UUID, zone: ZoneInfo, first: date, days: int) -> list[Row]:
    """The visits (not canceled) whose window starts on these local days, with technician ids."""
    return db.query(
        queries.visits_between,
        {
            "tenant_id": tenant_id,
            "starts": local_midnight(zone, first),
            "ends": local_midnight(zone, first + timedelta(days=days)),
        },
    )


def unscheduled_queue(tenant_id: UUID, limit: int) -> tuple[list[Row], int]:
    """The oldest `limit` visits waiting for a place, and how many wait in all."""
    rows = db.query(queries.unscheduled_queue, {"tenant_id": tenant_id, "limit": limit})
    return rows, (rows[0]["waiting"] if rows else 0)


@dataclass
class Card:
    visit: Row
    starts: datetime  # the arrival window, local
    ends: datetime
    at: int  # first grid column (1-based) on the lane
    span: int
    row: int = 1
    others: list[str] = field(default_factory=list)  # the visit's other technicians

    @property
    def window(self) -> str:
        """`9:00-11:00 AM` (with an en dash), short enough for a narrow card."""
        if f"{self.starts:%p}" == f"{self.ends:%p}":
            return f"{self.starts:%-I:%M}{EN_DASH}{clock(self.ends)}"
        return f"{clock(self.starts)}{EN_DASH}{clock(self.ends)}"

    @property
    def window_hours(self) -> str:
        length = self.visit["window_ends_at"] - self.visit["window_starts_at"]  # absolute time
        return f"{length.total_seconds() / 3600:g}"


@dataclass
class Lane:
    technician_id: UUID | None  # None: visits booked on nobody on the board
    name: str
    cards: list[Card] = field(default_factory=list)
    rows: int = 1


@dataclass
class Axis:
    first_hour: int
    last_hour: int

    @property
    def slots(self) -> int:
        return (self.last_hour - self.first_hour) * 60 // SLOT_MINUTES

    def hours(self) -> list[tuple[int, str]]:
        """(grid column, label) of each hour mark."""
        return [
            ((hour - self.first_hour) * 60 // SLOT_MINUTES + 1, f"{time(hour):%-I %p}")
            for hour in range(self.first_hour, self.last_hour)
        ]


def clock(moment: datetime | time) -> str:
    return moment.strftime("%-I:%M %p")


def axis_for(visits: Iterable[Row], zone: ZoneInfo) -> Axis:
    """7am to 7pm, or wider so that every visit of the day fits."""
    first, last = FIRST_HOUR, LAST_HOUR
    for visit in visits:
        starts = visit["window_starts_at"].astimezone(zone)
        minute = starts.hour * 60 + starts.minute
        first = min(first, minute // 60)
        last = max(last, min(24, math.ceil((minute + visit["duration_minutes"]) / 60)))
    return Axis(first, last)


def _card(
    visit: Row, zone: ZoneInfo, axis: Axis, names: dict[UUID, str], lane: UUID | None
) -> Card:
    """A visit on a lane: it covers the technician's booked time (at least half an hour)."""
    starts = visit["window_starts_at"].astimezone(zone)
    offset = starts.hour * 60 + starts.minute - axis.first_hour * 60
    at = offset // SLOT_MINUTES + 1
    span = max(2, math.ceil(visit["duration_minutes"] / SLOT_MINUTES))
    others = [names[t] for t in visit["technician_ids"] if t != lane and t in names]
    ends = visit["window_ends_at"].astimezone(zone)
    return Card(visit, starts, ends, at, min(span, axis.slots - at + 1), others=others)


def _stack(cards: list[Card]) -> int:
    """Give overlapping cards rows of their own (a card is never drawn over another)."""
    ends: list[int] = []
    for card in sorted(cards, key=lambda c: (c.at, -c.span)):
        free = next((i for i, end in enumerate(ends) if end <= card.at), None)
        if free is None:
            ends.append(0)
            free = len(ends) - 1
        ends[free] = card.at + card.span
        card.row = free + 1
    return max(1, len(ends))


def lanes_for(
    technicians: list[Row],
    chosen: list[UUID] | None,
    visits: list[Row],
    zone: ZoneInfo,
    axis: Axis,
) -> list[Lane]:
    """One lane per technician shown, with their visits; a visit with two technicians is in
    both. Visits booked on no active technician get a lane of their own on the full board."""
    names = {t["account_id"]: t["full_name"] for t in technicians}
    lanes = {
        t["account_id"]: Lane(t["account_id"], t["full_name"])
        for t in technicians
        if chosen is None or t["account_id"] in chosen
    }
    nobody = Lane(None, "Not assigned")
    for visit in visits:
        for technician_id in visit["technician_ids"]:
            if technician_id in lanes:
                lanes[technician_id].cards.append(_card(visit, zone, axis, names, technician_id))
        if chosen is None and not any(t in names for t in visit["technician_ids"]):
            nobody.cards.append(_card(visit, zone, axis, names, None))
    result = [*lanes.values(), *([nobody] if nobody.cards else [])]
    for lane in result:
        lane.rows = _stack(lane.cards)
    return result


@dataclass
class WeekRow:
    technician_id: UUID | None
    name: str
    days: list[list[tuple[datetime, Row]]]  # per day: (local start, visit)


def week_rows(
    technicians: list[Row],
    chosen: list[UUID] | None,
    visits: list[Row],
    zone: ZoneInfo,
    first: date,
) -> list[WeekRow]:
    """A row per technician and a cell per day of the week, with the day's visits in time order."""
    rows = {
        t["account_id"]: WeekRow(t["account_id"], t["full_name"], [[] for _ in range(7)])
        for t in technicians
        if chosen is None or t["account_id"] in chosen
    }
    everyone = {t["account_id"] for t in technicians}
    nobody = WeekRow(None, "Not assigned", [[] for _ in range(7)])
    for visit in visits:
        starts = visit["window_starts_at"].astimezone(zone)
        index = (starts.date() - first).days
        for technician_id in visit["technician_ids"]:
            if technician_id in rows:
                rows[technician_id].days[index].append((starts, visit))
        if chosen is None and not everyone.intersection(visit["technician_ids"]):
            nobody.days[index].append((starts, visit))
    return [*rows.values(), *([nobody] if any(nobody.days) else [])]


# --- the pages --------------------------------------------------------------------------------


def _parse_day(value: str | None, default: date) -> date:
    """A day from the address; ValueError when it is not a sensible date."""
    if not value:
        return default
    day = date.fromisoformat(value)
    if not EARLIEST <= day <= LATEST:
        raise ValueError(value)
    return day


def _requested_day(name: str, default: date) -> tuple[date, str | None]:
    """The day the address asks for, or `default` and what was wrong with it."""
    try:
        return _parse_day(request.args.get(name), default), None
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


def _filter_args(chosen: list[UUID] | None) -> dict[str, list[str]]:
    return {"technician": [str(t) for t in chosen or []]}


@bp.get("/dispatch")
@identity.company_required(*OFFICE)
def board() -> View:
    tenant = current_user.tenant_id
    zone = company_zone(tenant)
    today = datetime.now(zone).date()
    day, error = _requested_day("day", today)
    technicians = service.technicians(tenant)
    chosen = _chosen(technicians)
    visits = visits_between(tenant, zone, day, 1)
    axis = axis_for(visits, zone)
    queue, waiting = unscheduled_queue(tenant, _queue_limit())
    return render_template(
        "scheduling/board.html",
        day=day,
        prev_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        today=today,
        zone=zone,
        movable=service.MOVABLE,
        technicians=technicians,
        chosen=chosen,
        filter_args=_filter_args(chosen),
        lanes=lanes_for(technicians, chosen, visits, zone, axis),
        axis=axis,
        queue=queue,
        waiting=waiting,
        error=error,
        labels=_labels(),
        clock=clock,
    ), (422 if error else 200)


@bp.get("/dispatch/week")
@identity.company_required(*OFFICE)
def board_week() -> View:
    tenant = current_user.tenant_id
    zone = company_zone(tenant)
    today = datetime.now(zone).date()
    day, error = _requested_day("start", today)
    first = day - timedelta(days=day.weekday())  # weeks start on Monday
    technicians = service.technicians(tenant)
    chosen = _chosen(technicians)
    visits = visits_between(tenant, zone, first, 7)
    return render_template(
        "scheduling/board_week.html",
        first=first,
        prev_week=first - timedelta(days=7),
        next_week=first + timedelta(days=7),
        visits=visits,
        days=[first + timedelta(days=n) for n in range(7)],
        today=today,
        technicians=technicians,
        chosen=chosen,
        filter_args=_filter_args(chosen),
        rows=week_rows(technicians, chosen, visits, zone, first),
        error=error,
        labels=_labels(),
        clock=clock,
    ), (422 if error else 200)


def _labels() -> dict[str, dict[str, str]]:
    return {"kinds": service.KINDS, "priorities": service.PRIORITIES, "statuses": service.STATUSES}


# --- placing a visit --------------------------------------------------------------------------


def _a_day(text: str) -> date:
    if not text:
        raise ValueError(text)
    return _parse_day(text, date.min)


def _a_time(text: str) -> time:
    return time.fromisoformat(text).replace(tzinfo=None)


def _bounded(kind: Callable[[str], Any], low: float, high: float) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        number = kind(text)
        if not (math.isfinite(number) and low <= number <= high):
            raise ValueError(text)
        return number

    return parse


_window_hours, _minutes = _bounded(float, 0.5, 12), _bounded(int, 15, 720)


def _parses(parse: Callable[[str], Any], message: str) -> Callable[[FlaskForm, Field], None]:
    """A validator: the field's text must parse, or the user reads `message`."""

    def validate(_form: FlaskForm, field: Field) -> None:
        try:
            parse(field.data or "")
        except (ValueError, ArithmeticError):
            raise ValidationError(message) from None

    return validate


class PlaceForm(FlaskForm):
    """Where a visit goes: the technician, the day and the arrival window."""

    technician_id = SelectField("Technician", validate_choice=False)
    day = StringField(
        "Day",
        filters=[strip_text],
        validators=[_parses(_a_day, DAY_MESSAGE)],
        render_kw={"type": "date"},
    )
    start = StringField(
        "Arrival window starts",
        filters=[strip_text],
        validators=[_parses(_a_time, "Enter the start time, like 09:00.")],
        render_kw={"type": "time"},
    )
    window_hours = StringField(
        "Window length (hours)",
        filters=[strip_text],
        validators=[_parses(_window_hours, "The arrival window is 0.5 to 12 hours long.")],
        render_kw={"type": "number", "min": 0.5, "max": 12, "step": 0.25, "inputmode": "decimal"},
    )
    duration_minutes = StringField(
        "Expected duration (minutes)",
        filters=[strip_text],
        validators=[_parses(_minutes, "A visit takes 15 to 720 minutes.")],
        render_kw={"type": "number", "min": 15, "max": 720, "step": 5, "inputmode": "numeric"},
        description="How long the technician is booked from the window's start.",
    )
    # The lane a card was dragged from: that technician is swapped, the visit's others stay.
    replacing = HiddenField()

    def validate_technician_id(self, field: Field) -> None:
        if not field.data or field.data not in {value for value, _ in field.choices if value}:
            raise ValidationError("Choose one of your technicians.")

    def booking(self, zone: ZoneInfo, booked: list[UUID]) -> service.Booking:
        chosen = UUID(self.technician_id.data)
        replacing = next((t for t in booked if str(t) == self.replacing.data), None)
        if replacing is None or len(booked) < 2:
            crew = [chosen]
        else:
            crew = list(dict.fromkeys(chosen if t == replacing else t for t in booked))
        return service.Booking.local(
            zone,
            _a_day(self.day.data),
            _a_time(self.start.data),
            _window_hours(self.window_hours.data),
            _minutes(self.duration_minutes.data),
            crew,
        )

    def messages(self) -> str:
        return " ".join(error for errors in self.errors.values() for error in errors)


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


def _place_page(visit: Row, form: PlaceForm, zone: ZoneInfo, status: int) -> tuple[str, int]:
    booked = {str(t) for t in visit["technician_ids"]}
    others = []
    if form.replacing.data in booked:  # moved from one lane: the others stay on the visit
        stay = booked - {form.replacing.data}
        others = [name for value, name in form.technician_id.choices if value in stay]
    return render_template(
        "scheduling/board_place.html",
        visit=visit,
        form=form,
        zone=zone,
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
        return _a_day(form.day.data or "")
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
@identity.company_required(*OFFICE)
def board_place(visit_id: UUID) -> View:
    tenant = current_user.tenant_id
    visit = _visit_or_404(visit_id)
    zone = company_zone(tenant)
    submitted = request.method == "POST"
    form = PlaceForm(data=None if submitted else _prefill(visit, zone, datetime.now(zone).date()))
    form.technician_id.choices = [
        ("", "Choose a technician"),
        *((str(t["account_id"]), t["full_name"]) for t in service.technicians(tenant)),
    ]
    if not submitted:
        return _place_page(visit, form, zone, 200)
    if not form.validate_on_submit():
        return _refused(visit, form, zone, form.messages(), 422)
    booking = form.booking(zone, visit["technician_ids"])
    try:
        service.book(tenant, visit_id, booking)
    except service.SchedulingRefused as refusal:
        return _refused(visit, form, zone, refusal.message, 409)
    flash(_booked_message(visit, form, booking, zone), "success")
    if _wants_json():
        return jsonify(ok=True)
    return redirect(url_for("scheduling.board", day=_a_day(form.day.data).isoformat()))


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
        day = _a_day(request.form.get("day", "")).isoformat()
    except ValueError:
        day = None  # the board opens on today
    return redirect(url_for("scheduling.board", day=day))


@bp.post("/dispatch/visits/<uuid:visit_id>/unschedule")
@identity.company_required(*OFFICE)
def board_unschedule(visit_id: UUID) -> Response:
    tenant = current_user.tenant_id
    return _status_change(
        visit_id,
        lambda: service.unschedule(tenant, visit_id),
        "back in the unscheduled queue",
    )


@bp.post("/dispatch/visits/<uuid:visit_id>/dispatch")
@identity.company_required(*OFFICE)
def board_dispatch(visit_id: UUID) -> Response:
    tenant = current_user.tenant_id
    return _status_change(
        visit_id,
        lambda: service.move(tenant, visit_id, "dispatched"),
        "dispatched to the technician",
    )
