"""The forms of online booking: the company's settings, and the public page's request."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from app import phones, vocabulary
from app.forms import choices, lower_text, strip_text

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{2,46}[a-z0-9]$")
KINDS = choices(vocabulary.JOB_KINDS.items())


def _number(label: str, low: int, high: int, unit: str) -> IntegerField:
    message = f"Enter a number of {unit} from {low} to {high}."
    return IntegerField(
        label,
        validators=[InputRequired(message), NumberRange(low, high, message)],
        render_kw={"inputmode": "numeric"},
    )


def description_field() -> TextAreaField:
    """The problem in the homeowner's words, as both booking pages ask for it."""
    return TextAreaField(
        "Describe the problem",
        filters=[strip_text],
        validators=[
            DataRequired("Tell us what is wrong, in a few words."),
            Length(max=5000, message="At most 5000 characters."),
        ],
    )


class BookingSettingsForm(FlaskForm):
    public_page = BooleanField("Public booking page is on")
    slug = StringField(
        "Booking link name",
        filters=[lower_text],
        validators=[DataRequired("Choose the link's name.")],
    )
    kinds = SelectMultipleField(
        "Kinds of visit homeowners may book online",
        choices=KINDS,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        invalid_choice_message="Choose among the kinds of visit offered.",
    )
    horizon_days = _number("How far ahead (days)", 1, 60, "days")
    lead_hours = _number("Minimum notice (hours)", 0, 336, "hours")
    needs_confirmation = BooleanField("The office confirms online bookings first")
    buffer_minutes = _number("Travel buffer between visits (minutes)", 0, 240, "minutes")
    window_hours = _number("Arrival window (hours)", 1, 8, "hours")
    portal_change_cutoff_hours = _number(
        "Homeowners may reschedule or cancel up to (hours before)", 0, 336, "hours"
    )

    def validate_slug(self, field: StringField) -> None:
        if not SLUG.match(field.data or "") or "--" in field.data:
            raise ValidationError(
                "Use 4 to 48 lower-case letters, digits and single hyphens, starting and"
                " ending with a letter or digit."
            )

    def values(self) -> dict[str, Any]:
        return {
            "slug": self.slug.data,
            "public_page": bool(self.public_page.data),
            "kinds": list(dict.fromkeys(self.kinds.data or [])),
            "horizon_days": self.horizon_days.data,
            "lead_hours": self.lead_hours.data,
            "needs_confirmation": bool(self.needs_confirmation.data),
            "buffer_minutes": self.buffer_minutes.data,
            "window_hours": self.window_hours.data,
            "portal_change_cutoff_hours": self.portal_change_cutoff_hours.data,
        }


def _text(label: str, required: str | None, limit: int, autocomplete: str) -> StringField:
    validators: list[Any] = [DataRequired(required)] if required else [Optional()]
    return StringField(
        label,
        filters=[strip_text],
        validators=[*validators, Length(max=limit, message=f"At most {limit} characters.")],
        render_kw={"autocomplete": autocomplete},
    )


class PublicBookingForm(FlaskForm):
    """A new homeowner's details and problem; `website` is a field people never see (bots fill
    it in)."""

    first_name = _text("First name", "Enter your first name.", 100, "given-name")
    last_name = _text("Last name", None, 100, "family-name")
    phone = StringField(
        "Mobile phone",
        filters=[strip_text],
        validators=[Length(max=40, message="At most 40 characters.")],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    email = EmailField(
        "Email",
        filters=[lower_text],
        validators=[
            Optional(),
            Length(max=254, message="An email address has at most 254 characters."),
            Email(
                "Enter a valid email address, like name@example.com.", check_deliverability=False
            ),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )
    street = _text("Street address", "Enter the street address.", 200, "address-line1")
    unit = _text("Apartment, unit", None, 50, "address-line2")
    city = _text("City", "Enter the city.", 100, "address-level2")
    region = _text("State", None, 50, "address-level1")
    postal_code = _text("ZIP code", "Enter the ZIP code.", 20, "postal-code")
    kind = SelectField("What do you need?", choices=KINDS)
    description = description_field()
    website = StringField("Leave this empty", render_kw={"autocomplete": "off", "tabindex": "-1"})
    window = StringField("Time")

    def validate_phone(self, field: StringField) -> None:
        try:
            field.data = phones.normalize(field.data or "")
        except phones.InvalidPhone as error:
            raise ValidationError(str(error)) from error
        if not field.data and not self.email.data:
            raise ValidationError("Give a phone number or an email address.")
