"""Recognising the exports of the systems companies leave by their headers, and the mapping each
brings (app.imports.sources); the guessed mapping for other files (app.imports.fields)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.imports import customer_fields, fields, reading, sources
from app.imports.export import EXPORTS

FILES = Path(__file__).parent / "files"
EXPECTED: dict[str, dict[str, Any]] = json.loads((FILES / "expected.json").read_text())["files"]


def headers_of(name: str) -> list[str]:
    stored = reading.read_upload((FILES / name).read_bytes(), name)
    return reading.read_stored(stored.text, stored.delimiter, stored.encoding).headers


def mapped(preset: sources.Preset, headers: list[str]) -> dict[str, str]:
    return dict(zip(headers, sources.mapping_for(preset, headers), strict=True))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fixture_is_recognised_as_its_source(name: str) -> None:
    preset = sources.detect(headers_of(name))
    assert (preset.key if preset else None) == EXPECTED[name]["preset"]


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if EXPECTED[n]["preset"] is None))
def test_files_of_no_source_get_the_guessed_mapping(name: str) -> None:
    headers = headers_of(name)
    guessed = fields.guess_mapping(headers, customer_fields.TARGETS, customer_fields.SYNONYMS)
    assert guessed == EXPECTED[name]["mapping"]


@pytest.mark.parametrize(
    "headers",
    [
        ["Name", "Phone", "Email", "Address"],
        ["First Name", "Last Name", "Company", "Email", "Phone", "Street", "City", "State", "Zip"],
        ["Customer", "Phone", "Email", "Notes"],
        ["Customer ID", "Name", "Phone"],
        ["Name", "Email", "Mobile Phone", "Home Phone"],
        ["Customer Name", "Address", "City", "State", "Zip", "Tags"],
    ],
)
def test_a_generic_sheet_is_not_taken_for_a_source(headers: list[str]) -> None:
    assert sources.detect(headers) is None


def test_every_preset_maps_to_targets_of_its_kind() -> None:
    for preset in sources.PRESETS:
        if preset.kind == "customers":
            assert set(preset.columns.values()) <= set(customer_fields.TARGETS), preset.key
        assert preset.signature, preset.key
    assert len({preset.key for preset in sources.PRESETS}) == len(sources.PRESETS)


def test_quickbooks_online_customer_list() -> None:
    headers = headers_of("qbo_customers.csv")
    mapping = mapped(sources.QBO_CUSTOMERS, headers)
    assert mapping["Customer"] == "full_name"
    assert mapping["Company name"] == "company_name"
    assert mapping["Mobile"] == "phone_mobile"
    assert mapping["Fax"] == "phone_fax"
    assert mapping["Billing ZIP"] == "billing_postal_code"
    assert mapping["Shipping street"] == "street"  # the service address
    assert mapping["Open balance"] == ""  # balances come with their own import
    assert sources.QBO_CUSTOMERS.source_system == "quickbooks_online"


def test_quickbooks_online_one_cell_addresses() -> None:
    headers = [
        "Customer",
        "Company name",
        "Email",
        "Phone",
        "Billing address",
        "Shipping address",
        "Open balance",
    ]
    assert sources.detect(headers) is sources.QBO_CUSTOMERS
    assert sources.mapping_for(sources.QBO_CUSTOMERS, headers) == [
        "full_name",
        "company_name",
        "email",
        "phone",
        "billing_address",
        "address",
        "",
    ]


def test_quickbooks_online_contact_list() -> None:
    mapping = mapped(sources.QBO_CONTACT_LIST, headers_of("qbo_contact_list.csv"))
    assert mapping == {
        "Customer": "full_name",
        "Phone Numbers": "phone",
        "Email": "email",
        "Full Name": "contact_name",
        "Billing Address": "billing_address",
        "Shipping Address": "address",
    }


def test_quickbooks_desktop_address_lines_and_blank_section_column() -> None:
    headers = headers_of("qbd_customers.csv")
    mapping = sources.mapping_for(sources.QBD_CUSTOMERS, headers)
    assert mapping[0] == ""  # the section column
    named = dict(zip(headers, mapping, strict=True))
    assert [named[f"Bill to {n}"] for n in range(1, 6)] == ["billing_address"] * 5
    assert [named[f"Ship to {n}"] for n in range(1, 6)] == ["address"] * 5
    assert named["Customer"] == "full_name"  # "Lee, Ann:Lake house" names the parent
    assert named["Mr./Ms./..."] == "honorific"
    assert named["M.I."] == "middle_name"
    assert named["Alt. Phone"] == "phone_other"
    assert named["CC Email"] == "email_other"
    assert named["Balance Total"] == named["Job Status"] == named["Active Status"] == ""


def test_housecall_pro_rows_per_address() -> None:
    mapping = mapped(sources.HOUSECALL_PRO, headers_of("housecall_pro.csv"))
    assert mapping["Customer ID"] == "source_id"
    assert mapping["Address"] == "street"
    assert mapping["Address Unit"] == "unit"
    assert mapping["Home Number"] == "phone_home"
    assert mapping["Work Number"] == "phone_work"
    assert mapping["Additional Emails"] == "email_other"
    assert mapping["Created At"] == ""


def test_jobber_clients() -> None:
    mapping = mapped(sources.JOBBER, headers_of("jobber_clients.csv"))
    assert mapping["J-ID"] == "source_id"
    assert mapping["Title"] == "honorific"
    assert mapping["Is company?"] == "customer_type"
    assert mapping["Billing street 1"] == "billing_street"
    assert mapping["Service property street 1"] == "street"
    assert mapping["Archived"] == ""
    assert (
        sources.detect(["Client ID", "Display name", "Client type", "Main phone"]) is sources.JOBBER
    )


def test_servicetitan_customers_and_locations_are_told_apart() -> None:
    customers = headers_of("servicetitan_customers.csv")
    locations = headers_of("servicetitan_locations.csv")
    assert sources.detect(customers) is sources.SERVICETITAN_CUSTOMERS
    assert sources.detect(locations) is sources.SERVICETITAN_LOCATIONS
    assert sources.detect([*customers, "Location ID", "Location Name"]) is (
        sources.SERVICETITAN_LOCATIONS
    )
    mapping = mapped(sources.SERVICETITAN_CUSTOMERS, customers)
    assert mapping["Do Not Service"] == "do_not_service"
    assert mapping["Do Not Mail"] == ""  # marketing mail only
    assert mapping["Type"] == "customer_type"
    location = mapped(sources.SERVICETITAN_LOCATIONS, locations)
    assert location["Location ID"] == "location_id"
    assert location["Location Name"] == "location_name"
    assert location["Customer ID"] == "source_id"
    # one system: a locations file updates the customers a customers file brought
    assert sources.SERVICETITAN_LOCATIONS.source_system == (
        sources.SERVICETITAN_CUSTOMERS.source_system
    )


def test_google_contacts_numbered_columns_and_split_address() -> None:
    headers = headers_of("google_contacts.csv")
    mapping = mapped(sources.GOOGLE_CONTACTS, headers)
    assert mapping["Phone 1 - Label"] == mapping["Phone 2 - Label"] == "phone_label"
    assert mapping["Phone 1 - Value"] == mapping["Phone 2 - Value"] == "phone"
    assert mapping["E-mail 2 - Value"] == "email"
    assert mapping["Labels"] == "tags"
    assert mapping["Name Prefix"] == "honorific"
    assert mapping["Organization Title"] == "contact_title"
    # both the formatted cell and the split columns: the split columns are used
    assert mapping["Address 1 - Formatted"] == ""
    assert mapping["Address 1 - Street"] == "street"
    assert mapping["Address 1 - Postal Code"] == "postal_code"
    # a file with the formatted cell only takes it
    only_formatted = [
        "First Name",
        "Last Name",
        "Labels",
        "E-mail 1 - Value",
        "Phone 4 - Value",
        "Address 1 - Formatted",
    ]
    assert sources.detect(only_formatted) is sources.GOOGLE_CONTACTS
    assert sources.mapping_for(sources.GOOGLE_CONTACTS, only_formatted) == [
        "first_name",
        "last_name",
        "tags",
        "email",
        "phone",
        "address",
    ]


def test_outlook_assistant_phone_is_never_the_customers() -> None:
    mapping = mapped(sources.OUTLOOK, headers_of("outlook_contacts.csv"))
    assert mapping["Assistant's Phone"] == ""
    assert mapping["Business Phone"] == mapping["Business Phone 2"] == "phone_work"
    assert mapping["Home Phone"] == "phone_home"
    assert mapping["Mobile Phone"] == "phone_mobile"
    assert mapping["Business Fax"] == "phone_fax"
    assert mapping["Home Street"] == "street"
    assert mapping["Business Street"] == "billing_street"
    assert mapping["Categories"] == "tags"
    assert mapping["E-mail Display Name"] == ""


def test_plenum_exports_are_recognised_from_their_own_headers() -> None:
    added = [
        "Phone type",
        "Phone extension",
        "Other phones",
        "Other emails",
        "Billing address",
        "Do not service",
        "Source system",
        "Source ID",
    ]  # at the end, as issue 16 adds them
    customers = [*EXPORTS["customers"].header]
    customers += [header for header in added if header not in customers]
    assert sources.detect(customers) is sources.PLENUM_CUSTOMERS
    mapping = mapped(sources.PLENUM_CUSTOMERS, customers)
    assert mapping["ID"] == "source_id"
    assert mapping["Other phones"] == "phone_other"
    assert mapping["Do not service"] == "do_not_service"
    assert mapping["Marketing consent"] == ""
    properties = list(EXPORTS["properties"].header)
    assert sources.detect(properties) is sources.PLENUM_PROPERTIES
    mapping = mapped(sources.PLENUM_PROPERTIES, properties)
    assert (mapping["Customer ID"], mapping["ID"], mapping["Label"]) == (
        "source_id",
        "location_id",
        "location_name",
    )
    assert mapping["Customer"] == ""
    equipment = sources.detect(list(EXPORTS["equipment"].header))
    assert equipment is sources.PLENUM_EQUIPMENT
    assert equipment.kind == "equipment"


def test_guessing_takes_many_columns_for_phones_and_one_for_the_rest() -> None:
    headers = [
        "Name",
        "Full name",
        "Mobile",
        "Home Phone",
        "Home Phone 2",
        "Business Phone",
        "Assistant's Phone",
        "Fax",
        "E-mail Address",
        "Email 2",
        "Bill to 1",
        "Bill to 2",
        "J-ID",
        "Is company?",
        "Do not service",
        "Labels",
        "Customer since",
        "Do Not Mail",
    ]
    guessed = fields.guess_mapping(headers, customer_fields.TARGETS, customer_fields.SYNONYMS)
    assert dict(zip(headers, guessed, strict=True)) == {
        "Name": "full_name",
        "Full name": "",  # a field of one column: its first column only
        "Mobile": "phone_mobile",
        "Home Phone": "phone_home",
        "Home Phone 2": "phone_home",
        "Business Phone": "phone_work",
        "Assistant's Phone": "",
        "Fax": "phone_fax",
        "E-mail Address": "email",
        "Email 2": "email",
        "Bill to 1": "billing_address",
        "Bill to 2": "billing_address",
        "J-ID": "source_id",
        "Is company?": "customer_type",
        "Do not service": "do_not_service",
        "Labels": "tags",
        "Customer since": "",
        "Do Not Mail": "",
    }


def test_guessing_offers_only_the_kinds_targets() -> None:
    targets = {"": customer_fields.TARGETS[""], "email": customer_fields.TARGETS["email"]}
    assert fields.guess_mapping(["Name", "Email"], targets, customer_fields.SYNONYMS) == [
        "",
        "email",
    ]
