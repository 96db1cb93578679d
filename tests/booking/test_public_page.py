"""The public booking page /book/<slug>: details, live windows, thanks; a bot's hidden field,
the rate limit, bad input, and the same page for a known or an unknown homeowner."""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.db import Connection
from tests.booking.support import DETAILS, company, configure
from tests.conftest import Client
from tests.factories import Factory

WINDOW = re.compile(r'name="window" value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="[^"]*">')
FORM = DETAILS | {"kind": "repair", "phone": "(312) 555-0100"}


def customers(admin: Connection, tenant_id: Any) -> int:
    row = admin.execute(
        "select count(*) as n from public.customers where tenant_id = %s", [tenant_id]
    ).fetchone()
    assert row is not None
    return int(row["n"])


def first_window(client: Client, slug: str, form: dict[str, str]) -> str:
    offered = client.submit(f"/book/{slug}", form)
    assert offered.status_code == 200, offered.get_data(as_text=True)
    return WINDOW.findall(offered.get_data(as_text=True))[0]


def test_a_new_homeowner_books_a_live_window(
    client: Client, admin: Connection, make: Factory
) -> None:
    firm = company(make)
    page = client.get(f"/book/{firm.slug}")
    assert page.status_code == 200
    assert firm.tenant.name in page.get_data(as_text=True)
    window = first_window(client, firm.slug, FORM)
    done = client.submit(f"/book/{firm.slug}", FORM | {"window": window})
    assert done.status_code == 303
    thanks = client.get(done.headers["Location"])
    assert "Your visit is booked for" in thanks.get_data(as_text=True)
    row = admin.execute(
        "select c.phone, c.lead_source from public.customers c where c.tenant_id = %s",
        [firm.tenant.id],
    ).fetchone()
    assert row == {"phone": "+13125550100", "lead_source": "online booking"}


def test_a_closed_or_unknown_page_is_404(client: Client, make: Factory) -> None:
    firm = company(make, public_page=False)
    assert client.get(f"/book/{firm.slug}").status_code == 404
    assert client.get("/book/no-such-company").status_code == 404


def test_a_filled_in_hidden_field_is_thanked_and_saves_nothing(
    client: Client, admin: Connection, make: Factory
) -> None:
    firm = company(make)
    window = first_window(client, firm.slug, FORM)
    trapped = client.submit(
        f"/book/{firm.slug}", FORM | {"window": window, "website": "http://spam.example"}
    )
    assert trapped.status_code == 303
    assert client.get(trapped.headers["Location"]).status_code == 200
    assert customers(admin, firm.tenant.id) == 0


def test_bad_input_is_shown_next_to_its_field_and_saves_nothing(
    client: Client, admin: Connection, make: Factory
) -> None:
    firm = company(make)
    for bad, message in (
        ({"phone": "12"}, "is not a"),
        ({"phone": "", "email": ""}, "Give a phone number or an email address."),
        ({"street": ""}, "Enter the street address."),
        ({"kind": "demolition"}, "Not a valid choice"),
    ):
        response = client.submit(f"/book/{firm.slug}", FORM | bad)
        assert response.status_code == 422, bad
        assert message in response.get_data(as_text=True), bad
    response = client.submit(f"/book/{firm.slug}", FORM | {"window": "tomorrow at 8"})
    assert response.status_code == 422
    assert "Pick one of the times below." in response.get_data(as_text=True)
    assert customers(admin, firm.tenant.id) == 0


def test_a_window_taken_meanwhile_offers_the_others(
    client: Client, admin: Connection, make: Factory
) -> None:
    firm = company(make)
    offered = WINDOW.findall(client.submit(f"/book/{firm.slug}", FORM).get_data(as_text=True))
    other: Client = client.application.test_client()  # type: ignore[assignment]
    assert other.submit(f"/book/{firm.slug}", FORM | {"window": offered[0]}).status_code == 303
    refused = client.submit(f"/book/{firm.slug}", FORM | {"window": offered[0]})
    assert refused.status_code == 409
    assert "That time was just taken" in refused.get_data(as_text=True)
    assert WINDOW.findall(refused.get_data(as_text=True)) == offered[1:]
    assert customers(admin, firm.tenant.id) == 1


def test_the_answer_is_the_same_for_a_known_or_unknown_homeowner(
    client: Client, admin: Connection, make: Factory
) -> None:
    firm = company(make, technicians=2, needs_confirmation=True)
    known = make.customer(firm.tenant.id)
    admin.execute(
        "update public.customers set phone = '+13125550100', email = 'pat@example.com'"
        " where id = %s",
        [known],
    )
    pages = []
    for form in (FORM, FORM | {"phone": "(312) 555-0199", "email": "someone@example.com"}):
        browser: Client = client.application.test_client()  # type: ignore[assignment]
        window = first_window(browser, firm.slug, form)
        done = browser.submit(f"/book/{firm.slug}", form | {"window": window})
        assert done.status_code == 303
        thanks = browser.get(done.headers["Location"]).get_data(as_text=True)
        pages.append(CSRF_META.sub("", thanks))  # each browser has its own form token
    assert pages[0] == pages[1]
    assert "We received your request" in pages[0]
    assert customers(admin, firm.tenant.id) == 3


def test_one_address_books_at_most_five_times_an_hour(
    client: Client, admin: Connection, make: Factory
) -> None:
    firm = company(make, technicians=6)
    for attempt in range(6):
        window = first_window(client, firm.slug, FORM)
        response = client.submit(f"/book/{firm.slug}", FORM | {"window": window})
        assert response.status_code == (303 if attempt < 5 else 429), attempt
    assert "Too many bookings" in response.get_data(as_text=True)
    assert customers(admin, firm.tenant.id) == 5
    configure(admin, firm.tenant.id, public_page=True)


@pytest.mark.promise("P-11")
def test_a_closed_companys_booking_page_says_it_takes_no_bookings(
    client: Client, admin: Connection, make: Factory
) -> None:
    firm = company(make)
    admin.execute(
        "update public.tenants set status = 'closed', closed_at = now(),"
        " purge_after = now() + interval '30 days' where id = %s",
        [firm.tenant.id],
    )
    for response in (client.get(f"/book/{firm.slug}"), client.submit(f"/book/{firm.slug}", FORM)):
        assert response.status_code == 404
        assert "This booking page is not taking bookings" in response.get_data(as_text=True)
    assert customers(admin, firm.tenant.id) == 0
