"""Words for the database's refusals of a technician's visit: completion, notes, checklist:
constraint name → (form field, message), registered with app.db by the package's __init__."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str | None, str]] = {
    "visits_completion_notes_length": (
        "completion_notes",
        "Keep the notes under 5,000 characters.",
    ),
    "visits_signed_by_length": ("signed_by", "Keep the name under 200 characters."),
    "visits_unsigned_reason_length": ("unsigned_reason", "Keep the reason under 500 characters."),
    "visits_unsigned_reason_on_completion": (
        None,
        "Why nobody signed is given as the visit is completed, and not changed after.",
    ),
    "visit_notes_body_length": ("body", "Write the note first (at most 5,000 characters)."),
    "visit_checklist_items_label_length": ("label", "Name the task (at most 200 characters)."),
}
