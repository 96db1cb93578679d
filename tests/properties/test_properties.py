"""Adding, showing, changing and deleting a customer's properties."""

from __future__ import annotations

from urllib.parse import quote_plus

from tests.factories import Factory
from tests.properties.support import PROPERTY_FORM, html, properties_of, stored_property


def test_office_adds_a_property_that_waits_for_geocoding(client, admin, make: Factory):
    tenant = make.tenant()
    customer = make.customer(tenant.id, "Dana", "Reyes")
    client.sign_in(tenant.owner.email)

    form = client.get(f"/customers/{customer}/properties/new")
    response = client.submit(f"/customers/{customer}/properties/new", PROPERTY_FORM)

    assert form.status_code == 200
    assert "A service location of Dana Reyes." in html(form)
    assert response.status_code == 302
    [saved] = properties_of(admin, customer)
    assert response.headers["Location"] == f"/properties/{saved['id']}"
    assert (saved["street"], saved["city"], saved["postal_code"]) == (
        "12 Oak Ave",
        "Springfield",
        "62701",
    )
    assert saved["square_feet"] == 1850  # thousands separator accepted
    assert saved["year_built"] == 1994
    assert saved["geocode_status"] == "pending"
    assert saved["latitude"] is None and saved["longitude"] is None
    page = html(client.get(response.headers["Location"]))
    assert "Property added for Dana Reyes." in page
    assert "Location:" in page and "waiting for geocoding" in page


def test_property_page_shows_address_maps_link_customer_and_empty_equipment(client, make: Factory):
    tenant = make.tenant()
    customer = make.customer(tenant.id, "Dana", "Reyes")
    place = make.property(tenant.id, customer, street="400 Main St", city="Springfield")
    client.sign_in(tenant.owner.email)

    response = client.get(f"/properties/{place}")

    page = html(response)
    assert response.status_code == 200
    assert "400 Main St" in page and "Springfield, IL 62701" in page
    query = quote_plus("400 Main St, Springfield, IL 62701, US")
    assert f'href="https://www.google.com/maps/search/?api=1&amp;query={query}"' in page
    assert f'href="/customers/{customer}"' in page
    assert "Dana Reyes" in page
    assert "No equipment recorded yet." in page
    assert "<iframe" not in page  # a link to open, never an embedded map


def test_missing_and_malformed_fields_are_named_and_nothing_is_saved(client, admin, make: Factory):
    tenant = make.tenant()
    customer = make.customer(tenant.id)
    client.sign_in(tenant.owner.email)

    response = client.submit(
        f"/customers/{customer}/properties/new",
        PROPERTY_FORM
        | {
            "street": "  ",
            "city": "",
            "postal_code": "6270",
            "country": "USA",
            "square_feet": "big",
            "year_built": "1492",
            "property_type": "castle",
        },
    )

    page = html(response)
    assert response.status_code == 422
    assert 'id="street-error">Enter the street address.' in page
    assert 'id="city-error">Enter the city.' in page
    assert 'id="country-error">Enter the 2-letter country code, like US or CA.' in page
    assert 'id="square_feet-error">Enter a whole number.' in page
    assert 'id="year_built-error">Enter a year between 1700 and ' in page
    assert 'id="property_type-error">' in page
    assert properties_of(admin, customer) == []


def test_us_postal_codes_must_be_a_zip_and_others_are_free(client, admin, make: Factory):
    tenant = make.tenant()
    customer = make.customer(tenant.id)
    client.sign_in(tenant.owner.email)
    url = f"/customers/{customer}/properties/new"

    bad_zip = client.submit(url, PROPERTY_FORM | {"postal_code": "ABCDE"})
    zip_plus_four = client.submit(url, PROPERTY_FORM | {"postal_code": "627011234"})
    canadian = client.submit(
        url, PROPERTY_FORM | {"country": "ca", "postal_code": "K1A 0B1", "region": "ON"}
    )

    assert bad_zip.status_code == 422
    assert "Enter a 5-digit ZIP code, or ZIP+4 like 62701-1234." in html(bad_zip)
    assert zip_plus_four.status_code == 302
    assert canadian.status_code == 302
    assert [(p["country"], p["postal_code"]) for p in properties_of(admin, customer)] == [
        ("US", "62701-1234"),
        ("CA", "K1A 0B1"),
    ]


