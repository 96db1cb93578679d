"""The equipment import: each unit of an old system's equipment list on its customer's
property, with dates, kinds and ratings as those lists write them; a row naming no known
customer or property left out with the reason; a second import of the same file changes
nothing, an updated one updates the changed unit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from app.imports import cells
from app.imports.kinds import equipment
from app.imports.plan import Flag
from tests.factories import Factory, Tenant
from tests.imports import kinds_support

KIND = equipment.KIND


@pytest.fixture
def book(make: Factory, company: Tenant) -> dict[str, UUID]:
    return kinds_support.make_book(make, company)


def units(admin: Any, tenant_id: UUID) -> dict[str, dict[str, Any]]:
    found = admin.execute(
        "select property_id, kind, brand, model, serial, installed_on, warranty_ends_on, seer2,"
        " afue, hspf2, refrigerant, filter_size, notes from public.equipment"
        " where tenant_id = %(t)s",
        {"t": tenant_id},
    ).fetchall()
    return {f"{row['brand']} {row['model']}": row for row in found}


def test_dates_in_any_common_format() -> None:
    for text in (
        "2019-05-03",
        "5/3/2019",
        "05/03/19",
        "May 3 2019",
        "May 3, 2019",
        "3 May 2019",
        "43588",
        "2019-05-03 00:00:00",
        "03-May-19",
    ):
        assert str(cells.parse_date(text)) == "2019-05-03", text
    assert str(cells.parse_date("25/12/2019")) == "2019-12-25"  # cannot be month first
    for blank in ("", "n/a", "N/A", "none", "-"):
        assert cells.parse_date(blank) is None
    for bad in ("2020-13-45", "someday", "2/30/2020", "123"):
        with pytest.raises(cells.BadValue):
            cells.parse_date(bad)


def test_a_month_or_a_year_alone_is_its_first_day_flagged() -> None:
    flags: list[Flag] = []
    row = {"installed_on": "05/2019", "warranty_ends_on": "2029"}

    assert cells.date_cell(row, "installed_on", "Install date", flags) == date(2019, 5, 1)
    assert cells.date_cell(row, "warranty_ends_on", "Warranty end", flags) == date(2029, 1, 1)
    assert [f.note for f in flags] == [
        "Install date: only the month, saved as 2019-05-01.",
        "Warranty end: only the year, saved as 2029-01-01.",
    ]


def test_equipment_words_become_kinds() -> None:
    words = {
        "AC": "air_conditioner",
        "Condenser": "air_conditioner",
        "A/C": "air_conditioner",
        "Furnace": "furnace",
        "Gas furnace": "furnace",
        "HP": "heat_pump",
        "Ductless": "mini_split",
        "Water heater": "water_heater",
        "Tstat": "thermostat",
        "Thermostat": "thermostat",
        "AHU": "air_handler",
        "Air handler": "air_handler",
    }
    assert {word: cells.equipment_kind(word) for word in words} == words
    assert cells.equipment_kind("Flux capacitor") is None


def test_planning_reads_each_quirk_and_writes_nothing(pool, admin, company, book) -> None:
    found = kinds_support.plan_file(pool, company, KIND, "equipment_list.csv")

    items = kinds_support.by_line(found)
    assert sorted(items) == [2, 3, 4, 5, 7, 8]
    assert kinds_support.actions(found) == ["new"] * 6
    assert items[2].data == {
        "customer_id": items[2].data["customer_id"],
        "property_id": str(book["ann"]),
        "kind": "air_conditioner",
        "brand": "Carrier",
        "model": "24ACC636",
        "serial": "1719E12345",
        "installed_on": "2019-05-03",
        "warranty_ends_on": "2029-05-03",
        "seer2": 16.0,
        "refrigerant": "R-410A",
        "filter_size": "16x25x1",
        "notes": "Side yard",
    }
    assert items[2].label == "Air conditioner: Carrier 24ACC636 (serial 1719E12345) — Ann Lee"
    assert items[2].flags == []
    assert items[3].data["kind"] == "furnace" and items[3].data["afue"] == 96.0
    assert "warranty_ends_on" not in items[3].data  # "n/a"
    assert items[4].data["kind"] == "thermostat"
    assert items[4].data["installed_on"] == "2019-05-03"
    # lines 5 and 6: one heat pump (serials differ only in case and space), merged
    assert items[5].lines == [5, 6] and found.merged_rows == 1
    assert items[5].data["property_id"] == str(book["bob"])  # Bob's only property, by email
    assert items[5].data["installed_on"] == "2019-05-03"  # an Excel serial number
    assert items[5].data["warranty_ends_on"] == "2029-05-03"  # from line 6
    assert "seer2" not in items[5].data
    assert kinds_support.flag_notes(items[5])["seer2"] == [
        "left_out: SEER2 left out: 75.0 is not between 1 and 50."
    ]
    assert kinds_support.flag_notes(items[5])["line"] == [
        "merged: Line 6 is the same unit: merged into this one."
    ]
    assert "installed_on" not in items[7].data
    assert kinds_support.flag_notes(items[7])["installed_on"][0].startswith(
        "left_out: Install date left out:"
    )
    assert items[7].data["kind"] == "mini_split" and items[7].data["seer2"] == 22.0
    assert items[8].data["kind"] == "other"
    assert kinds_support.flag_notes(items[8])["kind"] == [
        "left_out: 'Flux capacitor' is not a kind of equipment we know: left out.",
        "note: No equipment type: saved as Other.",
    ]
    assert kinds_support.left_out(found) == {
        9: "The customer has no property at '99 Nowhere Rd'.",
        10: "No customer matches 'Erin Nobody': import the customers first.",
        11: "2 customers have this name; add their id.",
    }
    assert admin.execute("select count(*) as n from public.equipment").fetchone()["n"] == 0


def test_applying_creates_the_units_and_a_second_import_changes_nothing(
    pool, admin, company, book
) -> None:
    found = kinds_support.plan_file(pool, company, KIND, "equipment_list.csv")
    written = kinds_support.applied(pool, company, KIND, found)

    assert [w.action for w in written] == ["created"] * 6
    assert {w.table for w in written} == {"public.equipment"}
    saved = units(admin, company.id)
    assert sorted(saved) == [
        "Carrier 24ACC636",
        "Carrier 59SC5A060",
        "DeLorean DMC-12",
        "Ecobee EB-STATE5-01",
        "Mitsubishi MSZ-GL12NA",
        "Trane 4TWR6036",
    ]
    heat_pump = saved["Trane 4TWR6036"]
    assert (heat_pump["kind"], heat_pump["serial"], heat_pump["seer2"]) == (
        "heat_pump",
        "xyz 123",
        None,
    )
    assert heat_pump["property_id"] == book["bob"]
    assert saved["Carrier 59SC5A060"]["afue"] == Decimal("96.0")

    again = kinds_support.plan_file(pool, company, KIND, "equipment_list.csv")
    assert kinds_support.actions(again) == ["unchanged"] * 6
    assert kinds_support.applied(pool, company, KIND, again) == []


def test_an_updated_file_updates_the_changed_unit_only(pool, admin, company, book) -> None:
    kinds_support.applied(
        pool, company, KIND, kinds_support.plan_file(pool, company, KIND, "equipment_list.csv")
    )
    before = units(admin, company.id)["Carrier 24ACC636"]

    found = kinds_support.plan_file(pool, company, KIND, "equipment_list_updated.csv")

    items = kinds_support.by_line(found)
    assert (items[2].action, items[2].data["changed"]) == ("update", ["filter_size"])
    assert items[3].action == "unchanged"
    written = kinds_support.applied(pool, company, KIND, found)
    assert [(w.action, w.row_id) for w in written] == [("updated", items[2].target_id)]
    assert written[0].before is not None and written[0].before["filter_size"] == "16x25x1"
    after = units(admin, company.id)["Carrier 24ACC636"]
    # the file's blanks (install date, notes…) keep what the unit had
    assert after == before | {"filter_size": "20x25x1"}


def test_a_unit_without_serial_matches_by_type_brand_and_model(pool, admin, make, company, book):
    admin.execute(
        "insert into public.equipment (tenant_id, property_id, kind, brand, model)"
        " values (%(t)s, %(p)s, 'furnace', 'Carrier', '59SC5A060')",
        {"t": company.id, "p": book["ann"]},
    )
    other = make.equipment(company.id, book["ann"], "boiler")  # another unit, untouched
    text = (
        "Customer,Service Address,Type,Make,Model,Serial,Install Date\n"
        "Ann Lee,12 Elm St.,Furnace,carrier,59sc5a060,2219A67890,2019-05-03\n"
    )

    found = kinds_support.planned(pool, company, KIND, text)

    assert kinds_support.actions(found) == ["update"]
    assert found.items[0].data["changed"] == ["serial", "installed_on"]
    kinds_support.applied(pool, company, KIND, found)
    saved = units(admin, company.id)
    assert saved["Carrier 59SC5A060"]["serial"] == "2219A67890"
    assert saved["Carrier "]["kind"] == "boiler"
    assert len(saved) == 2 and other


def test_a_row_with_several_properties_needs_the_street(pool, company, book) -> None:
    text = "Customer,Type,Make,Model\nAnn Lee,AC,Carrier,24ACC636\n"

    found = kinds_support.planned(pool, company, KIND, text)

    assert found.items == []
    assert kinds_support.left_out(found) == {
        2: "The customer has several properties: add the street."
    }


def test_a_location_id_of_the_old_system_names_customer_and_property(
    pool, admin, company, book
) -> None:
    admin.execute(
        "update public.properties set source_id = 'LOC-88' where id = %(p)s",
        {"p": book["ann_cabin"]},
    )
    text = "Location ID,Type,Make,Model,Serial\nLOC-88,Boiler,Weil-McLain,CGa-4,W-77\n"

    found = kinds_support.planned(pool, company, KIND, text)

    assert found.left_out == []
    assert found.items[0].data["property_id"] == str(book["ann_cabin"])
    assert found.items[0].label == "Boiler: Weil-McLain CGa-4 (serial W-77) — Ann Lee"


def test_an_equipment_list_imported_and_undone_by_the_engine(pool, admin, company, book):
    def imported() -> None:
        assert len(units(admin, company.id)) == 6

    refused = kinds_support.import_and_undo(
        admin, pool, company, KIND, "equipment_list.csv", imported
    )

    assert refused is None
    assert units(admin, company.id) == {}
