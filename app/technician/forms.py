"""The technician's forms: a note, a photo, completing a visit with a signature, and an
invoice's payment link."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from app.forms import strip_text

NOTES_MAX = 5000
REASON_MAX = 500
SAY_WHY = "Say why the customer cannot sign."
SIGN_OR_SAY_WHY = "Ask the customer to sign, or tick “Customer not available to sign”."


class NoteForm(FlaskForm):
    body = TextAreaField(
        "Note",
        filters=[strip_text],
        validators=[
            DataRequired("Write the note first."),
            Length(max=NOTES_MAX, message=f"At most {NOTES_MAX:,} characters."),
        ],
    )


class PhotoForm(FlaskForm):
    photo = FileField(
        "Photo",
        validators=[FileRequired("Choose or take a photo first.")],
        render_kw={"accept": "image/*", "capture": "environment"},
        description="JPEG, PNG or WebP, up to 10 MB.",
    )


class CompleteForm(FlaskForm):
    completion_notes = TextAreaField(
        "What was done",
        filters=[strip_text],
        validators=[Length(max=NOTES_MAX, message=f"At most {NOTES_MAX:,} characters.")],
    )
    signed_by = StringField(
        "Name of the person signing",
        filters=[strip_text],
        validators=[Length(max=200, message="At most 200 characters.")],
        render_kw={"autocomplete": "off"},
    )
    # Filled in by the signature pad (signature.js) with a PNG data URL.
    signature = HiddenField("Signature")
    not_available = BooleanField("Customer not available to sign")
    unsigned_reason = StringField(
        "Why the customer cannot sign",
        filters=[strip_text],
        validators=[Length(max=REASON_MAX, message=f"At most {REASON_MAX} characters.")],
        description="Only when the box above is ticked, e.g. “Nobody home; tenant let me in”.",
        render_kw={"autocomplete": "off"},
    )

    def validate_signature(self, field: HiddenField) -> None:
        if not field.data and not self.not_available.data:
            raise ValidationError(SIGN_OR_SAY_WHY)

    def validate_signed_by(self, field: StringField) -> None:
        if self.signature.data and not self.not_available.data and not field.data:
            raise ValidationError("Enter the name of the person who signed.")

    def validate_unsigned_reason(self, field: StringField) -> None:
        if self.not_available.data and not field.data:
            raise ValidationError(SAY_WHY)


class PaymentLinkForm(FlaskForm):
    """A new link to the invoice for the homeowner's own phone, emailed too when ticked."""

    email_too = BooleanField("Also email it")
