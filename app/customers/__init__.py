"""Customers: the households and businesses a company serves, their contacts, notes and
contact preferences, and the search box that finds them."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("customers", __name__)

from app.audit import labels  # noqa: E402
from app.customers import routes  # noqa: E402,F401  (routes attach to bp)
from app.customers.forms import KINDS, PREFERRED_CONTACTS  # noqa: E402

labels.register_values("public.customers.kind", KINDS)
labels.register_values("public.customers.preferred_contact", PREFERRED_CONTACTS)
