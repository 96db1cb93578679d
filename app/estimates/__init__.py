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

# What other features may use (tests/test_architecture.py holds them to it).
__all__ = ["bp"]
