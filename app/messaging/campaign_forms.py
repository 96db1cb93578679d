"""The campaign's forms: its audience and wording (office staff), and when it goes (owners and
admins), as a day and time on the company's clock."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.forms import choices, strip_text
from app.messaging.campaigns import AUDIENCES, KIND
from app.messaging.templates import problems
from app.vocabulary import EQUIPMENT_KINDS

PER_MINUTE = "Send 1 to 1,000 messages a minute."


def _wording(form: FlaskForm, field: StringField | TextAreaField) -> None:
    for problem in problems(KIND, field.data or ""):
        raise ValidationError(problem)


class CampaignForm(FlaskForm):
    name = StringField(
        "Campaign name",
        filters=[strip_text],
        validators=[
            DataRequired("Name the campaign, e.g. Furnace tune-up reminder."),
            Length(max=200, message="At most 200 characters."),
        ],
    )
    audience = SelectField("Who gets it", choices=choices(AUDIENCES.items()), default="tune_up_due")
    due_within_days = IntegerField(
        "Tune-up due within (days)",
        default=30,
        validators=[Optional(), NumberRange(0, 365, "Enter 0 to 365 days.")],
    )
    equipment_kind = SelectField(
        "Equipment kind",
        choices=choices([("", "Any kind"), *EQUIPMENT_KINDS.items()]),
        default="",
    )
    older_than_years = IntegerField(
        "Installed at least (years ago)",
        validators=[Optional(), NumberRange(1, 100, "Enter 1 to 100 years, or leave it empty.")],
        description="Leave empty for any age; equipment with no install date is then left out.",
    )
    no_visit_months = IntegerField(
        "No visit for (months)",
        default=12,
        validators=[Optional(), NumberRange(1, 120, "Enter 1 to 120 months.")],
    )
    channel = SelectField(
        "Send by", choices=choices([("sms", "Text message"), ("email", "Email")]), default="sms"
    )
    sms_body = TextAreaField(
        "Text message",
        filters=[strip_text],
        validators=[Length(max=1600, message="At most 1,600 characters."), _wording],
        description="Variables: {first_name}, {company}, {company_phone}. "
        '"Reply STOP to opt out." is added when the text does not say STOP.',
    )
    email_subject = StringField(
        "Email subject",
        filters=[strip_text],
        validators=[Length(max=200, message="At most 200 characters."), _wording],
    )
    email_body = TextAreaField(
        "Email",
        filters=[strip_text],
        validators=[Length(max=10000, message="At most 10,000 characters."), _wording],
        description="The unsubscribe link and the company's postal address are added below it.",
    )
    per_minute = IntegerField(
        "Messages a minute",
        default=60,
        validators=[Optional(), NumberRange(1, 1000, PER_MINUTE)],
    )

    def validate_sms_body(self, field: TextAreaField) -> None:
        if self.channel.data == "sms" and not field.data:
            raise ValidationError("Write the text message.")

    def validate_email_body(self, field: TextAreaField) -> None:
        if self.channel.data == "email" and not (field.data and self.email_subject.data):
            raise ValidationError("Write the email's subject and text.")

    def fill(self, row: dict[str, Any]) -> None:
        for name in self.values():
            getattr(self, name).data = row[name]

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.data or "",
            "audience": self.audience.data,
            "due_within_days": self.due_within_days.data
            if self.due_within_days.data is not None
            else 30,
            "equipment_kind": self.equipment_kind.data or "",
            "older_than_years": self.older_than_years.data,
            "no_visit_months": self.no_visit_months.data or 12,
            "channel": self.channel.data,
            "sms_body": self.sms_body.data or "",
            "email_subject": self.email_subject.data or "",
            "email_body": self.email_body.data or "",
            "per_minute": self.per_minute.data or 60,
        }


class ScheduleForm(FlaskForm):
    day = DateField("Date", validators=[DataRequired("Enter the day it goes.")])
    start = TimeField("Time", validators=[DataRequired("Enter the time it goes.")])
    per_minute = IntegerField(
        "Messages a minute",
        default=60,
        validators=[Optional(), NumberRange(1, 1000, PER_MINUTE)],
        description="Spread over time, so replies and bookings do not all come at once.",
    )

    def at(self, zone: Any) -> datetime:
        day: date = self.day.data
        start: time = self.start.data
        return datetime.combine(day, start, zone)

    def check_future(self, zone: Any, now: datetime) -> bool:
        if self.day.data and not 2000 <= self.day.data.year <= 2100:
            self.day.errors = ["Choose a date between the years 2000 and 2100."]
            return False
        if self.at(zone) < now:
            self.start.errors = ["Choose a time that has not passed."]
            return False
        return True
