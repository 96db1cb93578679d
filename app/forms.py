"""Form pieces shared by every feature."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from app import money, phones

# The days date fields accept: a mistyped year is refused, not a crash in date arithmetic.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 12, 31)
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 256


def strip_text(value: Any) -> Any:
    """A field filter: surrounding white space removed (NUL never gets this far: app.security)."""
    return value.strip() if isinstance(value, str) else value


def lower_text(value: Any) -> Any:
    """A field filter: trimmed and lower-cased, for emails."""
    return value.strip().lower() if isinstance(value, str) else value


def email_field(label: str = "Email") -> EmailField:
    return EmailField(
        label,
        filters=[lower_text],
        validators=[
            DataRequired("Enter an email address."),
            Length(max=254, message="An email address has at most 254 characters."),
            Email(
                "Enter a valid email address, like name@example.com.", check_deliverability=False
            ),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )


def name_field(label: str, message: str, autocomplete: str = "name") -> StringField:
    return StringField(
        label,
        filters=[strip_text],
        validators=[DataRequired(message), Length(max=200, message="At most 200 characters.")],
        render_kw={"autocomplete": autocomplete},
    )


def new_password_field(label: str = "Password") -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired("Choose a password."),
            Length(
                min=PASSWORD_MIN_LENGTH,
                max=PASSWORD_MAX_LENGTH,
                message=f"Use at least {PASSWORD_MIN_LENGTH} characters"
                f" (at most {PASSWORD_MAX_LENGTH}).",
            ),
        ],
        render_kw={"autocomplete": "new-password"},
        description=f"At least {PASSWORD_MIN_LENGTH} characters. A passphrase is easiest.",
    )


def current_password_field(label: str = "Password") -> PasswordField:
    return PasswordField(
        label,
        validators=[DataRequired("Enter your password.")],
        render_kw={"autocomplete": "current-password"},
    )


def code_field(label: str = "Code") -> StringField:
    return StringField(
        label,
        filters=[strip_text],
        validators=[
            DataRequired("Enter the code."),
            Length(max=20, message="That code is too long."),
        ],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True},
    )


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """Options of a select field from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class DateRangeFilter(FlaskForm):
    """Filters of a list read from the query string (a GET needs no CSRF token), with an
    optional From/To pair of whole days that must make sense together."""

    class Meta:
        csrf = False

    starts = DateField("From", validators=[Optional()], format="%Y-%m-%d")
    ends = DateField("To", validators=[Optional()], format="%Y-%m-%d")

    def validate_starts(self, field: DateField) -> None:
        _within_reason(field)

    def validate_ends(self, field: DateField) -> None:
        _within_reason(field)
        if field.data and self.starts.data and field.data < self.starts.data:
            raise ValidationError("The end date is before the start date.")


class DocumentListFilter(DateRangeFilter):
    """The filters of the estimates and invoices lists (and of their CSV files): a customer's
    name or a document's number, a status, a technician of the document's visits, and days."""

    q = StringField(
        "Customer or number",
        filters=[strip_text],
        validators=[Optional(), Length(max=100, message="Search for at most 100 characters.")],
    )
    status = SelectField("Status", choices=[], default="")
    technician = SelectField("Technician", choices=[], default="")

    def set_statuses(self, labels: dict[str, str], every: str = "Every status") -> None:
        self.status.choices = choices([("", every), *labels.items()])

    def set_technicians(self, technicians: Iterable[Mapping[str, Any]]) -> None:
        """The company's technicians (`account_id`, `full_name`, `status`) to choose from."""
        self.technician.choices = choices(
            [
                ("", "Any technician"),
                *(
                    (
                        str(t["account_id"]),
                        t["full_name"] + (" (removed)" if t["status"] != "active" else ""),
                    )
                    for t in technicians
                ),
            ]
        )

    def criteria(self) -> dict[str, Any]:
        """The chosen filters, as the lists' queries take them (after `validate`)."""
        return {
            "status": self.status.data or None,
            "term": self.q.data or "",
            "technician_id": UUID(self.technician.data) if self.technician.data else None,
            "starts": self.starts.data,
            "ends": self.ends.data,
        }


def _within_reason(field: DateField) -> None:
    if field.data and not 1900 <= field.data.year <= 2999:
        raise ValidationError("Choose a date between the years 1900 and 2999.")


class _MoneyText(StringField):
    """A field for a money-like number as a person types it, read by app.money into a Decimal
    (`data`), with app.money's message when it cannot be read; empty is None."""

    def parse(self, text: str) -> Any:  # pragma: no cover - each kind below says how
        raise NotImplementedError

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = valuelist[0].strip() if valuelist and isinstance(valuelist[0], str) else ""
        self.raw_text = text
        if not text:
            self.data = None
            return
        try:
            self.data = self.parse(text)
        except money.MoneyError as error:
            self.data = None
            raise ValueError(str(error)) from error

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else str(self.data)


