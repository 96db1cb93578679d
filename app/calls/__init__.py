"""Taking a call on one screen: find the caller (phone typed any way, name or address) or take
their details, create the customer, property, equipment and job in one submit, then book the
earliest window with the one Schedule form."""

from __future__ import annotations

from flask import Blueprint

from app import menu, roles

bp = Blueprint("calls", __name__)
menu.add(
    "New call",
    "calls.new",
    roles=roles.OFFICE_STAFF,
    order=15,
    section=("calls.book",),
    shortcut="n",
)

from app.calls import routes  # noqa: E402,F401  (routes attach to bp)

# What other features may use (tests/test_architecture.py holds them to it).
__all__ = ["bp"]
