"""The form of the company's messaging settings: Twilio and SendGrid (keys typed in, never shown
back: an empty field keeps the saved one) and when each kind of message goes."""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    IntegerField,
    PasswordField,
    StringField,
    TimeField,
)
from wtforms.validators import (
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from app import phones
from app.forms import lower_text, strip_text

ACCOUNT_SID = re.compile(r"^AC[0-9a-f]{32}$")
AUTH_TOKEN = re.compile(r"^[0-9a-f]{32}$")
SERVICE_SID = re.compile(r"^MG[0-9a-f]{32}$")
API_KEY = re.compile(r"^SG\.[A-Za-z0-9_-]{16,64}\.[A-Za-z0-9_-]{16,128}$")
REVIEW_URL = re.compile(r"^https://\S+$")


def _number(label: str, low: int, high: int, unit: str) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            InputRequired(f"Enter a number of {unit} from {low} to {high}."),
            NumberRange(low, high, f"Enter a number of {unit} from {low} to {high}."),
        ],
        render_kw={"inputmode": "numeric"},
    )


def _finite(_form: FlaskForm, field: DecimalField) -> None:
    """NaN and infinity are refused before a comparison could raise."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation("Enter a rate from 0.1 to 1000 a second.")


class MessagingSettingsForm(FlaskForm):
    """Saved together; the database checks every value again (its constraints)."""

    twilio_account_sid = StringField(
        "Account SID",
        filters=[strip_text],
        validators=[
            Optional(),
            Regexp(
                ACCOUNT_SID, message="An account SID is AC followed by 32 letters a-f and digits."
            ),
        ],
    )
    twilio_auth_token = PasswordField(
        "Auth token",
        filters=[strip_text],
        validators=[
            Optional(),
            Regexp(AUTH_TOKEN, message="An auth token is 32 letters a-f and digits."),
        ],
    )
    remove_twilio_auth_token = BooleanField("Remove the saved auth token")
    twilio_from_number = StringField(
        "Sending number", filters=[strip_text], render_kw={"inputmode": "tel"}
    )
    twilio_messaging_service_sid = StringField(
        "Messaging service SID",
        filters=[strip_text],
        validators=[
            Optional(),
            Regexp(
                SERVICE_SID,
                message="A messaging service SID is MG followed by 32 letters a-f and digits.",
            ),
        ],
    )
    sms_per_second = DecimalField(
        "Texts per second",
        places=2,
        default=Decimal(1),
        validators=[
            InputRequired("Enter how many texts Twilio takes per second (1 for a long code)."),
            _finite,
            NumberRange(Decimal("0.1"), Decimal(1000), "Enter a rate from 0.1 to 1000 a second."),
        ],
        render_kw={"inputmode": "decimal"},
    )
    sendgrid_api_key = PasswordField(
        "API key",
        filters=[strip_text],
        validators=[Optional(), Regexp(API_KEY, message="Paste the whole API key: SG.…")],
    )
    remove_sendgrid_api_key = BooleanField("Remove the saved API key")
    sendgrid_from_email = EmailField(
        "From address",
        filters=[lower_text],
        validators=[
            Optional(),
            Length(max=254, message="An email address has at most 254 characters."),
            Email(
                "Enter a valid email address, like office@example.com.", check_deliverability=False
            ),
        ],
    )
    sendgrid_from_name = StringField(
        "From name",
        filters=[strip_text],
        validators=[Length(max=100, message="At most 100 characters.")],
    )
    reminder_time = TimeField(
        "Reminder time, the day before",
        default=time(17),
        validators=[InputRequired("Enter a time, like 17:00.")],
    )
    estimate_follow_up_days = _number("Estimate follow-up after", 1, 60, "days")
    invoice_overdue_days = _number("Overdue invoice reminder after", 1, 90, "days")
    review_url = StringField(
        "Review page",
        filters=[strip_text],
        validators=[
            Optional(),
            Length(max=500, message="At most 500 characters."),
            Regexp(REVIEW_URL, message="Paste the page's whole address, starting with https://."),
        ],
    )
    review_every_months = _number("Ask a customer at most once every", 1, 60, "months")
    review_delay_hours = _number("Ask after the visit is completed, after", 0, 336, "hours")

    def validate_twilio_from_number(self, field: StringField) -> None:
        try:
            field.data = phones.normalize(field.data or "")
        except phones.InvalidPhone as error:
            raise ValidationError(f"{error} Write it as +1 312 555 0100.") from None

    def check_accounts(self, has_auth_token: bool, has_api_key: bool) -> bool:
        """Each provider is complete or empty (after the fields' own checks); False with the
        message next to the field that is missing."""
        token = bool(self.twilio_auth_token.data) or (
            has_auth_token and not self.remove_twilio_auth_token.data
        )
        twilio_named = any(
            (
                self.twilio_account_sid.data,
                self.twilio_from_number.data,
                self.twilio_messaging_service_sid.data,
                self.twilio_auth_token.data,
            )
        )
        missing: list[tuple[Any, str]] = []
        if twilio_named or token:
            if not self.twilio_account_sid.data:
                missing.append((self.twilio_account_sid, "Enter the account SID."))
            if not token:
                missing.append((self.twilio_auth_token, "Enter the auth token."))
            senders = (self.twilio_from_number.data, self.twilio_messaging_service_sid.data)
            if not any(senders):
                missing.append(
                    (self.twilio_from_number, "Enter a sending number or a messaging service SID.")
                )
            elif all(senders):
                missing.append(
                    (
                        self.twilio_from_number,
                        "Give a sending number or a messaging service SID, not both.",
                    )
                )
        key = bool(self.sendgrid_api_key.data) or (
            has_api_key and not self.remove_sendgrid_api_key.data
        )
        if key and not self.sendgrid_from_email.data:
            missing.append((self.sendgrid_from_email, "Enter the verified from address."))
        if self.sendgrid_from_email.data and not key:
            missing.append((self.sendgrid_api_key, "Enter the API key."))
        for field, message in missing:
            field.errors = [*field.errors, message]
        return not missing

    def values(self) -> dict[str, Any]:
        """The settings as the database takes them (keys apart)."""
        texts = {name: getattr(self, name).data or "" for name in TEXTS}
        return texts | {name: getattr(self, name).data for name in NUMBERS}


TEXTS = (
    "twilio_account_sid",
    "twilio_from_number",
    "twilio_messaging_service_sid",
    "sendgrid_from_email",
    "sendgrid_from_name",
    "review_url",
)
NUMBERS = (
    "sms_per_second",
    "reminder_time",
    "estimate_follow_up_days",
    "invoice_overdue_days",
    "review_every_months",
    "review_delay_hours",
)
