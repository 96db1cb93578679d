"""Words for the database's refusals of company exports and for their states."""

from __future__ import annotations

ALREADY_RUNNING = (
    "An export is already being prepared. Wait for it to finish before starting another."
)

MESSAGES: dict[str, tuple[str | None, str]] = {
    "company_exports_one_at_a_time": (None, ALREADY_RUNNING),
    "company_exports_status_check": (None, "That is not a state an export can be in."),
    "company_exports_storage_key_in_company": (
        None,
        "An export is kept in its own company's files.",
    ),
    "company_exports_error_length": (None, "The reason an export failed is too long to keep."),
    "company_exports_counts_check": (None, "An export's progress cannot be negative."),
    "company_exports_done_has_zip": (None, "A finished export has its file and an end date."),
    "company_exports_finished_when": (None, "A finished export has the time it finished."),
}

STATUSES = {
    "queued": "Waiting to start",
    "running": "Being prepared",
    "done": "Ready to download",
    "failed": "Failed",
    "expired": "Expired",
}