def test_square_footage_out_of_range_is_refused(client, admin, make: Factory):
    tenant = make.tenant()
    customer = make.customer(tenant.id)
    client.sign_in(tenant.owner.email)

    for size in ("0", "-5", "10000001", "9" * 5000):
        response = client.submit(
            f"/customers/{customer}/properties/new", PROPERTY_FORM | {"square_feet": size}
        )
        assert response.status_code == 422, size
        assert 'id="square_feet-error">' in html(response), size
    assert properties_of(admin, customer) == []


def test_a_new_address_sends_the_property_back_to_geocoding(client, admin, make: Factory):
    tenant = make.tenant()
    place = make.property(tenant.id, make.customer(tenant.id), street="1 Old Rd")
    admin.execute(
        "update public.properties set geocode_status = 'done', latitude = 39.78,"
        " longitude = -89.65, geocoded_at = now() where id = %s",
        [place],
    )
    client.sign_in(tenant.owner.email)

    response = client.submit(f"/properties/{place}/edit", PROPERTY_FORM | {"street": "2 New Rd"})

    saved = stored_property(admin, place)
    assert response.status_code == 302
    assert saved["street"] == "2 New Rd"
    assert saved["geocode_status"] == "pending"
    assert (saved["latitude"], saved["longitude"], saved["geocoded_at"]) == (None, None, None)
    assert "waiting for geocoding" in html(client.get(f"/properties/{place}"))


def test_other_changes_keep_the_coordinates(client, admin, make: Factory):
    tenant = make.tenant()
    place = make.property(tenant.id, make.customer(tenant.id), street="12 Oak Ave")
    admin.execute(
        "update public.properties set geocode_status = 'done', latitude = 39.78,"
        " longitude = -89.65, geocoded_at = now(), city = 'Springfield', region = 'IL',"
        " postal_code = '62701' where id = %s",
        [place],
    )
    client.sign_in(tenant.owner.email)

    response = client.submit(
        f"/properties/{place}/edit", PROPERTY_FORM | {"notes": "Side door", "label": "Rental"}
    )

    saved = stored_property(admin, place)
    assert response.status_code == 302
    assert (saved["notes"], saved["label"]) == ("Side door", "Rental")
    assert saved["geocode_status"] == "done"
    assert float(saved["latitude"]) == 39.78
    assert "waiting for geocoding" not in html(client.get(f"/properties/{place}"))


def test_edit_form_starts_from_the_stored_property(client, make: Factory):
    tenant = make.tenant()
    place = make.property(tenant.id, make.customer(tenant.id), street="77 Birch Ln")
    client.sign_in(tenant.owner.email)

    page = html(client.get(f"/properties/{place}/edit"))

    assert 'value="77 Birch Ln"' in page
    assert 'value="62701"' in page
    assert "Changing the address moves the property back" in page


def test_invalid_edit_changes_nothing(client, admin, make: Factory):
    tenant = make.tenant()
    place = make.property(tenant.id, make.customer(tenant.id), street="77 Birch Ln")
    before = stored_property(admin, place)
    client.sign_in(tenant.owner.email)

    response = client.submit(
        f"/properties/{place}/edit", PROPERTY_FORM | {"street": "", "notes": "changed"}
    )

    assert response.status_code == 422
    assert 'id="street-error">Enter the street address.' in html(response)
    assert stored_property(admin, place) == before


def test_deleting_a_property_asks_first_and_removes_its_equipment(client, admin, make: Factory):
    tenant = make.tenant()
    customer = make.customer(tenant.id)
    place = make.property(tenant.id, customer, street="9 Pine Ct")
    make.equipment(tenant.id, place)
    client.sign_in(tenant.owner.email)

    shown = html(client.get(f"/properties/{place}"))
    page = html(client.get(f"/properties/{place}/delete"))
    response = client.submit(f"/properties/{place}/delete")

    assert f'href="/properties/{place}/delete">Delete property…</a>' in shown
    assert "This deletes the property with its 1 piece of equipment." in page
    assert ">Delete 9 Pine Ct</button>" in page
    assert response.status_code == 302
    assert response.headers["Location"] == f"/customers/{customer}"
    assert properties_of(admin, customer) == []
    assert admin.execute("select count(*) as n from public.equipment").fetchone() == {"n": 0}
