"""Estimates: what a company proposes to a customer for a property, as options (good, better,
best) of lines copied from the price book or written by hand, with totals by the money rule."""

from __future__ import annotations

from flask import Blueprint

from app import customers, db, menu, roles
from app.estimates import constraints

bp = Blueprint("estimates", __name__)
db.register_messages(constraints.MESSAGES)
menu.add(
    "Estimates",
    "estimates.index",
    roles=roles.OFFICE_STAFF,
    order=35,
    section=(
        "estimates.show",
        "estimates.new",
        "estimates.edit",
        "estimates.edit_option",
        "estimates.edit_line",
    ),
)

from app.estimates import (  # noqa: E402,F401  (their routes attach to bp)
    exports,
    link_routes,
    pdf_routes,
    photo_routes,
    routes,
)
from app.estimates.service import queries  # noqa: E402

# The customer page lists the customer's estimates in its timeline.
customers.add_timeline_entries("estimate", customers.PageRead(queries.for_customer))

# What other features may use (tests/test_architecture.py holds them to it): the technician's
# phone builds an estimate on site and records the homeowner's approval in person with these.
from app.estimates import builder  # noqa: E402
from app.estimates.approvals import approve_in_person  # noqa: E402
from app.estimates.document import approval_note, from_estimate  # noqa: E402
from app.estimates.document import context as document_context  # noqa: E402
from app.estimates.forms import VALID_DAYS  # noqa: E402
from app.estimates.forms import ApproveByLinkForm as SignedApprovalForm  # noqa: E402
from app.estimates.service import (  # noqa: E402
    Estimate,
    display_number,
    for_job,
    get,
    get_line,
    mark_sent,
    remove_line,
)
from app.estimates.service import create as create_estimate  # noqa: E402
from app.estimates.vocabulary import STATUSES  # noqa: E402

__all__ = [
    "STATUSES",
    "VALID_DAYS",
    "Estimate",
    "SignedApprovalForm",
    "approval_note",
    "approve_in_person",
    "bp",
    "builder",
    "create_estimate",
    "display_number",
    "document_context",
    "for_job",
    "from_estimate",
    "get",
    "get_line",
    "mark_sent",
    "remove_line",
]
