"""The technician's phone: their day, their visits, and the calendar feed of their schedule."""

from flask import Blueprint

from app import db, menu, roles
from app.technician import constraints

bp = Blueprint("technician", __name__)
menu.add(
    "My day",
    "technician.my_day",
    roles=roles.TECHNICIANS,
    order=20,
    section=(
        "technician.visit",
        "technician.estimate",
        "technician.invoice",
        "technician.edit_invoice_line",
    ),
)
menu.add("Calendar feed", "technician.calendar_page", roles=roles.TECHNICIANS, order=60)
db.register_messages(constraints.MESSAGES)

from app.technician import (  # noqa: E402,F401  (routes register on the blueprint)
    estimate_routes,
    invoice_routes,
    routes,
)

# What other features may use (tests/test_architecture.py holds them to it).
__all__ = ["bp"]
