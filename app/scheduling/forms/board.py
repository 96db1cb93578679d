"""The dispatch board's form: where a visit goes (technician, day, window)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, time
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, SelectField, StringField
from wtforms.validators import ValidationError

from app.forms import strip_text
from app.scheduling.forms.fields import RedispatchChoice
from app.scheduling.service import Booking

BOARD_DAYS = (date(1970, 1, 1), date(2200, 12, 31))  # the days the board can be opened on
DAY_MESSAGE = "Enter the day as a date, like 2026-03-02."


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
