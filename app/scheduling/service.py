"""Jobs and visits: creating them, booking technicians, and moving visits through their
statuses. The database has the last word (the exclusion constraint refuses double bookings,
the status machine trigger refuses illegal changes); this module turns its refusals into
messages that say what is in the way."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from app import company, db, sql, vocabulary
from app.formatting import format_datetime, format_time

queries = sql.load(__file__)
Row = dict[str, Any]

KINDS = vocabulary.JOB_KINDS
PRIORITIES = vocabulary.JOB_PRIORITIES
STATUSES = vocabulary.VISIT_STATUSES
# What each status may become; app.visit_status_allowed in the database holds the same list and
# is what actually decides (tests/scheduling compares the two).
TRANSITIONS = {
    "unscheduled": ("scheduled", "canceled"),
    "scheduled": ("unscheduled", "dispatched", "en_route", "canceled"),
    "dispatched": ("scheduled", "en_route", "canceled"),
    "en_route": ("on_site", "canceled"),
    "on_site": ("completed", "canceled"),
    "completed": (),
    "canceled": (),
}
# The statuses in which a visit may still be moved on the board.
MOVABLE = ("unscheduled", "scheduled", "dispatched")
# The ways an emergency may be booked outside the rules when no window is free
# (app.visits_booking_override decides who may, and when).
OVERRIDES = {
    "overtime": "Overtime: outside the technician's working hours",
    "overflow": "Overflow: over another booking",
}
# How long each kind usually takes (app.job_minutes holds the same figures).
DEFAULT_MINUTES = {"install": 240, "repair": 90, "estimate": 45, "maintenance": 60}


# What happens to a dispatched visit that is moved: the dispatcher says which (app.place_visit).
REDISPATCH = {
    "keep": "Keep it dispatched: the technician gets it at its new time",
    "reset": "Back to scheduled: dispatch it again when it is ready",
}


class SchedulingRefused(Exception):
    """A booking or status change that cannot be made; `message` is for the user and
    `conflicts` lists the visits in the way (for a double booking)."""

    def __init__(self, message: str, conflicts: list[Row] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.conflicts = conflicts or []


class RedispatchNeeded(SchedulingRefused):
    """A dispatched visit is being moved and nobody said whether it stays dispatched."""


@dataclass(frozen=True)
class Booking:
    """Where a visit goes: its arrival window and its technicians."""

    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    technician_ids: list[UUID] = field(default_factory=list)
    override: str = ""  # '' by the rules, else one of OVERRIDES (an emergency's, with a reason)
    override_reason: str = ""

    @classmethod
    def local(
        cls,
        zone: ZoneInfo,
        day: date,
        start: time,
        window_hours: float,
        duration_minutes: int,
        technician_ids: list[UUID],
    ) -> Booking:
        """A window given in the company's local time (as a dispatcher reads the clock)."""
        starts = datetime.combine(day, start, tzinfo=zone)
        return cls(
            starts, elapsed(starts, timedelta(hours=window_hours)), duration_minutes, technician_ids
        )


def elapsed(moment: datetime, span: timedelta) -> datetime:
    """`span` of real time after `moment`. Python adds a timedelta to a zoned datetime on the
    wall clock, so across a daylight-saving change it would be an hour off from PostgreSQL's
    timestamptz arithmetic, which the bookings use."""
    return (moment.astimezone(UTC) + span).astimezone(moment.tzinfo)


def technicians(tenant_id: UUID) -> list[Row]:
    """Active technicians of the company (account id and name), by name: the board's lanes."""
    return db.query(queries.technicians, {"tenant_id": tenant_id})


# --- jobs ---------------------------------------------------------------------------------


