"""Property and equipment forms: server-side checks with a message next to each field."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.forms import choices, strip_text
from app.properties.service import EQUIPMENT_KINDS, PROPERTY_TYPES, REFRIGERANTS

US_ZIP = re.compile(r"\d{5}(-\d{4})?")
COUNTRY = re.compile(r"[A-Z]{2}")
# 16x25x1, 20 x 25 x 4, 16.5x21.5x1, 14x20: two or three sizes in inches.
FILTER_SIZE = re.compile(r"\d{1,3}(\.\d{1,2})?(\s*[xX\u00d7]\s*\d{1,3}(\.\d{1,2})?){1,2}")
EARLIEST_YEAR_BUILT = 1700
EARLIEST_INSTALL = date(1900, 1, 1)


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _text(label: str, limit: int, **kwargs: Any) -> StringField:
    """An optional one-line text field of at most `limit` characters."""
    message = f"At most {limit} characters."
    return StringField(
        label,
        filters=[strip_text],
        validators=[Optional(), Length(max=limit, message=message)],
        **kwargs,
    )


def _long_text(label: str, limit: int, description: str = "") -> TextAreaField:
    return TextAreaField(
        label,
        filters=[strip_text],
        validators=[Optional(), Length(max=limit, message=f"At most {limit:,} characters.")],
        description=description,
        render_kw={"rows": 3},
    )


class WholeNumberField(IntegerField):
    """A whole number that also accepts thousands separators: '2,400'."""

    invalid_message = "Enter a whole number."

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and isinstance(valuelist[0], str):
            valuelist = [valuelist[0].replace(",", "").replace(" ", "")]
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(self.invalid_message) from error


class RatingField(DecimalField):
    """An efficiency rating with at most one decimal, like 16.2."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Enter a number, like 16.2.") from error


class Between:
    """A finite number within [low, high]; NaN and infinity are refused, not compared."""

    def __init__(self, low: int, high: int, message: str) -> None:
        self.low, self.high, self.message = low, high, message

    def __call__(self, form: FlaskForm, field: Any) -> None:
        value = field.data
        if value is None:
            return
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValidationError(self.message)
        if not self.low <= value <= self.high:
            raise ValidationError(self.message)


class PropertyForm(FlaskForm):
    label = _text("Name (optional)", 100, description="For example Home, Lake house, Store #4.")
    street = StringField(
        "Street address",
        filters=[strip_text],
        validators=[
            DataRequired("Enter the street address."),
            Length(max=200, message="At most 200 characters."),
        ],
    )
    unit = _text("Apartment, suite or unit", 50)
    city = StringField(
        "City",
        filters=[strip_text],
        validators=[
            DataRequired("Enter the city."),
            Length(max=100, message="At most 100 characters."),
        ],
    )
    region = _text("State or region", 100)
    postal_code = _text("ZIP or postal code", 20, render_kw={"inputmode": "numeric"})
    country = StringField(
        "Country",
        default="US",
        filters=[_upper],
        validators=[DataRequired("Enter the 2-letter country code, like US or CA.")],
        description="2-letter code: US, CA, MX, …",
        render_kw={"maxlength": 2},
    )
    property_type = SelectField(
        "Type of property", choices=choices(PROPERTY_TYPES.items()), default="single_family"
    )
    square_feet = WholeNumberField(
        "Square footage",
        validators=[
            Optional(),
            Between(1, 10_000_000, "Enter the floor area in square feet (1 to 10,000,000)."),
        ],
        render_kw={"inputmode": "numeric"},
    )
    year_built = WholeNumberField(
        "Year built", validators=[Optional()], render_kw={"inputmode": "numeric"}
    )
    access_notes = _long_text(
        "Access notes",
        2000,
        "Gate and alarm codes, lockbox, pets. Stored encrypted; shown to office staff and to the"
        " technician assigned to a visit here, on the visit page.",
    )
    notes = _long_text("Notes", 5000)

    def validate_country(self, field: StringField) -> None:
        if not COUNTRY.fullmatch(field.data or ""):
            raise ValidationError("Enter the 2-letter country code, like US or CA.")

    def validate_postal_code(self, field: StringField) -> None:
        if self.country.data != "US" or not field.data:
            return
        if re.fullmatch(r"\d{9}", field.data):
            field.data = f"{field.data[:5]}-{field.data[5:]}"
        if not US_ZIP.fullmatch(field.data):
            raise ValidationError("Enter a 5-digit ZIP code, or ZIP+4 like 62701-1234.")

    def validate_year_built(self, field: WholeNumberField) -> None:
        latest = date.today().year + 1  # under construction counts
        if field.data is not None and not EARLIEST_YEAR_BUILT <= field.data <= latest:
            raise ValidationError(f"Enter a year between {EARLIEST_YEAR_BUILT} and {latest}.")

    def values(self) -> dict[str, Any]:
        """The form as column values (empty text as '', empty numbers as None)."""
        text = ("label", "street", "unit", "city", "region", "postal_code", "country", "notes")
        values: dict[str, Any] = {name: self[name].data or "" for name in text}
        values["property_type"] = self.property_type.data
        values["square_feet"] = self.square_feet.data
        values["year_built"] = self.year_built.data
        values["access_notes"] = self.access_notes.data or ""
        return values


