"""Words for the database's refusals of jobs, visits, bookings, working hours, time off and plans:
constraint name → (form field, message), registered with app.db by the package's __init__."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str | None, str]] = {
    "working_hours_order": ("ends_at", "The day must end after it starts."),
    "working_hours_one_per_day": ("weekday", "That day already has working hours."),
    "time_off_bounded": ("ends_at", "Time off must end after it starts."),
    "time_off_reason_length": ("reason", "Keep the reason under 200 characters."),
    "service_agreements_name_length": ("name", "Name the plan (at most 200 characters)."),
    "service_agreements_months_check": ("months", "Choose the months the tune-ups are due."),
    "service_agreements_dates_order": ("ends_on", "The plan can't end before it starts."),
    "jobs_kind_check": ("kind", "Choose the kind of job."),
    "jobs_priority_check": ("priority", "Choose a priority."),
    "jobs_summary_length": ("summary", "Say what the job is (at most 200 characters)."),
    "visits_booking_override_check": ("override", "Choose overtime or overflow."),
    "visits_booking_override_reason_required": (
        "override_reason",
        "Say why this visit is booked outside the rules.",
    ),
    "visits_booking_override_reason_length": ("override_reason", "At most 500 characters."),
    "visits_override_office_only": (None, "Only office staff can book outside the rules."),
    "visits_override_emergency_only": (
        None,
        "Only an emergency can be booked outside working hours or over another booking.",
    ),
    "jobs_property_archived": (None, "This property is archived: restore it first."),
    "jobs_description_length": ("description", "Keep the description under 5,000 characters."),
    "visits_duration_range": ("duration_minutes", "A visit takes 15 minutes to 12 hours."),
    "visits_window_order": ("window_hours", "The arrival window must end after it starts."),
    "visits_window_length": ("window_hours", "An arrival window is at most 12 hours."),
    "visits_canceled_has_reason": ("cancel_reason", "Say why the visit is canceled."),
    "visits_cancel_reason_length": ("cancel_reason", "Keep the reason under 500 characters."),
    "visits_status_transition": (None, "That status change is not allowed for this visit."),
    "visits_dispatch_needs_technician": (
        None,
        "Book a technician on this visit before dispatching it.",
    ),
    "visits_finished_is_final": (None, "A completed or canceled visit can no longer be changed."),
    "visit_assignments_no_double_booking": (
        "technician_ids",
        "A technician is already booked at that time.",
    ),
    "visit_assignments_within_working_hours": (
        "technician_ids",
        "the visit falls outside their working hours.",
    ),
    "visit_assignments_not_on_time_off": ("technician_ids", "they have time off then."),
    "visit_assignments_active_member": (
        "technician_ids",
        "Only active members of the team can be booked.",
    ),
}
