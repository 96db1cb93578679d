"""Words for the database's refusals of invoices and payments: constraint name → (form field,
message), registered with app.db by the package's __init__."""

from __future__ import annotations

from app.forms import NOT_AN_ADDRESS, TO_THE_CUSTOMER

MESSAGES: dict[str, tuple[str | None, str]] = {
    "invoices_note_length": ("note", "At most 5,000 characters."),
    "invoices_bill_to_name_length": ("bill_to_name", "Enter whom to bill (at most 200)."),
    "invoices_bill_to_email_length": ("bill_to_email", "At most 254 characters."),
    "invoices_bill_to_address_length": ("bill_to_address", "At most 1,000 characters."),
    "invoices_void_reason_length": ("void_reason", "At most 1,000 characters."),
    "invoices_void_has_reason": ("void_reason", "Say why the invoice is void."),
    "invoices_draft_only": (None, "Only a draft invoice can be changed: void it instead."),
    "invoices_keep_their_place": (
        None,
        "An invoice keeps its number, currency, customer, property and job.",
    ),
    "invoices_status_order": (None, "That change of status is not possible for this invoice."),
    "invoices_paid_by_payments": (None, "An invoice is paid by recording its payments."),
    "invoices_only_drafts_deleted": (None, "A sent invoice is never deleted: void it instead."),
    "invoices_references_agree": (
        None,
        "The invoice's customer, property, job, visit and estimate do not belong together.",
    ),
    "invoice_lines_description_length": ("description", "Describe the line (at most 2,000)."),
    "invoice_lines_quantity_range": ("quantity", "Enter a quantity above 0."),
    "invoice_lines_unit_price_range": ("unit_price", "Enter a unit price of 0 or more."),
    "invoice_lines_discount_range": ("discount_percent", "Enter a discount from 0 to 100%."),
    "payments_amount_positive": ("amount", "Enter an amount above zero."),
    "payments_method_check": ("method", "Choose how the payment was made."),
    "payments_reference_length": ("reference", "At most 100 characters."),
    "payments_reference_no_card_number": (
        "reference",
        "This looks like a card number: never record one. Write the terminal's receipt number"
        " or the card's last four digits instead.",
    ),
    "payments_invoice_open": (
        None,
        "Payments are recorded only against a sent invoice with a balance due.",
    ),
    "payments_within_balance": ("amount", "That is more than the balance due."),
    "invoices_sendable": (None, "A void invoice is not sent."),
    "invoices_sent_with_lines": (None, "Add at least one line before sending the invoice."),
    "invoice_links_sent_to_format": ("to", NOT_AN_ADDRESS),
    "invoice_links_sent_to_the_customer": ("to", TO_THE_CUSTOMER),
    "invoices_voided_by_office": (None, "Only the office voids an invoice."),
}
