"""Words for the database's refusals of the team (invitations and memberships) and of the
company's settings: constraint name → (form field, message), registered with app.db by the
package's __init__. (The company's name and time zone are sign-up's: app/auth/constraints.py.)"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str | None, str]] = {
    "invitations_open_email_key": ("email", "This address already has an open invitation."),
    "invitations_email_format": ("email", "Enter a valid email address."),
    "invitations_sent_in_a_day": (
        "email",
        "Too many invitations today (at most 50 a company and 3 an address). Try tomorrow.",
    ),
    "tenants_currency_code": ("currency", "Choose one of the listed currencies."),
    "tenants_licence_number_length": ("licence_number", "At most 100 characters."),
    "tenants_address_length": ("address", "At most 500 characters."),
    "tenants_phone_length": ("phone", "At most 40 characters."),
    "memberships_company_keeps_an_owner": (
        None,
        "A company must keep at least one owner. Make someone else an owner first.",
    ),
}
