"""Privacy requests (P-10): a homeowner's request to see, correct, delete or restrict their
data, filed from the portal or recorded by the office from a call or an email, tracked with a
due date 30 days out that the database sets, and answered by the office (done or refused)."""

from __future__ import annotations

from flask import Blueprint

from app import db, menu, roles
from app.audit import labels
from app.privacy_requests import constraints, service, vocabulary
from app.privacy_requests.vocabulary import KINDS

bp = Blueprint("privacy_requests", __name__)
db.register_messages(constraints.MESSAGES)
labels.register_values("public.privacy_requests.kind", vocabulary.KINDS)
labels.register_values("public.privacy_requests.status", vocabulary.STATUSES)
labels.register_values("public.privacy_requests.source", vocabulary.SOURCES)

menu.add(
    "Privacy requests",
    "privacy_requests.index",
    roles=roles.OFFICE_STAFF,
    order=56,
    section=("privacy_requests.show", "privacy_requests.new"),
    count=menu.company_count(service.open_count),
)

from app.privacy_requests import actions, routes  # noqa: E402,F401  (routes attach to bp)

# What other features may use (tests/test_architecture.py holds them to it).
__all__ = ["KINDS", "bp"]
