"""Online booking (issue 14): the company's rules for it (owners and admins), its public booking
page for new homeowners (`/book/<slug>`), and the office's list of booking requests to confirm.
The windows and the bookings themselves are the database's (app.portal_bookable_windows,
app.public_bookable_windows, app.portal_book_visit, app.book_online_as_new_customer): one
computation of free time shared with the office's own windows."""

from __future__ import annotations

from flask import Blueprint

from app import db, menu, roles
from app.booking import constraints

bp = Blueprint("booking", __name__)
db.register_messages(constraints.MESSAGES)

from app.booking import public, requests, settings  # noqa: E402  (routes on bp)
from app.booking.constraints import WINDOW_TAKEN  # noqa: E402
from app.booking.forms import description_field  # noqa: E402
from app.booking.windows import Window, by_day, parse  # noqa: E402

menu.add(
    "Booking requests",
    "booking.requests_list",
    roles=roles.OFFICE_STAFF,
    order=37,
    count=requests.awaiting_count,
)
_ = (public, settings)

# What other features may use (tests/test_architecture.py holds them to it).
# The portal's booking page shows windows as the public page does (`by_day`, `parse`).
__all__ = [
    "WINDOW_TAKEN",
    "Window",
    "bp",
    "by_day",
    "constraints",
    "description_field",
    "parse",
]
