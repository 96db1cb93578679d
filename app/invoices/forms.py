"""Invoice and payment forms: server-side checks with a message next to each field; amounts,
percentages and quantities read by app.money (exact decimals)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from app.forms import (
    AmountField,
    DateRangeFilter,
    DocumentListFilter,
    choices,
    lower_text,
    strip_text,
)
from app.invoices.vocabulary import METHODS, OFFLINE_METHODS, TERMS


def _day_near(field: DateField, today: date, *, future_days: int) -> None:
    """A date within reason: not before 2000, not more than `future_days` ahead."""
    if field.data and field.data < date(2000, 1, 1):
        raise ValidationError("Choose a date from the year 2000 on.")
    if field.data and field.data > today + timedelta(days=future_days):
        raise ValidationError(
            "Choose today or an earlier day." if future_days == 0 else "Choose a nearer day."
        )


class InvoiceForm(FlaskForm):
    """A new invoice's terms, date and note."""

    terms = SelectField("Terms", choices=choices(TERMS.items()), default="due_on_receipt")
    issued_on = DateField(
        "Issued on",
        validators=[DataRequired("Enter the invoice's date.")],
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
        if self.issued_on.data is None and not self.is_submitted():
            self.issued_on.data = self.today

    def validate_issued_on(self, field: DateField) -> None:
        _day_near(field, self.today, future_days=366)

    def values(self) -> dict[str, Any]:
        return {
            "terms": self.terms.data,
            "issued_on": self.issued_on.data,
            "note": self.note.data or "",
        }


class DraftForm(InvoiceForm):
    """A draft's terms, date, note and whom it is billed to."""

    bill_to_name = StringField(
        "Bill to",
        filters=[strip_text],
        validators=[
            DataRequired("Enter whom the invoice is for."),
            Length(max=200, message="At most 200 characters."),
        ],
    )
    bill_to_email = StringField(
        "Email",
        filters=[lower_text],
        validators=[
            Optional(),
            Length(max=254, message="At most 254 characters."),
            Email(
                "Enter a valid email address, like name@example.com.", check_deliverability=False
            ),
        ],
    )
    bill_to_address = TextAreaField(
        "Address",
        filters=[strip_text],
        validators=[Optional(), Length(max=1000, message="At most 1,000 characters.")],
        render_kw={"rows": 3},
    )

    def values(self) -> dict[str, Any]:
        return {
            **super().values(),
            "bill_to_name": self.bill_to_name.data,
            "bill_to_email": self.bill_to_email.data or "",
            "bill_to_address": self.bill_to_address.data or "",
        }


class PaymentForm(FlaskForm):
    """A payment taken offline. No card number is ever written here (P-16)."""

    amount = AmountField("Amount", render_kw={"inputmode": "decimal"})
    method = SelectField(
        "Method",
        choices=choices((m, METHODS[m]) for m in OFFLINE_METHODS),
        validate_choice=False,
        default="cash",
    )
    reference = StringField(
        "Reference",
        filters=[strip_text],
        validators=[Optional(), Length(max=100, message="At most 100 characters.")],
        description="A cheque number or the terminal's receipt number. Never a card number.",
    )
    received_on = DateField(
        "Received on",
        validators=[DataRequired("Enter the day the payment was received.")],
        format="%Y-%m-%d",
    )

    def __init__(
        self, *args: Any, today: date | None = None, balance: Decimal | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or date.today()
        self.balance = balance
        if not self.is_submitted():
            self.received_on.data = self.received_on.data or self.today
            self.amount.data = self.amount.data or balance

    def validate_amount(self, field: AmountField) -> None:
        if field.data is None:
            if not field.errors:  # a typed amount that could not be read already says why
                raise ValidationError("Enter the amount received.")
            return
        if field.data <= 0:
            raise ValidationError("Enter an amount above zero.")
        if self.balance is not None and field.data > self.balance:
            raise ValidationError(f"That is more than the balance due ({self.balance:,.2f}).")

    def validate_method(self, field: SelectField) -> None:
        if field.data not in OFFLINE_METHODS:
            raise ValidationError("Choose how the payment was made.")

    def validate_received_on(self, field: DateField) -> None:
        _day_near(field, self.today, future_days=0)

    def validate(self, extra_validators: Any = None) -> bool:
        """A cheque is recorded with its number (the reference is optional otherwise)."""
        valid = bool(super().validate(extra_validators))
        if self.method.data == "cheque" and not self.reference.data:
            self.reference.errors = [*self.reference.errors, "Enter the cheque number."]
            return False
        return valid

    def values(self) -> dict[str, Any]:
        return {
            "amount": self.amount.data,
            "method": self.method.data,
            "reference": self.reference.data or "",
            "received_on": self.received_on.data,
        }


class VoidForm(FlaskForm):
    void_reason = TextAreaField(
        "Why it is void",
        filters=[strip_text],
        validators=[
            DataRequired("Say why the invoice is void, e.g. “Billed twice”."),
            Length(max=1000, message="At most 1,000 characters."),
        ],
        render_kw={"rows": 2},
    )


class ListFilter(DocumentListFilter):
    """The invoices list's filters; its days are the days the invoices are dated (issued)."""


MAX_REPORT_DAYS = 366


class ReportRange(DateRangeFilter):
    """The days a report covers, on the company's calendar: this month when none are given; the
    month of the one day given when only one is."""

    def span(self, today: date) -> tuple[date, date]:
        """The first and last day (after `validate`)."""
        starts, ends = self.starts.data, self.ends.data
        if starts is None:
            starts = (ends or today).replace(day=1)
        if ends is None:
            ends = _month_end(starts)
        return starts, ends

    def validate_ends(self, field: DateField) -> None:
        super().validate_ends(field)
        if (
            field.data
            and self.starts.data
            and field.data - self.starts.data > timedelta(days=MAX_REPORT_DAYS)
        ):
            raise ValidationError("Choose at most a year of days.")


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)
