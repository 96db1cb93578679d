"""The company's full export (P-09): owners and admins ask for everything the company holds as
one zip (every table as CSV and JSON, and every file), prepared by the worker
(jobs/company_export.py with engine.py), downloaded from a link that works for 7 days."""

from __future__ import annotations

from flask import Blueprint

from app import db, menu, roles
from app.audit import labels
from app.company_export import constraints

bp = Blueprint("company_export", __name__)
db.register_messages(constraints.MESSAGES)
labels.TABLES["public.company_exports"] = "Company export"
labels.register_values("public.company_exports.status", constraints.STATUSES)

menu.add("Export data", "company_export.index", roles=roles.MANAGERS, order=76)

from app.company_export import routes  # noqa: E402,F401  (routes attach to bp)

# What other features may use (tests/test_architecture.py holds them to it).
__all__ = ["bp"]
