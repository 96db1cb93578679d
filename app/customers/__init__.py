"""Customers: the households and businesses a company serves, their contacts, notes and
contact preferences, and the search box that finds them."""

from __future__ import annotations

from flask import Blueprint

from app import db, menu, roles
from app.customers import constraints

bp = Blueprint("customers", __name__)
menu.add(
    "Customers",
    "customers.index",
    roles=roles.OFFICE_STAFF,
    order=30,
    section=("customers.new", "customers.show"),
)
db.register_messages(constraints.MESSAGES)

from app.audit import labels  # noqa: E402
from app.customers import number_routes, routes  # noqa: E402,F401  (routes attach to bp)
from app.customers.forms import (  # noqa: E402
    KINDS,
    PREFERRED_CONTACTS,
    CustomerForm,
    optional_email_field,
    phone_field,
    text_field,
)
from app.customers.search import search as search_customers  # noqa: E402
from app.customers.service import (  # noqa: E402
    create_customer,
    customer,
    erase_customer,
    set_restriction,
)
from app.customers.timeline import PageRead, add_page_section, add_timeline_entries  # noqa: E402

labels.register_values("public.customers.kind", KINDS)
labels.register_values("public.customers.preferred_contact", PREFERRED_CONTACTS)

# What other features may use (tests/test_architecture.py holds them to it; the New call page
# takes a caller's details and finds them; the portal's details page checks a homeowner's own
# details with the same fields).
__all__ = [
    "PREFERRED_CONTACTS",
    "CustomerForm",
    "PageRead",
    "add_page_section",
    "add_timeline_entries",
    "bp",
    "create_customer",
    "customer",
    "erase_customer",
    "optional_email_field",
    "phone_field",
    "search_customers",
    "set_restriction",
    "text_field",
]
