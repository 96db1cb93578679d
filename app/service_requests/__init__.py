"""Service requests (as Client Portal Plus offers): a homeowner asks for help from the portal,
with photos; the office works the queue (unassigned, open, waiting on the customer, closed),
answers in the request's thread, assigns it, closes or reopens it, and turns it into a job."""

from __future__ import annotations

from flask import Blueprint

from app import db, menu, roles
from app.audit import labels
from app.service_requests import constraints, service, vocabulary

bp = Blueprint("service_requests", __name__)
db.register_messages(constraints.MESSAGES)
labels.register_values("public.service_requests.status", vocabulary.STATUSES)

menu.add(
    "Requests",
    "service_requests.queue",
    roles=roles.OFFICE_STAFF,
    order=33,
    section=("service_requests.show",),
    count=menu.company_count(service.open_count),
)

from app.service_requests import routes  # noqa: E402,F401  (routes attach to bp)

# What other features may use (tests/test_architecture.py holds them to it).
__all__ = ["bp"]
