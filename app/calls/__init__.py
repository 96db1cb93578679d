"""Taking a call on one screen: find the caller (phone typed any way, name or address) or take
their details, create the customer, property, equipment and job in one submit, then book the
earliest window with the one Schedule form."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("calls", __name__)

from app.calls import routes  # noqa: E402,F401  (routes attach to bp)