def create_job(
    tenant_id: UUID, property_id: UUID, values: dict[str, Any], equipment_ids: list[UUID]
) -> UUID:
    """A job at a property, naming some of its equipment, with its first (unscheduled) visit."""
    with db.atomic():
        rows = db.write(
            queries.create_job, {"tenant_id": tenant_id, "property_id": property_id, **values}
        )
        if not rows:
            raise SchedulingRefused("That property no longer exists.")
        job_id = UUID(str(rows[0]["id"]))
        for equipment_id in equipment_ids:
            db.write(
                queries.add_job_equipment,
                {"tenant_id": tenant_id, "job_id": job_id, "equipment_id": equipment_id},
            )
        db.write(
            queries.create_visit,
            {
                "tenant_id": tenant_id,
                "job_id": job_id,
                "duration_minutes": DEFAULT_MINUTES[values["kind"]],
            },
        )
    return job_id


def first_visit(tenant_id: UUID, job_id: UUID) -> UUID | None:
    """The job's first visit (the one a new job comes with)."""
    found = db.value(queries.first_visit, {"tenant_id": tenant_id, "job_id": job_id})
    return None if found is None else UUID(str(found))


def job(tenant_id: UUID, job_id: UUID) -> Row | None:
    return db.one(queries.job, {"tenant_id": tenant_id, "id": job_id})


def add_visit(tenant_id: UUID, job_id: UUID) -> UUID:
    """Another (unscheduled) visit for a job: a return trip for a part."""
    found = job(tenant_id, job_id)
    if found is None:
        raise SchedulingRefused("That job no longer exists.")
    rows = db.write(
        queries.create_visit,
        {
            "tenant_id": tenant_id,
            "job_id": job_id,
            "duration_minutes": DEFAULT_MINUTES[found["kind"]],
        },
    )
    return UUID(str(rows[0]["id"]))


# --- visits -------------------------------------------------------------------------------


def visit(tenant_id: UUID, visit_id: UUID) -> Row | None:
    """A visit with its job, customer, property and technicians (what the caller may see)."""
    return db.one(queries.visit, {"tenant_id": tenant_id, "id": visit_id})


def conflicts(
    tenant_id: UUID,
    technician_ids: list[UUID],
    starts_at: datetime,
    duration_minutes: int,
    excluding: UUID | None = None,
) -> list[Row]:
    """The visits that already book any of these technicians during the given time."""
    return db.query(
        queries.conflicts,
        {
            "tenant_id": tenant_id,
            "technician_ids": technician_ids,
            "starts_at": starts_at,
            "ends_at": elapsed(starts_at, timedelta(minutes=duration_minutes)),
            "excluding": excluding,
        },
    )


def _describe(conflict: Row, zone: ZoneInfo) -> str:
    starts, ends = conflict["booked_from"], conflict["booked_until"]
    return (
        f"{conflict['technician_name']} is already booked {format_datetime(starts, zone)} to "
        f"{format_time(ends, zone)} on “{conflict['job_summary']}” for {conflict['customer_name']}."
    )


def _refusal(
    tenant_id: UUID, violation: db.ConstraintViolation, booking: Booking, visit_id: UUID
) -> SchedulingRefused:
    """What to tell the user when the database refused a booking."""
    if violation.constraint == "visit_assignments_no_double_booking":
        # Another booking won the race: read it now that it is committed, and name it.
        found = conflicts(
            tenant_id,
            booking.technician_ids,
            booking.starts_at,
            booking.duration_minutes,
            excluding=visit_id,
        )
        zone = company.zone(tenant_id)
        detail = " ".join(_describe(row, zone) for row in found)
        return SchedulingRefused(detail or violation.message, found)
    return SchedulingRefused(violation.message)


def _technician_names(tenant_id: UUID, technician_ids: list[UUID]) -> str:
    names = {row["account_id"]: row["full_name"] for row in technicians(tenant_id)}
    return ", ".join(names.get(tid, "that technician") for tid in technician_ids)


