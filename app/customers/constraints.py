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
    # What the imports brought (20261212090000_imports_whole_book.sql): the main number's type
    # and extension, the billing address, the old system's id.
    "customers_phone_kind_check": ("phone_kind", "Choose mobile, home, work or other."),
    "customers_phone_extension_digits": ("phone_extension", "An extension is up to 10 digits."),
    "customers_billing_address_length": ("billing_address", "At most 500 characters."),
    "customers_source_system_length": (None, "The old system's name has at most 40 characters."),
    "customers_source_id_length": (None, "The old system's id has at most 200 characters."),
    "customers_source_key": (None, "Another customer already has this id from the old system."),
    "customer_contacts_phone_kind_check": ("phone_kind", "Choose mobile, home, work or other."),
    "customer_contacts_phone_extension_digits": (
        "phone_extension",
        "An extension is up to 10 digits.",
    ),
    # Other numbers and emails (the fields of their forms on the customer and contact pages).
    "customer_phones_kind_check": ("number_kind", "Choose mobile, home, work, other or fax."),
    "customer_phones_number_e164": ("number", "Enter a valid phone number."),
    "customer_phones_extension_digits": ("extension", "An extension is up to 10 digits."),
    "customer_phones_once": ("number", "This number is already on file for them."),
    "customer_emails_kind_check": ("other_email_kind", "Choose personal, work or other."),
    "customer_emails_email_format": ("other_email", "Enter a valid email address."),
    "customer_emails_once": ("other_email", "This email is already on file for them."),
}
