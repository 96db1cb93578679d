"""Customer, contact, note and search forms."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, Field, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from app import phones
from app.forms import choices, email_field, lower_text, strip_text

KINDS = {"residential": "Residential", "commercial": "Commercial"}
PREFERRED_CONTACTS = {"sms": "Text message", "email": "Email", "phone": "Phone call"}
SORTS = {"name": "Name", "newest": "Newest"}
MAX_TAGS = 20
MAX_TAG_LENGTH = 40
PHONE_MESSAGE = "Enter a valid phone number, like (312) 555-0123 or +44 20 7946 0958."
# The kinds of number: the main one (texts go to it) is never a fax.
PHONE_KINDS = {"mobile": "Mobile", "home": "Home", "work": "Work", "other": "Other", "fax": "Fax"}
MAIN_PHONE_KINDS = {k: v for k, v in PHONE_KINDS.items() if k != "fax"}
EMAIL_KINDS = {"personal": "Personal", "work": "Work", "other": "Other"}
EXTENSION_MESSAGE = "An extension is up to 10 digits, like 204."
# The systems customers are imported from, as the customer page names them ("Imported from
# Jobber, id 123"); another value is shown as it is stored.
SOURCE_SYSTEMS = {
    "file": "a file",
    "plenum": "Plenum",
    "quickbooks": "QuickBooks",
    "quickbooks_online": "QuickBooks Online",
    "quickbooks_desktop": "QuickBooks Desktop",
    "housecall_pro": "Housecall Pro",
    "jobber": "Jobber",
    "servicetitan": "ServiceTitan",
    "google_contacts": "Google Contacts",
    "outlook": "Outlook",
}


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


def extension_field(label: str = "Extension") -> StringField:
    return StringField(
        label,
        filters=[strip_text, _without_ext_prefix],
        validators=[Regexp(r"^[0-9]{0,10}$", message=EXTENSION_MESSAGE)],
        render_kw={"autocomplete": "off", "inputmode": "numeric", "size": 6},
    )


def _without_ext_prefix(value: Any) -> Any:
    """`ext. 204`, `x204`, `#204` → `204`: the digits are what is dialled."""
    if isinstance(value, str):
        lowered = value.lower()
        for prefix in ("extension", "ext.", "ext", "x", "#"):
            if lowered.startswith(prefix):
                return value[len(prefix) :].strip()
    return value


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
        "marketing_consent_source", "do_not_contact", "restrict_processing", "phone_kind",
        "phone_extension", "billing_address", "do_not_service",
    )  # fmt: skip
    kind = SelectField("Type", choices=choices(KINDS.items()), default="residential")
    company_name = text_field("Company name", render_kw={"autocomplete": "off"})
    first_name = text_field("First name", render_kw={"autocomplete": "off"})
    last_name = text_field("Last name", render_kw={"autocomplete": "off"})
    email = optional_email_field()
    phone = phone_field()
    phone_kind = SelectField(
        "Phone type", choices=choices(MAIN_PHONE_KINDS.items()), default="mobile"
    )
    phone_extension = extension_field()
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
    billing_address = TextAreaField(
        "Billing address",
        filters=[strip_text],
        validators=[Length(max=500, message="At most 500 characters.")],
        description="Where bills go, when not to a service address.",
        render_kw={"rows": 3, "autocomplete": "off"},
    )
    do_not_service = BooleanField(
        "Do not service",
        description="The company does not take work from this customer (a warning, not a block).",
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

    def validate_phone_extension(self, field: StringField) -> None:
        if field.data and not self.phone.data:
            raise ValidationError("Enter the phone number this extension belongs to.")

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
            "phone_kind": self.phone_kind.data,
            "phone_extension": self.phone_extension.data or "",
            "billing_address": self.billing_address.data or "",
            "do_not_service": bool(self.do_not_service.data),
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
    phone_kind = SelectField(
        "Phone type", choices=choices(MAIN_PHONE_KINDS.items()), default="mobile"
    )
    phone_extension = extension_field()

    def validate_phone_extension(self, field: StringField) -> None:
        if field.data and not self.phone.data:
            raise ValidationError("Enter the phone number this extension belongs to.")

    def values(self) -> dict[str, Any]:
        """The submitted contact as the database stores it."""
        return {
            "full_name": self.full_name.data or "",
            "title": self.title.data or "",
            "email": self.email.data or "",
            "phone": phones.normalize(self.phone.data or ""),
            "phone_kind": self.phone_kind.data,
            "phone_extension": self.phone_extension.data or "",
        }

    def fill(self, contact: dict[str, Any]) -> None:
        for name in ("full_name", "title", "email", "phone_kind", "phone_extension"):
            getattr(self, name).data = contact[name]
        self.phone.data = phones.display(contact["phone"])


class OtherPhoneForm(FlaskForm):
    """Another number of a customer or of one of their contact people."""

    number_kind = SelectField("Number type", choices=choices(PHONE_KINDS.items()), default="home")
    number = StringField(
        "Number",
        filters=[strip_text],
        validators=[
            DataRequired("Enter the phone number."),
            Length(max=40, message=PHONE_MESSAGE),
            _valid_phone,
        ],
        render_kw={"autocomplete": "off", "inputmode": "tel"},
    )
    extension = extension_field()

    def values(self) -> dict[str, Any]:
        return {
            "kind": self.number_kind.data,
            "number": phones.normalize(self.number.data or ""),
            "extension": self.extension.data or "",
        }


class OtherEmailForm(FlaskForm):
    """Another email address of a customer or of one of their contact people."""

    other_email_kind = SelectField(
        "Email type", choices=choices(EMAIL_KINDS.items()), default="work"
    )
    other_email = email_field()

    def values(self) -> dict[str, Any]:
        return {"kind": self.other_email_kind.data, "email": self.other_email.data or ""}


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
