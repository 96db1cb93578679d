"""The audit log: the database records every change (and recorded reads); owners and admins
search it here and see a record's full history."""

from __future__ import annotations

from flask import Blueprint

from app import menu, roles

bp = Blueprint("audit", __name__)
menu.add("Audit log", "audit.log", roles=roles.MANAGERS, order=80, section=("audit.record",))

from app.audit import routes  # noqa: E402,F401  (routes attach to bp)
from app.audit.checkpoints import key_id, public_key_bytes  # noqa: E402  (the platform's key)

# What other features may use (tests/test_architecture.py holds them to it).
__all__ = ["bp", "key_id", "public_key_bytes"]
