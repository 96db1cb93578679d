"""The company and its team: the company's settings, members, roles, invitations, and
switching between companies."""

from __future__ import annotations

from flask import Blueprint

from app import db, menu, roles
from app.tenancy import constraints

bp = Blueprint("tenancy", __name__)
menu.add("Team", "tenancy.team", roles=roles.MANAGERS, order=70)
menu.add("Company", "tenancy.company_settings", roles=roles.MANAGERS, order=75)
db.register_messages(constraints.MESSAGES)

from app.audit import labels  # noqa: E402
from app.tenancy import company_routes, invitation_routes, routes  # noqa: E402,F401  (attach to bp)

labels.register_values("role", roles.LABELS)

# What other features may use (tests/test_architecture.py holds them to it).
__all__ = ["bp"]
