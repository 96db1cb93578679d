"""Customers: the households and businesses a company serves, their contacts, notes and
contact preferences, and the search box that finds them."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("customers", __name__)

from app.customers import routes  # noqa: E402,F401  (routes attach to bp)

# What other features may use (the New call page takes a caller's details and finds them).
from app.customers.forms import CustomerForm  # noqa: E402
from app.customers.search import search as search_customers  # noqa: E402
from app.customers.service import company_zone, create_customer, customer  # noqa: E402

__all__ = ["CustomerForm", "bp", "company_zone", "create_customer", "customer", "search_customers"]
