"""Words for the database's refusals of the team: invitations and memberships:
constraint name → (form field, message), registered with app.db by the package's __init__."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str | None, str]] = {
    "invitations_open_email_key": ("email", "This address already has an open invitation."),
    "invitations_email_format": ("email", "Enter a valid email address."),
    "invitations_sent_in_a_day": (
        "email",
        "Too many invitations today (at most 50 a company and 3 an address). Try tomorrow.",
    ),
    "memberships_company_keeps_an_owner": (
        None,
        "A company must keep at least one owner. Make someone else an owner first.",
    ),
}
