"""The technician's phone: their day, their visits, and the calendar feed of their schedule."""

from flask import Blueprint

from app import db
from app.technician import constraints

bp = Blueprint("technician", __name__)
db.register_messages(constraints.MESSAGES)

from app.technician import routes  # noqa: E402,F401  (routes register on the blueprint)

# What other features may use (tests/test_architecture.py holds them to it).
__all__ = ["bp"]
