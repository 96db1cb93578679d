"""The homeowner's portal (`/portal`): a customer of one company signs in without a password and
sees their own visits, equipment, estimates, invoices, requests and data, in the company's name
and colour. Who the request is, and what the database lets it read, is `identity`."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("portal", __name__, url_prefix="/portal")

from app.portal import booking, home, identity  # noqa: E402,F401  (views register on bp)
from app.portal.identity import Homeowner, homeowner, portal_required  # noqa: E402

__all__ = ["Homeowner", "bp", "home", "homeowner", "identity", "portal_required"]
