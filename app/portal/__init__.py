"""The homeowner's portal (`/portal`): a customer of one company signs in without a password and
sees their own visits, equipment, estimates, invoices, requests and data, in the company's name
and colour. Who the request is, and what the database lets it read, is `identity`."""

from __future__ import annotations

from flask import Blueprint

from app import db, errors
from app.portal import constraints

bp = Blueprint("portal", __name__, url_prefix="/portal")
db.register_messages(constraints.MESSAGES)

from app.portal import (  # noqa: E402  (views register on bp)
    agreements,
    booking,
    data,
    details,
    documents,
    home,
    identity,
    privacy_requests,
    properties,
    requests,
    scheme,
    sign_in,
    visits,
)
from app.portal.identity import Homeowner, homeowner, portal_required  # noqa: E402

errors.forget_in_an_outage(identity.forget)
from app.portal.nav import NAV  # noqa: E402

# The menu in the order a homeowner looks for things (the modules append in import order);
# pages not named here keep their place after these.
_FIRST = ["portal.home", "portal.visits", "portal.documents", "portal.properties",
          "portal.agreements", "portal.details", "portal.data"]  # fmt: skip
NAV.sort(key=lambda entry: _FIRST.index(entry[1]) if entry[1] in _FIRST else len(_FIRST))

__all__ = [
    "Homeowner",
    "agreements",
    "booking",
    "bp",
    "data",
    "details",
    "documents",
    "home",
    "homeowner",
    "identity",
    "portal_required",
    "privacy_requests",
    "properties",
    "requests",
    "scheme",
    "sign_in",
    "visits",
]
