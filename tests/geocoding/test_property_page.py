"""What the office sees and does about a property's place: the failure's reason on its page, a
changed address sent back to the queue, and a pin placed by hand (bad input refused)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from psycopg_pool import ConnectionPool

from app.db import Connection
from jobs.geocoding import sweep
from tests.conftest import Client
from tests.factories import Factory
from tests.geocoding.conftest import add_property, place_of
from tests.properties.support import PROPERTY_FORM, html


@pytest.fixture
def office(app, make: Factory) -> tuple[Client, object]:
    tenant = make.tenant()
    client: Client = app.test_client()
    client.sign_in(make.member(tenant.id, "office").email)
    return client, tenant


def test_a_failed_property_shows_its_reason_and_the_ways_to_fix_it(
    office, pool: ConnectionPool, admin: Connection, make: Factory
):
    client, tenant = office
    place = add_property(admin, tenant.id, make.customer(tenant.id), "99999")
    sweep(pool)

    page = html(client.get(f"/properties/{place}"))

    assert "the address could not be found on the map" in page
    assert "No place is known for ZIP 99999" in page
    assert f'href="/properties/{place}/edit">Correct the address' in page
    assert f'action="/properties/{place}/pin"' in page
    assert '<details class="pin" open>' in page


def test_a_placed_property_shows_its_coordinates_and_zone(
    office, pool: ConnectionPool, admin: Connection, make: Factory
):
    client, tenant = office
    place = add_property(admin, tenant.id, make.customer(tenant.id), "85004")
    sweep(pool)

    page = html(client.get(f"/properties/{place}"))

    assert "33.455700, -112.068600 · America/Phoenix" in page
    assert '<details class="pin">' in page  # offered, folded away


def test_a_changed_address_goes_back_to_pending_and_is_placed_again(
    office, pool: ConnectionPool, admin: Connection, make: Factory
):
    client, tenant = office
    customer = make.customer(tenant.id)
    place = add_property(
        admin, tenant.id, customer, "01545", street="12 Oak Ave", city="Shrewsbury"
    )
    sweep(pool)
    assert place_of(admin, place)["time_zone"] == "America/New_York"

    form = PROPERTY_FORM | {"city": "Chicago", "region": "IL", "postal_code": "60614"}
    assert client.submit(f"/properties/{place}/edit", form).status_code == 302

    moved = place_of(admin, place)
    assert (moved["status"], moved["latitude"], moved["longitude"]) == ("pending", None, None)
    assert (moved["time_zone"], moved["failure"], moved["geocoded_at"]) == (None, None, None)
    assert sweep(pool) == 1
    assert place_of(admin, place)["time_zone"] == "America/Chicago"


def test_correcting_a_failed_address_clears_the_reason(
    office, pool: ConnectionPool, admin: Connection, make: Factory
):
    client, tenant = office
    place = add_property(admin, tenant.id, make.customer(tenant.id), "99999")
    sweep(pool)

    form = PROPERTY_FORM | {"postal_code": "62701"}
    assert client.submit(f"/properties/{place}/edit", form).status_code == 302

    assert place_of(admin, place) | {"retry_at": None} == {
        "status": "pending",
        "latitude": None,
        "longitude": None,
        "time_zone": None,
        "failure": None,
        "attempts": 0,
        "retry_at": None,
        "geocoded_at": None,
    }
    assert "No place is known" not in html(client.get(f"/properties/{place}"))


def test_editing_other_fields_keeps_the_place(
    office, pool: ConnectionPool, admin: Connection, make: Factory
):
    client, tenant = office
    place = add_property(admin, tenant.id, make.customer(tenant.id), "62701", street="12 Oak Ave")
    admin.execute("update public.properties set region = 'IL' where id = %s", [place])
    sweep(pool)
    before = place_of(admin, place)

    form = PROPERTY_FORM | {"notes": "Dog in the yard."}
    assert client.submit(f"/properties/{place}/edit", form).status_code == 302

    assert place_of(admin, place) == before


def test_placing_the_pin_by_hand_takes_the_zips_zone(
    office, pool: ConnectionPool, admin: Connection, make: Factory
):
    client, tenant = office
    place = add_property(admin, tenant.id, make.customer(tenant.id), "85004")
    admin.execute("update public.properties set geocode_status = 'failed' where id = %s", [place])

    response = client.submit(
        f"/properties/{place}/pin", {"latitude": " 33.4484367 ", "longitude": "\u2212112.074037"}
    )

    assert response.status_code == 302
    assert place_of(admin, place) | {"geocoded_at": None} == {
        "status": "done",
        "latitude": Decimal("33.448437"),
        "longitude": Decimal("-112.074037"),
        "time_zone": "America/Phoenix",
        "failure": None,
        "attempts": 0,
        "retry_at": None,
        "geocoded_at": None,
    }
    assert "placed on the map by hand" in html(client.get(f"/properties/{place}"))


def test_a_pin_abroad_takes_the_companys_zone(office, admin: Connection, make: Factory):
    client, tenant = office
    admin.execute(
        "update public.tenants set time_zone = 'America/Denver' where id = %s", [tenant.id]
    )
    place = add_property(admin, tenant.id, make.customer(tenant.id), "T2P 1J9", country="CA")

    response = client.submit(
        f"/properties/{place}/pin", {"latitude": "51.0447", "longitude": "-114.0719"}
    )

    assert response.status_code == 302
    assert place_of(admin, place)["time_zone"] == "America/Denver"


@pytest.mark.parametrize(
    ("latitude", "longitude", "message"),
    [
        ("", "-71.7", "Enter the latitude, like 42.2848."),
        ("42.28", "", "Enter the longitude, like -71.7205."),
        ("91", "-71.7", "Enter a latitude between -90 and 90."),
        ("42.28", "-180.5", "Enter a longitude between -180 and 180."),
        ("north", "-71.7", "Enter a number in decimal degrees, like 42.2848."),
        ("NaN", "-71.7", "Enter a latitude between -90 and 90."),
        ("42.28", "Infinity", "Enter a longitude between -180 and 180."),
        ("1e400", "-71.7", "Enter a latitude between -90 and 90."),
    ],
)
def test_bad_pins_are_refused_with_a_message_and_change_nothing(
    office, pool: ConnectionPool, admin: Connection, make: Factory, latitude, longitude, message
):
    client, tenant = office
    place = add_property(admin, tenant.id, make.customer(tenant.id), "99999")
    sweep(pool)
    before = place_of(admin, place)

    response = client.submit(
        f"/properties/{place}/pin", {"latitude": latitude, "longitude": longitude}
    )

    assert response.status_code == 422
    assert message in html(response)
    assert '<details class="pin" open>' in html(response)
    assert place_of(admin, place) == before


@pytest.mark.promise("P-02")
def test_a_technician_cannot_place_a_pin(app, admin: Connection, make: Factory):
    tenant = make.tenant()
    place = add_property(admin, tenant.id, make.customer(tenant.id), "99999")
    tech: Client = app.test_client()
    tech.sign_in(make.member(tenant.id, "technician").email)

    response = tech.submit(f"/properties/{place}/pin", {"latitude": "42", "longitude": "-71"})

    assert response.status_code == 403
    assert place_of(admin, place)["status"] == "pending"
