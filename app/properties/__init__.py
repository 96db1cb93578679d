"""Properties (a customer's service locations) and the equipment installed at them."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("properties", __name__)

from app.properties import routes  # noqa: E402,F401  (routes attach to bp)
