"""Invoices and offline payments: what a company bills a customer for a job's work (from its
approved estimate) or a property, numbered without gaps, with totals by the money rule, paid by
payments recorded by the office, or voided; records that outlive the customer's erasure."""

from __future__ import annotations

from flask import Blueprint

from app import customers, db, menu, roles
from app.invoices import constraints

bp = Blueprint("invoices", __name__)
db.register_messages(constraints.MESSAGES)
menu.add(
    "Invoices",
    "invoices.index",
    roles=roles.OFFICE_STAFF,
    order=37,
    section=(
        "invoices.show",
        "invoices.new",
        "invoices.edit",
        "invoices.edit_line",
        "invoices.ageing_report",
    ),
)

from app.invoices import (  # noqa: E402,F401  (their routes attach to bp)
    link_routes,
    pdf_routes,
    reports,
    routes,
)
from app.invoices.service import queries  # noqa: E402

# The customer page lists the customer's invoices in its timeline.
customers.add_timeline_entries("invoice", customers.PageRead(queries.for_customer))

# What other features may use (tests/test_architecture.py holds them to it).
__all__ = ["bp"]
