"""Service requests (as Client Portal Plus offers): a homeowner asks for help from the portal,
with photos; the office works the queue (unassigned, open, waiting on the customer, closed),
answers in the request's thread, assigns it, closes or reopens it, and turns it into a job."""

from __future__ import annotations

from flask import Blueprint, g
from flask_login import current_user

from app import db, menu, roles
from app.audit import labels
from app.service_requests import constraints, vocabulary

bp = Blueprint("service_requests", __name__)
db.register_messages(constraints.MESSAGES)
labels.register_values("public.service_requests.status", vocabulary.STATUSES)


def _open_count() -> int:
    """The menu's number: open requests; 0 on a page that acts with a link's or a webhook's
    narrow role rather than as the member."""
    if g.get("db_claims", {}).get("role") != "authenticated":
        return 0
    from app.service_requests import service

    return service.open_count(current_user.tenant_id)


menu.add(
    "Requests",
    "service_requests.queue",
    roles=roles.OFFICE_STAFF,
    order=33,
    section=("service_requests.show",),
    count=_open_count,
)

from app.service_requests import routes  # noqa: E402,F401  (routes attach to bp)

# What other features may use (tests/test_architecture.py holds them to it).
__all__ = ["bp"]
