"""Estimate forms: server-side checks with a message next to each field; amounts, percentages
and quantities read by app.money (exact decimals)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

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


class PhotoChoiceForm(Form):
    """One photo of the job's visits: shown or not, where, and with what caption."""

    file_id = HiddenField()
    chosen = BooleanField("Show")
    position = IntegerField(
        "Place",
        validators=[Optional(), NumberRange(1, 99, "Enter a place from 1 to 99.")],
        render_kw={"inputmode": "numeric"},
    )
    caption = StringField(
        "Caption",
        filters=[strip_text],
        validators=[Optional(), Length(max=200, message="At most 200 characters.")],
    )


class PhotosForm(FlaskForm):
    """Which photos of the job's visits the estimate shows, in which order (by place, then as
    listed), each with an optional caption."""

    photos = FieldList(FormField(PhotoChoiceForm), max_entries=500)

    def __init__(self, *args: Any, known: set[str], most: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.known, self.most = known, most

    @classmethod
    def of(cls, chosen: list[dict[str, Any]], available: list[dict[str, Any]], most: int) -> Any:
        """The form as the estimate stands: its photos first in their order, then the others."""
        shown = {str(p["file_id"]) for p in chosen}
        entries = [
            {"file_id": str(p["file_id"]), "chosen": True, "position": i, "caption": p["caption"]}
            for i, p in enumerate(chosen, start=1)
        ] + [
            {"file_id": str(p["id"]), "chosen": False, "position": None, "caption": ""}
            for p in available
            if str(p["id"]) not in shown
        ]
        known = {str(p["id"]) for p in available}
        return cls(formdata=None, data={"photos": entries}, known=known, most=most)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if any(entry.file_id.data not in self.known for entry in self.photos.entries):
            self.form_errors.append("The job's photos changed since the page was shown: reload it.")
        elif len(self.choice()) > self.most:
            self.form_errors.append(f"Choose at most {self.most} photos.")
        return valid and not self.form_errors

    def choice(self) -> list[tuple[str, str]]:
        """(file id, caption) of the photos ticked, by their place, then in the listed order."""
        ticked = [
            (entry.position.data or 100, index, entry.file_id.data, entry.caption.data or "")
            for index, entry in enumerate(self.photos.entries)
            if entry.chosen.data
        ]
        return [(file_id, caption) for _, _, file_id, caption in sorted(ticked)]
