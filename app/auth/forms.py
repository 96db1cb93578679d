"""The forms of signing up, in and out, and of the account's own security settings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField

from app.forms import (
    choices,
    code_field,
    current_password_field,
    email_field,
    name_field,
    new_password_field,
)

TIME_ZONES = [
    ("America/New_York", "Eastern (New York)"),
    ("America/Chicago", "Central (Chicago)"),
    ("America/Denver", "Mountain (Denver)"),
    ("America/Phoenix", "Arizona (Phoenix)"),
    ("America/Los_Angeles", "Pacific (Los Angeles)"),
    ("America/Anchorage", "Alaska (Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Honolulu)"),
    ("America/Halifax", "Atlantic (Halifax)"),
    ("America/St_Johns", "Newfoundland (St. John's)"),
    ("America/Toronto", "Eastern (Toronto)"),
    ("America/Winnipeg", "Central (Winnipeg)"),
    ("America/Edmonton", "Mountain (Edmonton)"),
    ("America/Vancouver", "Pacific (Vancouver)"),
]


class SignUpForm(FlaskForm):
    company_name = name_field("Company name", "Enter your company's name.", "organization")
    time_zone = SelectField(
        "Time zone",
        choices=choices(TIME_ZONES),
        default="America/New_York",
        validate_choice=True,
    )
    full_name = name_field("Your name", "Enter your name.")
    email = email_field("Work email")
    password = new_password_field()


class SignInForm(FlaskForm):
    email = email_field()
    password = current_password_field()


class CodeForm(FlaskForm):
    code = code_field("Code from your authenticator app, or a recovery code")


class ForgotPasswordForm(FlaskForm):
    email = email_field()


class ResetPasswordForm(FlaskForm):
    password = new_password_field("New password")


class ChangePasswordForm(FlaskForm):
    current_password = current_password_field("Current password")
    new_password = new_password_field("New password")


class ConfirmTotpForm(FlaskForm):
    code = code_field("6-digit code from the app")


class DisableTotpForm(FlaskForm):
    password = current_password_field("Your password")


class RecoveryCodesForm(FlaskForm):
    code = code_field("A current 6-digit code")


class ConfirmForm(FlaskForm):
    """A button that only carries the CSRF token."""
