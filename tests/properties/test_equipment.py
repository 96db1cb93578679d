"""The equipment of a property: adding, checking, changing and deleting it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import Factory
from tests.properties.support import EQUIPMENT_FORM, equipment_at, html

WARRANTY_MESSAGE = "The warranty can't end before the equipment was installed. Check both dates."


@pytest.fixture
def place(client, make: Factory):
    """A property of the signed-in owner's company."""
    tenant = make.tenant()
    client.sign_in(tenant.owner.email)
    return make.property(tenant.id, make.customer(tenant.id), street="5 Cedar Dr")


def test_office_adds_equipment_shown_with_an_empty_service_history(client, admin, place):
    form = client.get(f"/properties/{place}/equipment/new")
    response = client.submit(
        f"/properties/{place}/equipment/new",
        EQUIPMENT_FORM | {"refrigerant": "r410a", "filter_size": "16 X 25 x 1"},
    )

    assert form.status_code == 200
    assert '<option value="R-454B">' in html(form)  # suggestions, free text still allowed
    [item] = equipment_at(admin, place)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/properties/{place}#equipment-{item['id']}"
    assert (item["kind"], item["brand"], item["afue"]) == ("furnace", "Carrier", Decimal("96.0"))
    assert (item["refrigerant"], item["filter_size"]) == ("R-410A", "16x25x1")
    assert str(item["installed_on"]) == "2019-10-01"
    page = html(client.get(f"/properties/{place}"))
    assert "Furnace · Carrier" in page
    assert "Service history" in page
    assert "Completed visits will appear here." in page
    assert "No equipment recorded yet." not in page


def test_every_kind_has_a_human_label(client, place):
    page = html(client.get(f"/properties/{place}/equipment/new"))

    for label in (
        "Furnace",
        "Air conditioner",
        "Heat pump",
        "Boiler",
        "Mini-split",
        "Water heater",
        "Thermostat",
        "Air handler",
        "Humidifier",
        "Air purifier",
        "Other",
    ):
        assert f">{label}</option>" in page, label


def test_an_unlisted_refrigerant_is_kept_as_typed(client, admin, place):
    response = client.submit(
        f"/properties/{place}/equipment/new",
        EQUIPMENT_FORM | {"equipment_kind": "heat_pump", "refrigerant": "R-1234yf blend"},
    )

    assert response.status_code == 302
    assert equipment_at(admin, place)[0]["refrigerant"] == "R-1234yf blend"


def test_a_warranty_ending_before_the_install_is_refused(client, admin, place):
    response = client.submit(
        f"/properties/{place}/equipment/new",
        EQUIPMENT_FORM | {"installed_on": "2020-05-01", "warranty_ends_on": "2020-04-30"},
    )

    assert response.status_code == 422
    assert f'id="warranty_ends_on-error">{WARRANTY_MESSAGE}'.replace("'", "&#39;") in html(response)
    assert equipment_at(admin, place) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("equipment_kind", "", "Choose the type of equipment."),
        ("equipment_kind", "jet_engine", "Not a valid choice."),
        ("seer2", "51", "Enter a number from 1 to 50, like 15.2."),
        ("seer2", "NaN", "Enter a number from 1 to 50, like 15.2."),
        ("seer2", "sNaN", "Enter a number from 1 to 50, like 15.2."),
        ("afue", "101", "Enter a number from 1 to 100, like 96."),
        ("afue", "Infinity", "Enter a number from 1 to 100, like 96."),
        ("hspf2", "0.5", "Enter a number from 1 to 30, like 7.8."),
        ("hspf2", "high", "Enter a number, like 16.2."),
        ("filter_size", "big", "Enter the size as width x height x depth, like 16x25x1."),
        ("installed_on", "1850-01-01", "Enter an install date between 1900 and today."),
        ("installed_on", "yesterday", "Not a valid date value."),
        ("brand", "x" * 101, "At most 100 characters."),
    ],
)
def test_bad_values_are_named_next_to_their_field(client, admin, place, field, value, message):
    response = client.submit(f"/properties/{place}/equipment/new", EQUIPMENT_FORM | {field: value})

    assert response.status_code == 422
    assert f'id="{field}-error">{message}' in html(response)
    assert equipment_at(admin, place) == []


def test_editing_equipment_saves_changes(client, admin, make: Factory, place):
    tenant_id = admin.execute(
        "select tenant_id from public.properties where id = %s", [place]
    ).fetchone()["tenant_id"]
    item = make.equipment(tenant_id, place, kind="air_conditioner")

    form = html(client.get(f"/equipment/{item}/edit"))
    response = client.submit(
        f"/equipment/{item}/edit",
        EQUIPMENT_FORM | {"equipment_kind": "air_conditioner", "seer2": "17.4", "afue": ""},
    )

    assert '<option selected value="air_conditioner">' in form
    assert response.status_code == 302
    [saved] = equipment_at(admin, place)
    assert (saved["seer2"], saved["afue"]) == (Decimal("17.4"), None)
    assert "Carrier Air conditioner saved." in html(client.get(response.headers["Location"]))


def test_an_invalid_edit_changes_nothing(client, admin, make: Factory, place):
    tenant_id = admin.execute(
        "select tenant_id from public.properties where id = %s", [place]
    ).fetchone()["tenant_id"]
    item = make.equipment(tenant_id, place)
    before = equipment_at(admin, place)

    response = client.submit(
        f"/equipment/{item}/edit",
        EQUIPMENT_FORM | {"installed_on": "2022-01-01", "warranty_ends_on": "2021-01-01"},
    )

    assert response.status_code == 422
    assert "The warranty can" in html(response)
    assert equipment_at(admin, place) == before


def test_deleting_equipment_asks_first(client, admin, make: Factory, place):
    tenant_id = admin.execute(
        "select tenant_id from public.properties where id = %s", [place]
    ).fetchone()["tenant_id"]
    item = make.equipment(tenant_id, place, kind="boiler")

    page = html(client.get(f"/properties/{place}"))
    response = client.submit(f"/equipment/{item}/delete")

    assert ">Delete Carrier Boiler</button>" in page
    assert response.status_code == 302
    assert response.headers["Location"] == f"/properties/{place}#equipment"
    assert equipment_at(admin, place) == []
    assert "Carrier Boiler was deleted." in html(client.get(f"/properties/{place}"))
