"""A cell as the value a person meant: names, businesses, phones, emails, addresses, ZIPs."""

from __future__ import annotations

import pytest

from app.imports import addresses, values
from app.imports.values import Phone


@pytest.mark.parametrize(
    ("full", "first", "last", "honorific"),
    [
        ("Smith, John", "John", "Smith", ""),
        ("Smith Jr., John", "John", "Smith Jr.", ""),
        ("John Smith, Jr.", "John", "Smith Jr.", ""),
        ("Smith, John A. III", "John A.", "Smith III", ""),
        ("Mrs. Jane Doe", "Jane", "Doe", "Mrs."),
        ("Dr John Q Public", "John Q", "Public", "Dr."),
        ("Doe, Ms. Jane", "Jane", "Doe", "Ms."),
        ("Ann Lee MD", "Ann", "Lee MD", ""),
        ("Mary Ann van der Berg", "Mary Ann", "van der Berg", ""),
        ("Cher", "", "Cher", ""),
    ],
)
def test_names_split_into_first_and_last(full, first, last, honorific):
    name, flags = values.person_name(full)

    assert (name.first, name.last, name.honorific) == (first, last, honorific)
    if honorific:
        assert [f.note for f in flags] == [f"Title {honorific} kept out of the first name."]
    else:
        assert flags == []


@pytest.mark.parametrize(
    "name",
    [
        "Riverside Dental Group, P.C.",
        "Oak Street Properties LLC",
        "Smith & Sons",
        "Baker and Sons",
        "Johnson & Johnson",
        "First Baptist Church",
        "7 Oaks HOA",
        "Acme HVAC",
        "Lee Management",
    ],
)
def test_businesses_are_recognised(name):
    assert values.looks_like_business(name)


@pytest.mark.parametrize(
    "name", ["John & Mary Smith", "Mr. & Mrs. Lee", "Jane Doe", "Smith, John", "Coco Chanel"]
)
def test_people_are_not_businesses(name):
    assert not values.looks_like_business(name)


def test_several_numbers_in_one_cell_are_each_kept_with_the_area_code_of_the_first():
    found, flags = values.phones_in("(217) 555-0142 / 555-0143", "home")

    assert found == [Phone("+12175550142", "home"), Phone("+12175550143", "home")]
    assert "Area code 217 added from the number before it." in [f.note for f in flags]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (
            "Phone: (217) 555-0142 Mobile: 217-555-0199",
            [Phone("+12175550142", "other"), Phone("+12175550199", "mobile")],
        ),
        (
            "h: 217.555.0142 w: 217 555 0143",
            [Phone("+12175550142", "home"), Phone("+12175550143", "work")],
        ),
        (
            "home: 217-555-0142; work: 217-555-0150 x12",
            [Phone("+12175550142", "home"), Phone("+12175550150", "work", "12")],
        ),
        ("(217) 555-0142 (cell)", [Phone("+12175550142", "mobile")]),
        ("217-555-0142 ext. 12", [Phone("+12175550142", "other", "12")]),
        ("217-555-0142 extension 7", [Phone("+12175550142", "other", "7")]),
        ("217-555-0142 #3", [Phone("+12175550142", "other", "3")]),
        ("217-555-0142 x204", [Phone("+12175550142", "other", "204")]),
        ("+44 20 7946 0958", [Phone("+442079460958", "other")]),
    ],
)
def test_labels_in_the_cell_set_the_kind_and_extensions_are_kept(cell, expected):
    assert values.phones_in(cell, "other")[0] == expected


@pytest.mark.parametrize("cell", ["n/a", "none", "-", "0", "000-000-0000", "unknown", "N/A"])
def test_placeholders_are_blank_and_flagged(cell):
    found, flags = values.phones_in(cell, "mobile")

    assert found == []
    assert [f.kind for f in flags] == ["repaired"]


def test_a_seven_digit_number_takes_the_office_area_code_only_when_it_opted_in():
    found, flags = values.phones_in("555-0142", "home")
    assert found == []
    assert [(f.kind, f.note) for f in flags] == [
        ("left_out", "555-0142 has no area code: left out.")
    ]

    found, flags = values.phones_in("555-0142", "home", area_code="217")
    assert found == [Phone("+12175550142", "home")]
    assert [f.note for f in flags] == ["Area code 217 added from the office's setting."]


