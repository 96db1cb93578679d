"""The job page's forms: a new job, its details, booking a visit and canceling one."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.forms import choices, strip_text
from app.scheduling.forms.fields import CheckboxesField, RedispatchChoice, _in_range, _long_text
from app.scheduling.service import KINDS, OVERRIDES, PRIORITIES

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
    override = SelectField(
        "Outside the rules",
        choices=choices([("", "No: by the working hours and bookings"), *OVERRIDES.items()]),
        default="",
    )
    override_reason = StringField(
        "Reason",
        filters=[strip_text],
        validators=[Optional(), Length(max=500, message="At most 500 characters.")],
        render_kw={
            "autocomplete": "off",
            "placeholder": "e.g. No heat, baby at home; Terry stays late",
        },
    )
    # The starts of the windows the page offers (app.bookable_windows, worked out afresh for
    # each request): a slot is only ever one of these, never a time made up in the request.
    offered: dict[datetime, datetime] = {}

    def offer_technicians(self, technicians: Iterable[dict[str, Any]]) -> None:
        self.technician_ids.choices = choices(
            (str(t["account_id"]), t["full_name"]) for t in technicians
        )

    def offer_windows(self, windows: Iterable[dict[str, Any]]) -> None:
        self.offered = {w["window_starts_at"]: w["window_ends_at"] for w in windows}

    def validate_slot(self, field: StringField) -> None:
        if field.data and self.slot_start() is None:
            raise ValidationError("That window is not one of those offered. Choose again.")
        if not field.data and not (self.day.data and self.start.data):
            raise ValidationError("Choose a window, or enter a date and a start time below.")

    def validate_override_reason(self, field: StringField) -> None:
        if self.override.data and not self.slot.data and not field.data:
            raise ValidationError("Say why this visit is booked outside the rules.")

    def slot_start(self) -> datetime | None:
        """The chosen window's start, if it is one of the windows offered."""
        try:
            starts = datetime.fromisoformat(self.slot.data or "")
        except ValueError:
            return None
        if starts.tzinfo is None or starts not in self.offered:
            return None
        return starts

    def slot_hours(self) -> float:
        """The chosen window's length in hours (an emergency's same-day windows are shorter)."""
        starts = self.slot_start()
        assert starts is not None
        return (self.offered[starts] - starts).total_seconds() / 3600

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
