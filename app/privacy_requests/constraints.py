"""Words for the database's refusals of privacy requests: constraint name → (form field,
message), registered with app.db by the package's __init__."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str | None, str]] = {
    "privacy_requests_kind_check": ("kind", "Choose what the homeowner asks for."),
    "privacy_requests_source_check": ("source", "Choose how the request came in."),
    "privacy_requests_status_check": ("status", "Choose done or refused."),
    "privacy_requests_details_length": ("details", "Keep the details under 5,000 characters."),
    "privacy_requests_answer_length": ("answer", "Keep the answer under 5,000 characters."),
    "privacy_requests_answer_given": ("answer", "Write the answer the homeowner gets."),
    "privacy_requests_answered_when": (None, "A request is answered once, with a time."),
    "privacy_requests_correction_details": ("details", "Say what should be corrected."),
    "privacy_requests_portal_kind": ("kind", "Choose to correct or to delete your data."),
    "privacy_requests_open_limit": (
        None,
        "You have 5 requests waiting for an answer already: the company answers them first.",
    ),
    "privacy_requests_customer_fkey": (None, "That customer no longer exists."),
}
