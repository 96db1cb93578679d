"""Team forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField

from app.forms import choices, email_field, name_field, new_password_field
from app.tenancy.service import ROLES

ROLE_CHOICES = choices(ROLES.items())


class InviteForm(FlaskForm):
    email = email_field()
    role = SelectField("Role", choices=ROLE_CHOICES, default="technician")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class JoinWithNewAccountForm(FlaskForm):
    full_name = name_field("Your name", "Enter your name.")
    password = new_password_field("Choose a password")


class SwitchCompanyForm(FlaskForm):
    tenant_id = SelectField("Company", choices=[])