def _rating(label: str, high: int, example: str) -> RatingField:
    return RatingField(
        label,
        places=None,
        validators=[
            Optional(),
            Between(1, high, f"Enter a number from 1 to {high}, like {example}."),
        ],
        render_kw={"inputmode": "decimal"},
    )


def _canonical_refrigerant(value: Any) -> Any:
    """'r410a' and 'R 410A' become 'R-410A'; anything else is kept as typed."""
    if not isinstance(value, str):
        return value
    squeezed = re.sub(r"[\s-]", "", value).upper()
    known = {re.sub(r"-", "", r).upper(): r for r in REFRIGERANTS}
    return known.get(squeezed, value.strip())


def _canonical_filter_size(value: Any) -> Any:
    """'16 X 25 x 1' becomes '16x25x1'."""
    if not isinstance(value, str):
        return value
    return re.sub(r"\s*[xX\u00d7]\s*", "x", value.strip())


class EquipmentForm(FlaskForm):
    equipment_kind = SelectField(
        "Type",
        choices=choices([("", "Choose a type"), *EQUIPMENT_KINDS.items()]),
        validators=[DataRequired("Choose the type of equipment.")],
    )
    brand = _text("Brand", 100)
    model = _text("Model number", 100)
    serial = _text("Serial number", 100)
    installed_on = DateField("Installed on", validators=[Optional()])
    warranty_ends_on = DateField("Warranty ends on", validators=[Optional()])
    seer2 = _rating("SEER2", 50, "15.2")
    afue = _rating("AFUE (%)", 100, "96")
    hspf2 = _rating("HSPF2", 30, "7.8")
    refrigerant = StringField(
        "Refrigerant",
        filters=[_canonical_refrigerant],
        validators=[Optional(), Length(max=40, message="At most 40 characters.")],
        description="Pick one or type another.",
        render_kw={"list": "refrigerants", "autocomplete": "off"},
    )
    filter_size = StringField(
        "Filter size",
        filters=[_canonical_filter_size],
        validators=[Optional(), Length(max=40, message="At most 40 characters.")],
        description="Width x height x depth in inches, like 16x25x1.",
    )
    notes = _long_text("Notes", 5000)

    def validate_installed_on(self, field: DateField) -> None:
        if field.data is None:
            return
        if field.data < EARLIEST_INSTALL or field.data > date.today() + timedelta(days=1):
            raise ValidationError("Enter an install date between 1900 and today.")

    def validate_filter_size(self, field: StringField) -> None:
        if field.data and not FILTER_SIZE.fullmatch(field.data):
            raise ValidationError("Enter the size as width x height x depth, like 16x25x1.")

    def values(self) -> dict[str, Any]:
        """The form as column values (empty text as '', empty dates and ratings as None)."""
        text = ("brand", "model", "serial", "refrigerant", "filter_size", "notes")
        values: dict[str, Any] = {name: self[name].data or "" for name in text}
        values["kind"] = self.equipment_kind.data
        for name in ("installed_on", "warranty_ends_on", "seer2", "afue", "hspf2"):
            values[name] = self[name].data
        return values


def equipment_form_data(item: dict[str, Any]) -> dict[str, Any]:
    """A stored piece of equipment as the form's starting values."""
    return {**item, "equipment_kind": item["kind"]}


class CoordinateField(DecimalField):
    """A latitude or longitude in decimal degrees, like 42.2848 or -71.7205."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and isinstance(valuelist[0], str):
            valuelist = [valuelist[0].strip().replace("\u2212", "-")]
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Enter a number in decimal degrees, like 42.2848.") from error


class PinForm(FlaskForm):
    """A property placed on the map by hand, when its address cannot be found."""

    latitude = CoordinateField(
        "Latitude",
        places=None,
        validators=[
            InputRequired("Enter the latitude, like 42.2848."),
            Between(-90, 90, "Enter a latitude between -90 and 90."),
        ],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    longitude = CoordinateField(
        "Longitude",
        places=None,
        validators=[
            InputRequired("Enter the longitude, like -71.7205."),
            Between(-180, 180, "Enter a longitude between -180 and 180."),
        ],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
