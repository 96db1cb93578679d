"""Words for the database's refusals of accounts and the company made at sign-up:
constraint name → (form field, message), registered with app.db by the package's __init__."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str | None, str]] = {
    "accounts_email_key": ("email", "An account with this email already exists. Sign in instead."),
    "accounts_email_format": ("email", "Enter a valid email address."),
    "accounts_full_name_length": ("full_name", "Enter your name (at most 200 characters)."),
    "tenants_name_length": ("company_name", "Enter the company name (at most 200 characters)."),
    "tenants_time_zone_known": ("time_zone", "Choose a time zone from the list."),
}
