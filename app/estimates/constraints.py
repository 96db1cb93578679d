"""Words for the database's refusals of estimates: constraint name → (form field, message),
registered with app.db by the package's __init__."""

from __future__ import annotations

from app.forms import NOT_AN_ADDRESS, TO_THE_CUSTOMER

MESSAGES: dict[str, tuple[str | None, str]] = {
    "estimates_title_length": ("title", "Give the estimate a title (at most 200 characters)."),
    "estimates_note_length": ("note", "At most 5,000 characters."),
    "estimates_decline_reason_length": ("reason", "At most 1,000 characters."),
    "estimates_draft_only": (None, "Only a draft estimate can be changed: revise it instead."),
    "estimates_keep_their_place": (
        None,
        "An estimate keeps its number, customer, property, job and currency.",
    ),
    "estimates_answered_by_office": (
        None,
        "A technician records the customer's approval in person, with their signature; other"
        " answers are the office's.",
    ),
    "estimates_sendable": (None, "Only a draft or an estimate not yet answered is sent."),
    "estimates_sent_with_lines": (None, "Add at least one line before sending the estimate."),
    "estimate_links_sent_to_format": ("to", NOT_AN_ADDRESS),
    "estimate_links_sent_to_the_customer": ("to", TO_THE_CUSTOMER),
    "estimate_options_name_length": ("name", "Name the option (at most 60 characters)."),
    "estimate_options_description_length": ("description", "At most 2,000 characters."),
    "estimate_options_position_range": (None, "An estimate has at most 10 options."),
    "estimate_options_position_once": (None, "That option was just added: reload the page."),
    "estimate_lines_description_length": ("description", "Describe the line (at most 2,000)."),
    "estimate_lines_quantity_range": ("quantity", "Enter a quantity above 0."),
    "estimate_lines_unit_price_range": ("unit_price", "Enter a unit price of 0 or more."),
    "estimate_lines_discount_range": ("discount_percent", "Enter a discount from 0 to 100%."),
    "estimate_photos_from_the_job": (
        None,
        "An estimate shows only photos from the visits of its own job.",
    ),
    "estimate_photos_position_range": (None, "An estimate shows at most 12 photos."),
    "estimate_photos_caption_length": (None, "A caption has at most 200 characters."),
    "estimate_photos_once": (None, "Each photo is shown once."),
    "estimate_photos_position_once": (None, "The photos changed meanwhile: reload the page."),
}
