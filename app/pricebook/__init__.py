"""The price book: what a company sells (services, materials, labour, install packages), in
categories, with member pricing, and the tax rates it charges; estimates and invoices copy
their lines and rates from it."""

from __future__ import annotations

from flask import Blueprint

from app import db, menu, roles
from app.pricebook import constraints

bp = Blueprint("pricebook", __name__)
db.register_messages(constraints.MESSAGES)
menu.add(
    "Price book",
    "pricebook.index",
    roles=roles.OFFICE_STAFF,
    order=45,
    section=(
        "pricebook.item",
        "pricebook.new_item",
        "pricebook.edit_item",
        "pricebook.categories",
        "pricebook.edit_category",
        "pricebook.tax_rates",
        "pricebook.edit_tax_rate",
        "pricebook.import_book",
        "pricebook.confirm_import",
    ),
)

from app.pricebook import routes, taxes, transfer  # noqa: E402,F401  (their routes attach to bp)

# What other features may use (tests/test_architecture.py holds them to it; estimates and
# invoices copy their lines from the book).
from app.pricebook.service import line_choices, line_from_item  # noqa: E402

__all__ = ["bp", "line_choices", "line_from_item"]
