"""Maintenance plans (service agreements)."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.forms import choices, strip_text
from app.scheduling.forms.fields import CheckboxesField, _in_range, _long_text

MONTHS = {month: calendar.month_name[month] for month in range(1, 13)}


# --- service agreements -------------------------------------------------------------------


class AgreementForm(FlaskForm):
    name = StringField(
        "Plan name",
        filters=[strip_text],
        validators=[
            DataRequired("Name the plan, e.g. Comfort Club."),
            Length(max=200, message="At most 200 characters."),
        ],
        render_kw={"autocomplete": "off"},
    )
    property_id = SelectField("Property", validators=[DataRequired("Choose the property.")])
    months = CheckboxesField(
        "Tune-ups due in",
        coerce=int,
        choices=choices((str(month), name) for month, name in MONTHS.items()),
        refusal="Choose months from the list.",
        description="Spring and fall (April and October) suit most heating and cooling plans.",
    )
    starts_on = DateField(
        "Starts on", validators=[DataRequired("Enter the day the plan starts."), _in_range]
    )
    ends_on = DateField(
        "Ends on", validators=[Optional(), _in_range], description="Leave empty if ongoing."
    )
    notes = _long_text("Notes")

    def offer_properties(self, properties: Iterable[tuple[UUID, str]]) -> None:
        self.property_id.choices = choices((str(uid), label) for uid, label in properties)

    def validate_months(self, field: CheckboxesField) -> None:
        if not field.data:
            raise ValidationError("Choose the months the tune-ups are due.")

    def validate_ends_on(self, field: DateField) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("The plan can't end before it starts.")

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.data or "",
            "property_id": UUID(self.property_id.data or ""),
            "months": sorted(set(self.months.data or ())),
            "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data,
            "notes": self.notes.data or "",
        }
