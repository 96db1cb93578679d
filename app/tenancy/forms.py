"""Team and company forms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import phonenumbers
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import Field, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from app import money, phones
from app.auth.forms import TIME_ZONES
from app.forms import choices, email_field, name_field, new_password_field, strip_text
from app.tenancy.service import ROLES

ROLE_CHOICES = choices(ROLES.items())


class InviteForm(FlaskForm):
    email = email_field()
    role = SelectField("Role", choices=ROLE_CHOICES, default="technician")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class JoinWithNewAccountForm(FlaskForm):
    full_name = name_field("Your name", "Enter your name.")
    password = new_password_field("Choose a password")


class SwitchCompanyForm(FlaskForm):
    tenant_id = SelectField("Company", choices=[])


PHONE_MESSAGE = "Enter a valid phone number, like (312) 555-0123 or +44 20 7946 0958."


def _lines(value: Any) -> Any:
    """A field filter for a multi-line text: one kind of line break, trimmed."""
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


def _valid_phone(_form: FlaskForm, field: Field) -> None:
    try:
        phones.normalize(field.data or "")
    except phones.InvalidPhone:
        raise ValidationError(PHONE_MESSAGE) from None


def _shown_phone(stored: str) -> str:
    """A stored number as people read it (kept as typed if it is not E.164)."""
    try:
        return phones.display(stored)
    except phonenumbers.NumberParseException:
        return stored


class CompanyForm(FlaskForm):
    """The company's settings. The time zones are the sign-up form's, the currencies the money
    core's; a company already set to one outside those lists keeps it on offer."""

    company_name = name_field("Company name", "Enter the company's name.", "organization")
    time_zone = SelectField("Time zone", choices=[], validate_choice=False)
    currency = SelectField("Currency", choices=[], validate_choice=False)
    licence_number = StringField(
        "Licence number",
        filters=[strip_text],
        validators=[Length(max=100, message="At most 100 characters.")],
        description="Your contractor's licence, as it must appear on your paperwork. Optional.",
    )
    address = TextAreaField(
        "Address",
        filters=[_lines],
        validators=[Length(max=500, message="At most 500 characters.")],
        render_kw={"rows": 3, "autocomplete": "street-address"},
    )
    phone = StringField(
        "Phone",
        filters=[strip_text],
        validators=[Length(max=40, message=PHONE_MESSAGE), _valid_phone],
        description="Any format; numbers outside the US start with +. Optional.",
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )

    def offer(self, company: Mapping[str, Any]) -> None:
        """The choices, with the company's current zone and currency among them."""
        zones = dict(TIME_ZONES)
        zones.setdefault(company["time_zone"], company["time_zone"])
        currencies = {code: f"{code} · {name}" for code, name in money.CURRENCIES.items()}
        currencies.setdefault(company["currency"], company["currency"])
        self.time_zone.choices = choices(zones.items())
        self.currency.choices = choices(currencies.items())
        self.known = {"time_zone": set(zones), "currency": set(currencies)}

    brand_colour = StringField(
        "Colour",
        filters=[strip_text, lambda value: value.lower() if isinstance(value, str) else value],
        validators=[
            Optional(),
            Regexp(r"^#[0-9a-f]{6}$", message="Choose a colour like #1d4ed8."),
        ],
        description="The colour of your portal and booking pages for homeowners.",
        render_kw={"type": "color"},
    )

    def validate_time_zone(self, field: SelectField) -> None:
        if field.data not in getattr(self, "known", {}).get("time_zone", ()):
            raise ValidationError("Choose a time zone from the list.")

    def validate_currency(self, field: SelectField) -> None:
        if field.data not in getattr(self, "known", {}).get("currency", ()):
            raise ValidationError("Choose one of the listed currencies.")

    def values(self) -> dict[str, Any]:
        return {
            "name": self.company_name.data,
            "time_zone": self.time_zone.data,
            "currency": self.currency.data,
            "licence_number": self.licence_number.data or "",
            "address": self.address.data or "",
            "phone": phones.normalize(self.phone.data or ""),
            "brand_colour": self.brand_colour.data or None,  # none given: kept as it is
        }


def company_form_data(company: Mapping[str, Any]) -> dict[str, Any]:
    """The company's row as its form shows it."""
    return {
        "company_name": company["name"],
        "time_zone": company["time_zone"],
        "currency": company["currency"],
        "licence_number": company["licence_number"],
        "address": company["address"],
        "phone": _shown_phone(company["phone"]),
        "brand_colour": company["brand_colour"],
    }


class LogoForm(FlaskForm):
    """The company's logo, printed on its estimates and invoices."""

    logo = FileField(
        "Logo",
        validators=[FileRequired("Choose your logo's file first.")],
        render_kw={"accept": "image/png,image/jpeg"},
        description="PNG or JPEG, up to 1 MB. It is kept at most 600 by 300 pixels.",
    )