def book(tenant_id: UUID, visit_id: UUID, booking: Booking, redispatch: bool | None = None) -> None:
    """Place a visit in a window with its technicians (a first booking, a move or a
    reassignment). Saves all of it or none of it; a clash names the visit in the way. A
    dispatched visit is moved only with `redispatch` said: True keeps it dispatched (to whoever
    has it now), False puts it back to scheduled."""
    if not booking.technician_ids:
        raise SchedulingRefused("Choose at least one technician.")
    if booking.ends_at < booking.starts_at:
        raise SchedulingRefused("The arrival window must end after it starts.")
    found = visit(tenant_id, visit_id)
    if found is None:
        raise SchedulingRefused("That visit no longer exists.")
    if found["status"] not in MOVABLE:
        raise SchedulingRefused(
            f"This visit is {STATUSES[found['status']].lower()} and can no longer be moved."
        )
    if found["status"] == "dispatched" and redispatch is None:
        raise RedispatchNeeded(
            f"This visit has been dispatched to {found['technician_names'] or 'a technician'}. "
            "Choose whether it stays dispatched at its new place or goes back to scheduled."
        )
    in_the_way = conflicts(
        tenant_id,
        booking.technician_ids,
        booking.starts_at,
        booking.duration_minutes,
        excluding=visit_id,
    )
    if in_the_way and booking.override != "overflow":
        zone = company.zone(tenant_id)
        raise SchedulingRefused(" ".join(_describe(row, zone) for row in in_the_way), in_the_way)
    params = {
        "tenant_id": tenant_id,
        "id": visit_id,
        "starts_at": booking.starts_at,
        "ends_at": booking.ends_at,
        "duration_minutes": booking.duration_minutes,
        "technician_ids": booking.technician_ids,
        "keep_dispatched": bool(redispatch),
        "override": booking.override,
        "override_reason": booking.override_reason.strip(),
    }
    try:
        with db.atomic():
            # Unassign first, so that the move books only the technicians it names.
            db.write(queries.unassign_others, params)
            db.write(queries.place_visit, params)
            db.write(queries.assign_technicians, params)
    except db.ConstraintViolation as violation:
        if violation.constraint in (
            "visit_assignments_within_working_hours",
            "visit_assignments_not_on_time_off",
        ):
            who = _technician_names(tenant_id, booking.technician_ids)
            raise SchedulingRefused(f"{who}: {violation.message}") from violation
        raise _refusal(tenant_id, violation, booking, visit_id) from violation


def unschedule(tenant_id: UUID, visit_id: UUID) -> None:
    """Back to the unscheduled queue: the window is cleared and the technicians unassigned."""
    with db.atomic():
        move(tenant_id, visit_id, "unscheduled")
        db.write(queries.unassign_all, {"tenant_id": tenant_id, "id": visit_id})


def move(tenant_id: UUID, visit_id: UUID, to: str, **values: str) -> None:
    """Change a visit's status (the database stamps the time); `values` are the completion
    notes, signer's name (or why nobody signed) or cancel reason where the status takes them."""
    found = visit(tenant_id, visit_id)
    if found is None:
        raise SchedulingRefused("That visit no longer exists.")
    if to not in TRANSITIONS.get(found["status"], ()):
        raise SchedulingRefused(
            f"A visit that is {STATUSES[found['status']].lower()} cannot be marked "
            f"{STATUSES.get(to, to).lower()}."
        )
    if to == "canceled" and not values.get("cancel_reason", "").strip():
        raise SchedulingRefused("Say why the visit is canceled.")
    params = {
        "tenant_id": tenant_id,
        "id": visit_id,
        "from_status": found["status"],
        "to_status": to,
        "cancel_reason": values.get("cancel_reason", "").strip(),
        "completion_notes": values.get("completion_notes", "").strip(),
        "signed_by": values.get("signed_by", "").strip(),
        "unsigned_reason": values.get("unsigned_reason", "").strip(),
    }
    try:
        rows = db.write(queries.move_visit, params)
    except db.ConstraintViolation as violation:
        raise SchedulingRefused(violation.message) from violation
    if not rows:
        # Someone else changed it first; say what it is now.
        now = visit(tenant_id, visit_id)
        status = STATUSES[now["status"]].lower() if now else "gone"
        raise SchedulingRefused(f"This visit was changed meanwhile: it is now {status}.")
