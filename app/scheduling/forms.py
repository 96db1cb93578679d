"""Office forms for jobs, bookings, places on the dispatch board, working hours, time off and
maintenance plans."""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import EARLIEST_DAY, LATEST_DAY, choices, strip_text
from app.scheduling.service import KINDS, PRIORITIES, REDISPATCH, Booking

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = {month: calendar.month_name[month] for month in range(1, 13)}
SPRING_AND_FALL = (4, 10)
BOARD_DAYS = (date(1970, 1, 1), date(2200, 12, 31))  # the days the board can be opened on
DAY_MESSAGE = "Enter the day as a date, like 2026-03-02."


def _in_range(_form: Any, field: DateField) -> None:
    """A date the calendar pages can work with; a mistyped year is refused, not a crash."""
    if field.data is not None and not EARLIEST_DAY <= field.data <= LATEST_DAY:
        raise ValidationError("Enter a date between 2000 and 2100.")


def _long_text(label: str, limit: int = 5000) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[strip_text],
        validators=[Optional(), Length(max=limit, message=f"At most {limit:,} characters.")],
        render_kw={"rows": 3},
    )


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes; a value that is not offered is refused with
    `refusal` (another property's equipment, a technician of another company)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args: Any, refusal: str = "Choose from the list.", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refusal = refusal

    def pre_validate(self, form: Any) -> None:
        offered = {str(choice.value) for choice in self.iter_choices()}
        if any(str(value) not in offered for value in self.data or ()):
            raise ValidationError(self.refusal)


# --- jobs ---------------------------------------------------------------------------------


class JobDetailsForm(FlaskForm):
    """What may change on a job once it exists."""

    priority = SelectField("Priority", choices=choices(PRIORITIES.items()), default="normal")
    summary = StringField(
        "Summary",
        filters=[strip_text],
        validators=[
            DataRequired("Say what the job is, e.g. “No heat upstairs”."),
            Length(max=200, message="At most 200 characters."),
        ],
        render_kw={"autocomplete": "off"},
    )
    description = _long_text("Description")

    def values(self) -> dict[str, Any]:
        return {
            "priority": self.priority.data,
            "summary": self.summary.data or "",
            "description": self.description.data or "",
        }


class JobForm(JobDetailsForm):
    job_kind = SelectField(
        "Kind of job",
        choices=choices([("", "Choose a kind"), *KINDS.items()]),
        validators=[DataRequired("Choose the kind of job.")],
    )
    equipment_ids = CheckboxesField(
        "Equipment concerned", refusal="Choose equipment at this property."
    )

    def offer_equipment(self, equipment: Iterable[tuple[UUID, str]]) -> None:
        self.equipment_ids.choices = choices((str(uid), label) for uid, label in equipment)

    def values(self) -> dict[str, Any]:
        return {**super().values(), "kind": self.job_kind.data}

    def chosen_equipment(self) -> list[UUID]:
        return [UUID(value) for value in self.equipment_ids.data or ()]


# --- visits -------------------------------------------------------------------------------


class RedispatchChoice:
    """Moving a dispatched visit: whether it stays dispatched (asked, never assumed)."""

    redispatch = RadioField(
        "This visit has been dispatched. After the move:",
        choices=choices(REDISPATCH.items()),
        validate_choice=False,
        validators=[Optional()],
    )

    def validate_redispatch(self, field: Field) -> None:
        if field.data not in REDISPATCH:
            raise ValidationError("Choose whether the visit stays dispatched.")

    def redispatch_choice(self) -> bool | None:
        """True: keep it dispatched; False: back to scheduled; None: not said."""
        return {"keep": True, "reset": False}.get(self.redispatch.data or "")


class ScheduleForm(RedispatchChoice, FlaskForm):
    """Book a visit in an offered window (`slot`) or at a time typed in (`day` and `start`)."""

    slot = StringField("Arrival window")
    duration_minutes = IntegerField(
        "Expected duration (minutes)",
        validators=[
            DataRequired("Enter how long the visit takes, in minutes."),
            NumberRange(15, 720, "A visit takes 15 minutes to 12 hours (720 minutes)."),
        ],
        render_kw={"inputmode": "numeric"},
    )
    technician_ids = CheckboxesField("Technicians", refusal="Choose technicians from the list.")
    day = DateField("Date", validators=[Optional(), _in_range])
    start = TimeField("Window starts", validators=[Optional()])
    window_hours = IntegerField(
        "Window length (hours)",
        default=2,
        validators=[Optional(), NumberRange(1, 12, "An arrival window is 1 to 12 hours.")],
        render_kw={"inputmode": "numeric"},
    )
    # The starts of the windows the page offers (app.bookable_windows, worked out afresh for
    # each request): a slot is only ever one of these, never a time made up in the request.
    offered: frozenset[datetime] = frozenset()

    def offer_technicians(self, technicians: Iterable[dict[str, Any]]) -> None:
        self.technician_ids.choices = choices(
            (str(t["account_id"]), t["full_name"]) for t in technicians
        )

    def offer_windows(self, starts: Iterable[datetime]) -> None:
        self.offered = frozenset(starts)

    def validate_slot(self, field: StringField) -> None:
        if field.data and self.slot_start() is None:
            raise ValidationError("That window is not one of those offered. Choose again.")
        if not field.data and not (self.day.data and self.start.data):
            raise ValidationError("Choose a window, or enter a date and a start time below.")

    def slot_start(self) -> datetime | None:
        """The chosen window's start, if it is one of the windows offered."""
        try:
            starts = datetime.fromisoformat(self.slot.data or "")
        except ValueError:
            return None
        if starts.tzinfo is None or starts not in self.offered:
            return None
        return starts

    def chosen_technicians(self) -> list[UUID]:
        return [UUID(value) for value in self.technician_ids.data or ()]


class CancelForm(FlaskForm):
    cancel_reason = StringField(
        "Reason",
        filters=[strip_text],
        validators=[
            DataRequired("Say why the visit is canceled."),
            Length(max=500, message="At most 500 characters."),
        ],
        render_kw={"autocomplete": "off", "placeholder": "e.g. Customer fixed it themselves"},
    )


# --- the dispatch board ------------------------------------------------------------------


def parse_day(value: str | None, default: date) -> date:
    """A day from the board's address or form; ValueError when it is not a sensible date."""
    if not value:
        return default
    day = date.fromisoformat(value)
    if not BOARD_DAYS[0] <= day <= BOARD_DAYS[1]:
        raise ValueError(value)
    return day


def required_day(text: str) -> date:
    if not text:
        raise ValueError(text)
    return parse_day(text, date.min)


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


class PlaceForm(RedispatchChoice, FlaskForm):
    """Where a visit goes on the board: the technician, the day and the arrival window."""

    technician_id = SelectField("Technician", validate_choice=False)
    day = StringField(
        "Day",
        filters=[strip_text],
        validators=[_parses(required_day, DAY_MESSAGE)],
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

    def booking(self, zone: ZoneInfo, booked: list[UUID]) -> Booking:
        chosen = UUID(self.technician_id.data)
        replacing = next((t for t in booked if str(t) == self.replacing.data), None)
        if replacing is None or len(booked) < 2:
            crew = [chosen]
        else:
            crew = list(dict.fromkeys(chosen if t == replacing else t for t in booked))
        return Booking.local(
            zone,
            required_day(self.day.data),
            _a_time(self.start.data),
            _window_hours(self.window_hours.data),
            _minutes(self.duration_minutes.data),
            crew,
        )

    def messages(self) -> str:
        return " ".join(error for errors in self.errors.values() for error in errors)


# --- working hours and time off -----------------------------------------------------------


class DayForm(Form):
    """One weekday: both times, or neither for a day off."""

    starts_at = TimeField("Starts", validators=[Optional()])
    ends_at = TimeField("Ends", validators=[Optional()])

    def validate(self, extra_validators: Any = None) -> bool:
        # Checked here, not per field: an empty field stops its own validators.
        if not super().validate(extra_validators):
            return False
        starts, ends = self.starts_at.data, self.ends_at.data
        if (starts is None) != (ends is None):
            self.ends_at.errors = [
                *self.ends_at.errors,
                "Enter both times, or neither for a day off.",
            ]
        elif starts is not None and ends is not None and ends <= starts:
            self.ends_at.errors = [*self.ends_at.errors, "The day must end after it starts."]
        return not self.ends_at.errors


class HoursForm(FlaskForm):
    days = FieldList(FormField(DayForm), min_entries=7, max_entries=7)

    def fill(self, rows: Iterable[dict[str, Any]]) -> None:
        by_day = {row["weekday"]: row for row in rows}
        for weekday, entry in enumerate(self.days, start=1):
            row = by_day.get(weekday)
            entry.form.starts_at.data = row["starts_at"] if row else None
            entry.form.ends_at.data = row["ends_at"] if row else None

    def working_days(self) -> list[tuple[int, time, time]]:
        """(ISO weekday, start, end) of each day with hours; days left empty are off."""
        return [
            (weekday, entry.form.starts_at.data, entry.form.ends_at.data)
            for weekday, entry in enumerate(self.days, start=1)
            if entry.form.starts_at.data is not None
        ]


class TimeOffForm(FlaskForm):
    starts_on = DateField("From", validators=[DataRequired("Enter the first day."), _in_range])
    starts_at = TimeField(
        "From (time)", validators=[Optional()], description="Empty: from the start of the day."
    )
    ends_on = DateField("Until", validators=[DataRequired("Enter the last day."), _in_range])
    ends_at = TimeField(
        "Until (time)", validators=[Optional()], description="Empty: to the end of the day."
    )
    reason = StringField(
        "Reason",
        filters=[strip_text],
        validators=[Optional(), Length(max=200, message="At most 200 characters.")],
        render_kw={"placeholder": "e.g. Vacation, training"},
    )

    def validate_ends_on(self, field: DateField) -> None:
        if field.errors or self.starts_on.errors or not (self.starts_on.data and field.data):
            return
        starts, ends = self.during(ZoneInfo("UTC"))  # as written, wall clock against wall clock
        if ends <= starts:
            raise ValidationError("Time off must end after it starts.")
        if ends - starts > timedelta(days=366):
            raise ValidationError("Enter at most a year of time off at a time.")

    def during(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The time off as instants: from the start (midnight when no time is given) until the
        end (the following midnight when no time is given), in the company's zone."""
        assert self.starts_on.data is not None and self.ends_on.data is not None
        starts = datetime.combine(self.starts_on.data, self.starts_at.data or time(0), zone)
        if self.ends_at.data is None:
            ends = datetime.combine(self.ends_on.data + timedelta(days=1), time(0), zone)
        else:
            ends = datetime.combine(self.ends_on.data, self.ends_at.data, zone)
        return starts, ends


# --- service agreements -------------------------------------------------------------------


class AgreementForm(FlaskForm):
    name = StringField(
        "Plan name",
        filters=[strip_text],
        validators=[
            DataRequired("Name the plan, e.g. Comfort Club."),
            Length(max=200, message="At most 200 characters."),
        ],
        render_kw={"autocomplete": "off"},
    )
    property_id = SelectField("Property", validators=[DataRequired("Choose the property.")])
    months = CheckboxesField(
        "Tune-ups due in",
        coerce=int,
        choices=choices((str(month), name) for month, name in MONTHS.items()),
        refusal="Choose months from the list.",
        description="Spring and fall (April and October) suit most heating and cooling plans.",
    )
    starts_on = DateField(
        "Starts on", validators=[DataRequired("Enter the day the plan starts."), _in_range]
    )
    ends_on = DateField(
        "Ends on", validators=[Optional(), _in_range], description="Leave empty if ongoing."
    )
    notes = _long_text("Notes")

    def offer_properties(self, properties: Iterable[tuple[UUID, str]]) -> None:
        self.property_id.choices = choices((str(uid), label) for uid, label in properties)

    def validate_months(self, field: CheckboxesField) -> None:
        if not field.data:
            raise ValidationError("Choose the months the tune-ups are due.")

    def validate_ends_on(self, field: DateField) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("The plan can't end before it starts.")

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.data or "",
            "property_id": UUID(self.property_id.data or ""),
            "months": sorted(set(self.months.data or ())),
            "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data,
            "notes": self.notes.data or "",
        }
