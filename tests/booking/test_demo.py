"""The demo company takes online bookings: `flask seed demo` opens its public page and prints
the link (again and again: the same link)."""

from __future__ import annotations

from app.db import Connection
from app.demo import seed
from tests.conftest import Client


def test_the_demo_company_has_an_open_booking_page(admin: Connection, client: Client) -> None:
    assert seed.booking_link(admin) is None  # no demo company yet
    seed.demo(admin)
    assert seed.booking_link(admin) == "acme-heating-and-air"
    assert seed.booking_link(admin) == "acme-heating-and-air"
    page = client.get("/book/acme-heating-and-air")
    assert page.status_code == 200
    assert "Acme Heating &amp; Air" in page.get_data(as_text=True)
