"""Words for the database's refusals of what a homeowner does in the portal: constraint name →
(form field, message), registered with app.db by the package's __init__."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str | None, str]] = {
    "portal_visits_own_only": (None, "That visit could not be found."),
    "portal_visits_open_only": (
        None,
        "This visit can no longer be changed online. Please call us to change it.",
    ),
    "portal_visits_change_cutoff": (
        None,
        "It is too close to this visit to change it online. Please call us to change it.",
    ),
    "portal_visits_new_time_ahead": ("day", "Choose a time further ahead."),
}

# What a homeowner reads when the booking rules refuse a new time (the office reads its own
# words for the same constraints, naming technicians and their hours).
ANOTHER_TIME = "Please choose another time."
BOOKING_REFUSALS: dict[str, str] = {
    "visit_assignments_no_double_booking": f"That time is taken. {ANOTHER_TIME}",
    "visit_assignments_within_working_hours": f"We are not working then. {ANOTHER_TIME}",
    "visit_assignments_not_on_time_off": f"That time is not available. {ANOTHER_TIME}",
    "visit_assignments_active_member": f"That time is not available. {ANOTHER_TIME}",
    # A visit the office booked outside the usual rules moves only with the office.
    "visits_override_emergency_only": "This visit was booked specially: please call us to move it.",
}
