"""Words for the database's refusals of service requests: constraint name → (form field,
message), registered with app.db by the package's __init__."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str | None, str]] = {
    "service_requests_subject_length": (
        "subject",
        "Say what it is about (at most 200 characters).",
    ),
    "service_requests_status_check": ("status", "Choose open, waiting on customer or closed."),
    "service_requests_closed_when": (None, "A request is closed with a time, and only then."),
    "service_requests_property_fkey": ("property_id", "Choose one of the customer's properties."),
    "service_requests_assignee_fkey": ("assigned_to", "Choose a member of the company."),
    "service_requests_job_fkey": (None, "That job no longer exists."),
    "service_request_messages_body_length": (
        "body",
        "Write the message first (at most 5,000 characters).",
    ),
    "service_requests_open_limit": (
        None,
        "You have 20 requests open already: add to one of them instead.",
    ),
    "service_request_photos_key_in_company": ("photos", "That photo could not be kept. Try again."),
    "service_request_photos_limit": ("photos", "A request can have at most 10 photos."),
    "service_request_photos_size_range": ("photos", "A photo may be at most 10 MB."),
    "service_request_photos_content_type_check": (
        "photos",
        "That file is not a photo. Upload a JPEG, PNG or WebP image.",
    ),
}
