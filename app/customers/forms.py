"""Customer, contact, note and search forms."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, Field, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from app import phones
from app.forms import choices, lower_text, strip_text

KINDS = {"residential": "Residential", "commercial": "Commercial"}
PREFERRED_CONTACTS = {"sms": "Text message", "email": "Email", "phone": "Phone call"}
SORTS = {"name": "Name", "newest": "Newest"}
MAX_TAGS = 20
MAX_TAG_LENGTH = 40
PHONE_MESSAGE = "Enter a valid phone number, like (312) 555-0123 or +44 20 7946 0958."


def text_field(label: str, max_length: int = 200, **kwargs: Any) -> StringField:
    return StringField(
        label,
        filters=[strip_text],
        validators=[Length(max=max_length, message=f"At most {max_length} characters.")],
        **kwargs,
    )


def optional_email_field(label: str = "Email") -> EmailField:
    return EmailField(
        label,
        filters=[lower_text],
        validators=[
            Optional(),
            Length(max=254, message="An email address has at most 254 characters."),
            Email(
                "Enter a valid email address, like name@example.com.", check_deliverability=False
            ),
        ],
        render_kw={"autocomplete": "off", "inputmode": "email"},
    )


def phone_field(label: str = "Phone") -> StringField:
    return StringField(
        label,
        filters=[strip_text],
        validators=[Length(max=40, message=PHONE_MESSAGE), _valid_phone],
        render_kw={"autocomplete": "off", "inputmode": "tel"},
        description="Any format; numbers outside the US start with +.",
    )


def _valid_phone(_form: FlaskForm, field: Field) -> None:
    try:
        phones.normalize(field.data or "")
    except phones.InvalidPhone:
        raise ValidationError(PHONE_MESSAGE) from None


def parse_tags(text: str) -> list[str]:
    """`hvac, VIP ,, vip` → `['hvac', 'VIP']`: trimmed, blanks dropped, first spelling kept."""
    seen: dict[str, str] = {}
    for tag in (part.strip() for part in text.split(",")):
        if tag and tag.lower() not in seen:
            seen[tag.lower()] = tag
    return list(seen.values())


class CustomerForm(FlaskForm):
    values_from_db = (
        "kind", "company_name", "first_name", "last_name", "email", "preferred_contact",
        "lead_source", "notes", "transactional_messages", "marketing_consent",
        "marketing_consent_source", "do_not_contact", "restrict_processing",
    )  # fmt: skip
    kind = SelectField("Type", choices=choices(KINDS.items()), default="residential")
    company_name = text_field("Company name", render_kw={"autocomplete": "off"})
    first_name = text_field("First name", render_kw={"autocomplete": "off"})
    last_name = text_field("Last name", render_kw={"autocomplete": "off"})
    email = optional_email_field()
    phone = phone_field()
    preferred_contact = SelectField(
        "Preferred contact", choices=choices(PREFERRED_CONTACTS.items()), default="sms"
    )
    tags = text_field(
        "Tags", 1000, description="Separate tags with commas, e.g. VIP, maintenance plan."
    )
    lead_source = text_field("Lead source", 100, description="How they found you, e.g. referral.")
    notes = TextAreaField(
        "Notes",
        filters=[strip_text],
        validators=[Length(max=5000, message="At most 5,000 characters.")],
    )
    transactional_messages = BooleanField("Appointment and invoice messages allowed", default=True)
    marketing_consent = BooleanField("Agreed to receive marketing")
    marketing_consent_source = text_field(
        "How marketing consent was given",
        description="For example: signed form on 3 May, by phone with Jo.",
    )
    do_not_contact = BooleanField("Do not contact")
    restrict_processing = BooleanField(
        "Restrict processing",
        description="The customer asked that their data be kept but not otherwise used.",
    )

    def validate_company_name(self, field: StringField) -> None:
        if self.kind.data == "commercial" and not field.data:
            raise ValidationError("Enter the company name of a commercial customer.")

    def validate_first_name(self, field: StringField) -> None:
        if self.kind.data != "commercial" and not (field.data or self.last_name.data):
            raise ValidationError("Enter the customer's first or last name.")

    def validate_tags(self, field: StringField) -> None:
        tags = parse_tags(field.data or "")
        if len(tags) > MAX_TAGS:
            raise ValidationError(f"Use at most {MAX_TAGS} tags.")
        if any(len(tag) > MAX_TAG_LENGTH for tag in tags):
            raise ValidationError(f"Each tag has at most {MAX_TAG_LENGTH} characters.")

    def validate_marketing_consent_source(self, field: StringField) -> None:
        if self.marketing_consent.data and not field.data:
            raise ValidationError("Say how the customer gave marketing consent.")

    def values(self) -> dict[str, Any]:
        """The submitted customer as the database stores it."""
        return {
            "kind": self.kind.data,
            "company_name": self.company_name.data or "",
            "first_name": self.first_name.data or "",
            "last_name": self.last_name.data or "",
            "email": self.email.data or "",
            "phone": phones.normalize(self.phone.data or ""),
            "preferred_contact": self.preferred_contact.data,
            "tags": parse_tags(self.tags.data or ""),
            "lead_source": self.lead_source.data or "",
            "notes": self.notes.data or "",
            "transactional_messages": bool(self.transactional_messages.data),
            "marketing_consent": bool(self.marketing_consent.data),
            "marketing_consent_source": self.marketing_consent_source.data or "",
            "do_not_contact": bool(self.do_not_contact.data),
            "restrict_processing": bool(self.restrict_processing.data),
        }

    def fill(self, customer: dict[str, Any]) -> None:
        """Show a stored customer for editing (the phone as people read it)."""
        for name in self.values_from_db:
            getattr(self, name).data = customer[name]
        self.phone.data = phones.display(customer["phone"])
        self.tags.data = ", ".join(customer["tags"])


class ContactForm(FlaskForm):
    full_name = StringField(
        "Name",
        filters=[strip_text],
        validators=[
            DataRequired("Enter the contact's name."),
            Length(max=200, message="At most 200 characters."),
        ],
        render_kw={"autocomplete": "off"},
    )
    title = text_field("Title", 100, description="For example: property manager, site contact.")
    email = optional_email_field()
    phone = phone_field()

    def values(self) -> dict[str, Any]:
        """The submitted contact as the database stores it."""
        return {
            "full_name": self.full_name.data or "",
            "title": self.title.data or "",
            "email": self.email.data or "",
            "phone": phones.normalize(self.phone.data or ""),
        }

    def fill(self, contact: dict[str, Any]) -> None:
        for name in ("full_name", "title", "email"):
            getattr(self, name).data = contact[name]
        self.phone.data = phones.display(contact["phone"])


class NoteForm(FlaskForm):
    body = TextAreaField(
        "Add a note",
        filters=[strip_text],
        validators=[
            DataRequired("Write the note first."),
            Length(max=5000, message="At most 5,000 characters."),
        ],
    )


class LegalHoldForm(FlaskForm):
    reason = TextAreaField(
        "Why the records must be kept",
        description="For example an open dispute or a claim. Leave empty to lift the hold.",
        filters=[strip_text],
        validators=[Length(max=500, message="Keep the reason under 500 characters.")],
        render_kw={"rows": 3},
    )


class SearchForm(FlaskForm):
    """The list's search box and sort; a GET search needs no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(
        "Search",
        filters=[strip_text],
        validators=[Optional(), Length(max=200, message="At most 200 characters.")],
        render_kw={"type": "search", "placeholder": "Name, phone, email or address"},
    )
    sort = SelectField("Sort by", choices=choices(SORTS.items()), default="name")
