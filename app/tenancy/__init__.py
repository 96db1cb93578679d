"""The company's team: members, roles, invitations, and switching between companies."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("tenancy", __name__)

from app.audit import labels  # noqa: E402
from app.tenancy import invitation_routes, routes  # noqa: E402,F401  (attach to bp)
from app.tenancy.service import ROLES  # noqa: E402

labels.register_values("role", ROLES)