def test_an_invalid_number_is_left_out_and_flagged():
    found, flags = values.phones_in("12345", "mobile")

    assert found == []
    assert [f.kind for f in flags] == ["left_out"]


def test_emails_are_split_lowercased_and_bad_ones_left_out():
    found, flags = values.emails_in("Ann@Example.com; mailto:bo@example.com / bad@, cy@example.org")

    assert found == ["ann@example.com", "bo@example.com", "cy@example.org"]
    assert [(f.kind, f.value) for f in flags if f.kind == "left_out"] == [("left_out", "bad@")]
    assert values.emails_in("Ann Lee <ann@example.com>")[0] == ["ann@example.com"]
    assert values.emails_in("none")[0] == []


@pytest.mark.parametrize(
    ("text", "code"),
    [("Massachusetts", "MA"), ("mass.", "MA"), ("ma", "MA"), ("New York", "NY"), ("D.C.", "DC"),
     ("Puerto Rico", "PR"), ("Ontario", "ON"), ("Québec", "QC"), ("BC", "BC")],
)  # fmt: skip
def test_states_and_provinces_by_name_or_abbreviation(text, code):
    assert addresses.region(text)[0] == code


def test_an_unknown_state_is_kept_as_written_and_flagged():
    assert addresses.region("Narnia") == (
        "Narnia",
        [values.Flag("", "Narnia", "'Narnia' is not a US state or Canadian province.", "note")],
    )


@pytest.mark.parametrize(
    ("zip_code", "region", "expected"),
    [
        ("1545", "MA", "01545"),
        ("1545-1234", "MA", "01545-1234"),
        ("01545-1234", "MA", "01545-1234"),
        ("015451234", "MA", "01545-1234"),
        ("7030", "NJ", "07030"),
        ("62701", "IL", "62701"),
        ("k1a0b1", "ON", "K1A 0B1"),
        ("62701.0", "IL", "62701"),
    ],
)
def test_zip_codes_are_repaired(zip_code, region, expected):
    assert addresses.postal_code(zip_code, region)[0] == expected


def test_a_restored_leading_zero_says_why():
    assert [f.note for f in addresses.postal_code("1545", "MA")[1]] == [
        "Leading zero restored: MA ZIPs start with 0."
    ]
    # only where the state's ZIPs start with 0: a short ZIP elsewhere is kept and flagged
    assert addresses.postal_code("6270", "IL")[0] == "6270"


def test_a_zip_in_another_state_is_flagged_never_dropped():
    value, flags = addresses.postal_code("62701", "MA")

    assert value == "62701"
    assert [f.note for f in flags] == ["ZIP 62701 is in IL, not MA: check it."]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (
            "12 Elm St\nApt 4\nWorcester, MA 1545",
            addresses.Address("12 Elm St", "Apt 4", "Worcester", "MA", "01545", "US"),
        ),
        (
            "12 Elm St #4, Grafton, Massachusetts 015451234",
            addresses.Address("12 Elm St", "#4", "Grafton", "MA", "01545-1234", "US"),
        ),
        (
            "400 Main Street, Suite 200\nNew York, New York 10001\nUSA",
            addresses.Address("400 Main Street", "Suite 200", "New York", "NY", "10001", "US"),
        ),
        (
            "45 King St W, Toronto ON M5V 2T6, Canada",
            addresses.Address("45 King St W", "", "Toronto", "ON", "M5V 2T6", "CA"),
        ),
        (
            "PO Box 12, Springfield IL 62701",
            addresses.Address("PO Box 12", "", "Springfield", "IL", "62701", "US"),
        ),
    ],
)
def test_an_address_in_one_cell(cell, expected):
    found, _ = addresses.address_in(cell)

    assert addresses.cleaned(found)[0] == expected


def test_tags_yes_no_and_placeholders():
    assert values.tags_in("* myContacts ::: Customers ::: VIP") == ["Customers", "VIP"]
    assert values.tags_in("vip; maintenance plan | vip, Spring") == [
        "vip",
        "maintenance plan",
        "Spring",
    ]
    assert [values.flag_in(c)[0] for c in ("Yes", "y", "TRUE", "1", "x", "\u2713")] == [True] * 6
    assert [values.flag_in(c)[0] for c in ("No", "", "false", "0")] == [False] * 4
    assert values.placeholder("N/A") and values.placeholder("000-000-0000")
    assert not values.placeholder("12 Elm St")
