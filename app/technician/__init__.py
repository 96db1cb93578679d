"""The technician's phone: their day, their visits, and the calendar feed of their schedule."""

from flask import Blueprint

bp = Blueprint("technician", __name__)

from app.technician import routes  # noqa: E402,F401  (routes register on the blueprint)
