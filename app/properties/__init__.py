"""Properties (a customer's service locations) and the equipment installed at them."""

from __future__ import annotations

from flask import Blueprint

from app import db
from app.properties import constraints

bp = Blueprint("properties", __name__)
db.register_messages(constraints.MESSAGES)

from app.properties import routes  # noqa: E402,F401  (routes attach to bp)
