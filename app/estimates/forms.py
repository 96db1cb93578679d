"""Estimate forms: server-side checks with a message next to each field; amounts, percentages
and quantities read by app.money (exact decimals)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.forms import DocumentListFilter, choices, strip_text

VALID_DAYS = 30  # how long a new estimate is valid by default


def _title_field() -> StringField:
    return StringField(
        "Title",
        filters=[strip_text],
        validators=[
            DataRequired("Give the estimate a title, e.g. “Furnace replacement”."),
            Length(max=200, message="At most 200 characters."),
        ],
    )


class EstimateForm(FlaskForm):
    title = _title_field()
    valid_until = DateField(
        "Valid until",
        validators=[DataRequired("Enter the last day the estimate can be approved.")],
        format="%Y-%m-%d",
    )
    note = TextAreaField(
        "Note to the customer",
        filters=[strip_text],
        validators=[Optional(), Length(max=5000, message="At most 5,000 characters.")],
        render_kw={"rows": 3},
    )

    def __init__(self, *args: Any, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or date.today()
        if self.valid_until.data is None and not self.is_submitted():
            self.valid_until.data = self.today + timedelta(days=VALID_DAYS)

    def validate_valid_until(self, field: DateField) -> None:
        if field.data and field.data < self.today:
            raise ValidationError("Choose today or a later day.")
        if field.data and field.data > self.today + timedelta(days=366):
            raise ValidationError("An estimate is valid for at most a year.")

    def values(self) -> dict[str, Any]:
        return {
            "title": self.title.data,
            "valid_until": self.valid_until.data,
            "note": self.note.data or "",
        }


class OptionForm(FlaskForm):
    name = StringField(
        "Option",
        filters=[strip_text],
        validators=[
            DataRequired("Name the option, e.g. Good, Better or Best."),
            Length(max=60, message="At most 60 characters."),
        ],
    )
    description = TextAreaField(
        "What this option is",
        filters=[strip_text],
        validators=[Optional(), Length(max=2000, message="At most 2,000 characters.")],
        render_kw={"rows": 2},
    )


class ApproveForm(FlaskForm):
    option = SelectField("Approved option", choices=[], validate_choice=False)

    def set_options(self, options: list[dict[str, Any]]) -> None:
        self.option.choices = choices((str(o["id"]), o["name"]) for o in options)
        self.known = {str(o["id"]) for o in options}

    def validate_option(self, field: SelectField) -> None:
        if (field.data or "") not in getattr(self, "known", set()):
            raise ValidationError("Choose one of the estimate's options.")


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        "Reason (optional)",
        filters=[strip_text],
        validators=[Optional(), Length(max=1000, message="At most 1,000 characters.")],
        render_kw={"rows": 2},
    )


class ListFilter(DocumentListFilter):
    """The estimates list's filters; its days are the days the estimates were made."""


class SendForm(FlaskForm):
    to = StringField(
        "Email the link to",
        filters=[strip_text],
        validators=[Optional(), Length(max=254, message="At most 254 characters.")],
        description="Leave empty to make a link without an email (to open on the customer's"
        " phone, or to send yourself).",
        render_kw={"autocomplete": "off", "inputmode": "email"},
    )


class ApproveByLinkForm(FlaskForm):
    """The homeowner's approval: an option, their typed name, their drawn signature."""

    option = SelectField("The option you choose", choices=[], validate_choice=False)
    signed_by = StringField(
        "Your full name",
        filters=[strip_text],
        validators=[
            DataRequired("Type your name to sign."),
            Length(max=200, message="At most 200 characters."),
        ],
        render_kw={"autocomplete": "name"},
    )
    # Filled in by the signature pad (signature.js) with a PNG data URL.
    signature = HiddenField()

    def set_options(self, options: list[Any]) -> None:
        self.option.choices = choices((o.id, o.name) for o in options)
        self.known = {o.id for o in options}

    def validate_option(self, field: SelectField) -> None:
        if (field.data or "") not in getattr(self, "known", set()):
            raise ValidationError("Choose one of the options.")

    def validate_signature(self, field: HiddenField) -> None:
        if not field.data:
            raise ValidationError("Sign with your finger (or the mouse) in the box.")
