"""Working hours and time off."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, Form, FormField, StringField, TimeField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.forms import strip_text
from app.scheduling.forms.fields import _in_range

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


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
