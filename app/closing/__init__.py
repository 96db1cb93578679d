"""Closing a company and reopening it (P-11): an owner closes their company (or the platform
terminates it, `flask company close`); it is read-only at once, its export keeps working, and an
owner can reopen it for 30 days. The database enforces all of it (app.close_company,
app.reopen_company and the read-only trigger on every company table)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("closing", __name__)

from app.closing import routes  # noqa: E402,F401  (attach to bp)
from app.closing.service import Refused, close_for_platform, reopen_for_platform  # noqa: E402

# What other features may use (tests/test_architecture.py holds them to it).
__all__ = ["Refused", "bp", "close_for_platform", "reopen_for_platform"]
