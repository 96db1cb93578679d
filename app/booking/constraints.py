"""What the database's refusals of online booking say to the person booking or setting it up."""

from __future__ import annotations

WINDOW_TAKEN = "That time was just taken. Please pick another of the times below."

MESSAGES: dict[str, tuple[str | None, str]] = {
    "online_bookings_window_open": ("window", WINDOW_TAKEN),
    "online_bookings_kind_offered": ("kind", "This kind of visit cannot be booked online."),
    "online_bookings_description_length": (
        "description",
        "Describe the problem in at most 5000 characters.",
    ),
    "online_bookings_photo_count": ("photo", "At most 5 photos can be added to a booking."),
    "online_bookings_contact_given": ("phone", "Give a phone number or an email address."),
    "online_booking_settings_slug_once": (
        "slug",
        "Another company uses this link already: choose another.",
    ),
    "online_booking_settings_slug_format": (
        "slug",
        "Use 4 to 48 lower-case letters, digits and single hyphens, starting and ending with a"
        " letter or digit.",
    ),
    "online_booking_settings_kinds_known": ("kinds", "Choose among the kinds of visit offered."),
    "online_booking_settings_horizon_range": ("horizon_days", "Enter 1 to 60 days."),
    "online_booking_settings_lead_range": ("lead_hours", "Enter 0 to 336 hours."),
    "online_booking_settings_buffer_range": ("buffer_minutes", "Enter 0 to 240 minutes."),
    "online_booking_settings_window_range": ("window_hours", "Enter 1 to 8 hours."),
    "online_booking_settings_cutoff_range": ("portal_change_cutoff_hours", "Enter 0 to 336 hours."),
}