class AmountField(_MoneyText):
    """An amount in the company's currency, to the cent: `1,234.50`, `$12`."""

    def parse(self, text: str) -> Any:
        return money.parse_amount(text)


class PercentField(_MoneyText):
    """A percentage: `7.25`, `8.875%`."""

    def __init__(self, *args: Any, max_value: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_value = max_value

    def parse(self, text: str) -> Any:
        if self.max_value is None:
            return money.parse_percent(text)
        return money.parse_percent(text, max_value=self.max_value)


class QuantityField(_MoneyText):
    """A quantity above 0, to two decimals: `1`, `2.5`."""

    def parse(self, text: str) -> Any:
        return money.parse_quantity(text)


# A document's line (estimates, invoices): the units it may be counted in.
LINE_UNITS = ("each", "hour", "job", "foot", "pound", "gallon", "ton")


class LineForm(FlaskForm):
    """A document's line written by hand (or a line being changed)."""

    description = TextAreaField(
        "Description",
        filters=[strip_text],
        validators=[
            DataRequired("Describe the work or the part."),
            Length(max=2000, message="At most 2,000 characters."),
        ],
        render_kw={"rows": 2},
    )
    quantity = QuantityField("Quantity", default=Decimal("1"), render_kw={"inputmode": "decimal"})
    unit = SelectField("Unit", choices=choices((u, u) for u in LINE_UNITS), default="each")
    unit_price = AmountField("Unit price", render_kw={"inputmode": "decimal"})
    discount_percent = PercentField("Discount %", render_kw={"inputmode": "decimal"})
    taxable = BooleanField("Taxable", default=True)

    def validate_quantity(self, field: QuantityField) -> None:
        if field.data is None:
            raise ValidationError("Enter the quantity.")

    def validate_unit_price(self, field: AmountField) -> None:
        if field.data is None:
            raise ValidationError("Enter the unit price.")

    def values(self) -> dict[str, Any]:
        return {
            "description": self.description.data,
            "quantity": self.quantity.data,
            "unit": self.unit.data,
            "unit_price": self.unit_price.data,
            "discount_percent": self.discount_percent.data or Decimal("0"),
            "taxable": bool(self.taxable.data),
        }


class BookItemForm(FlaskForm):
    """A document's line from the price book: which item, how many."""

    item = SelectField("From the price book", choices=[], validate_choice=False)
    item_quantity = QuantityField(
        "Quantity", default=Decimal("1"), render_kw={"inputmode": "decimal"}
    )

    def set_items(self, items: list[dict[str, Any]], labels: dict[str, str]) -> None:
        pairs = [("", "Choose an item")]
        pairs += [(str(i["id"]), f"{i['name']} ({labels[i['kind']].lower()})") for i in items]
        self.item.choices = choices(pairs)
        self.known_items = {value for value, _ in pairs if value}

    def validate_item(self, field: SelectField) -> None:
        if (field.data or "") not in getattr(self, "known_items", set()):
            raise ValidationError("Choose one of the listed items.")

    def validate_item_quantity(self, field: QuantityField) -> None:
        if field.data is None:
            raise ValidationError("Enter the quantity.")


NOT_AN_ADDRESS = (
    "Enter an email address or a mobile number, like name@example.com or (312) 555-0100."
)
TO_THE_CUSTOMER = "Send it to the customer's own email address or mobile number."


class SendLinkForm(FlaskForm):
    """The office's sending of a document's link (app/document_links.py): by email to an
    address, by text to a mobile number (the customer's preferred one is filled in), or no
    message at all when left empty."""

    to = StringField(
        "Send the link to",
        filters=[strip_text],
        validators=[Optional(), Length(max=254, message="At most 254 characters.")],
        description="An email address or a mobile number: the customer's preferred one is"
        " filled in. Leave empty to make a link without a message (to open on the customer's"
        " phone, or to send yourself).",
        render_kw={"autocomplete": "off"},
    )

    def validate_to(self, field: StringField) -> None:
        if field.data and "@" not in field.data:
            try:
                phones.normalize(field.data)
            except phones.InvalidPhone as refused:
                raise ValidationError(NOT_AN_ADDRESS) from refused

    def recipient(self) -> tuple[str, str] | None:
        """Where the message goes: ("email", address) or ("sms", E.164 number); None for a link
        without a message. For a validated form (the database checks the email address)."""
        typed = self.to.data or ""
        if not typed:
            return None
        if "@" in typed:
            return ("email", typed.lower())
        return ("sms", phones.normalize(typed))
