"""The office's privacy request forms: recording one from a call or an email, answering."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.forms import choices, strip_text
from app.privacy_requests.vocabulary import KINDS, SOURCES


def details_field(label: str) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[strip_text],
        validators=[Length(max=5000, message="Keep the details under 5,000 characters.")],
        render_kw={"rows": 4},
    )


def correction_needs_details(form: FlaskForm) -> bool:
    """A correction says what to correct; the message goes next to the details."""
    if form.kind.data == "correction" and not form.details.data:
        form.details.errors = [*form.details.errors, "Say what should be corrected."]
        return False
    return True


class RecordForm(FlaskForm):
    kind = SelectField(
        "The homeowner asks to", choices=choices(KINDS.items()), validate_choice=True
    )
    source = RadioField(
        "It came in by",
        choices=choices((k, v) for k, v in SOURCES.items() if k != "portal"),
        default="phone",
        validators=[DataRequired("Choose how the request came in.")],
    )
    details = details_field("Details")

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        return super().validate(extra_validators) & correction_needs_details(self)


class AnswerForm(FlaskForm):
    outcome = RadioField(
        "The request is",
        choices=choices([("done", "Done"), ("refused", "Refused")]),
        validators=[DataRequired("Choose done or refused.")],
    )
    answer = TextAreaField(
        "Answer",
        description="What was done, or why it was refused. The homeowner sees it in the portal.",
        filters=[strip_text],
        validators=[
            DataRequired("Write the answer the homeowner gets."),
            Length(max=5000, message="Keep the answer under 5,000 characters."),
        ],
        render_kw={"rows": 4},
    )
