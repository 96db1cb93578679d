"""Words for the database's refusals of customers, their contacts and notes:
constraint name → (form field, message), registered with app.db by the package's __init__."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str | None, str]] = {
    "customers_kind_check": ("kind", "Choose residential or commercial."),
    "customers_email_format": ("email", "Enter a valid email address."),
    "customers_phone_e164": ("phone", "Enter a valid phone number."),
    "customers_preferred_contact_check": ("preferred_contact", "Choose one of the listed ways."),
    "customers_has_a_name": ("first_name", "Enter the customer's name or company name."),
    "customers_consent_has_a_time": (
        "marketing_consent",
        "Marketing consent needs the time it was given.",
    ),
    "customer_contacts_name_length": ("full_name", "Enter the contact's name (at most 200)."),
    "customer_contacts_email_format": ("email", "Enter a valid email address."),
    "customer_contacts_phone_e164": ("phone", "Enter a valid phone number."),
    "customers_legal_hold_length": ("reason", "Keep the reason under 500 characters."),
    "customers_legal_hold_blocks_erasure": (
        None,
        "This customer is under a legal hold: lift it before erasing or deleting them.",
    ),
    "customers_legal_hold_managers": (None, "Only owners and admins set or lift a legal hold."),
    "customer_notes_body_length": ("body", "Write the note first (at most 5,000 characters)."),
}
