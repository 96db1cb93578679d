"""The customers import's plan and its writing: every customer a careful person would import,
with everything the file says about them; several rows of one customer become one; the
company's customers are updated, never duplicated; the same file again changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.auth.identity import claims_for
from app.db import Connection, transaction
from app.imports import csvfile
from app.imports.kinds import KINDS
from app.imports.plan import Plan
from tests.factories import Factory, Tenant

KIND = KINDS["customers"]


@pytest.fixture
def member(pool, company: Tenant) -> Iterator[Connection]:
    """The owner's transaction with the import's actor, as the engine runs the kind."""
    claims = claims_for(company.owner.account_id, company.id) | {"actor": "system:import"}
    with transaction(pool, claims) as conn:
        yield conn


def plan(
    conn: Connection, company: Tenant, mapping: list[str], *lines: str, **options: Any
) -> Plan:
    _, records = csvfile.read("header\n" + "\n".join(lines) + "\n", ",")
    return KIND.plan(conn, company.id, records, mapping, {"source_system": "file"} | options)


def run(conn: Connection, company: Tenant, found: Plan) -> None:
    KIND.apply(conn, company.id, found.items)


def notes(found: Plan) -> list[tuple[str, str, str]]:
    return [(f.field, f.kind, f.note) for item in found.items for f in item.flags]


def count(conn: Connection, table: str) -> int:
    row = conn.execute(f"select count(*) as n from public.{table}").fetchone()  # noqa: S608
    assert row is not None
    return int(row["n"])


NAME_PHONE_EMAIL = ["full_name", "phone_mobile", "phone_home", "email"]


def test_a_business_is_the_company_never_first_and_last(member, company):
    found = plan(member, company, ["full_name"], '"Riverside Dental Group, P.C."')

    [item] = found.items
    assert item.label == "Riverside Dental Group, P.C."
    assert (item.data["kind"], item.data["company_name"]) == ("commercial", item.label)
    assert (item.data["first_name"], item.data["last_name"]) == ("", "")


def test_titles_and_suffixes_are_kept_apart(member, company):
    found = plan(member, company, ["full_name"], "Mrs. Jane Doe", '"Smith Jr., John"')

    assert [(i.data["first_name"], i.data["last_name"]) for i in found.items] == [
        ("Jane", "Doe"),
        ("John", "Smith Jr."),
    ]
    assert ("first_name", "repaired", "Title Mrs. kept out of the first name.") in notes(found)


def test_a_company_row_with_a_person_makes_the_person_its_contact(member, company):
    mapping = ["first_name", "last_name", "company_name", "customer_type", "email"]
    found = plan(member, company, mapping, "Dana,Reyes,Oak Street Offices,Business,dr@example.com")

    [item] = found.items
    assert (item.label, item.data["kind"]) == ("Oak Street Offices", "commercial")
    assert [c["full_name"] for c in item.data["contacts"]] == ["Dana Reyes"]


def test_every_phone_column_is_kept_with_its_kind_and_extension(member, company):
    mapping = ["full_name", "phone_home", "phone_label", "phone", "phone_work", "phone_extension"]
    found = plan(
        member,
        company,
        mapping,
        "Ann Lee,(217) 555-0142,Mobile,217-555-0199,217-555-0150,204",
    )

    [item] = found.items
    # the primary is the first mobile; the others are kept, each with its kind
    assert (item.data["phone"], item.data["phone_kind"]) == ("+12175550199", "mobile")
    assert item.data["phones"] == [
        {"number": "+12175550142", "kind": "home", "extension": "204"},
        {"number": "+12175550150", "kind": "work", "extension": ""},
    ]


def test_one_bad_value_never_drops_the_customer(member, company):
    found = plan(member, company, NAME_PHONE_EMAIL, "Ann Lee,555-0142,(217) 555-0142,ann@@example")

    [item] = found.items
    assert item.label == "Ann Lee"
    assert (item.data["phone"], item.data["email"]) == ("+12175550142", "")
    assert ("phone_mobile", "left_out", "555-0142 has no area code: left out.") in notes(found)
    assert ("email", "left_out", "'ann@@example' is not a valid email address: left out.") in notes(
        found
    )


def test_the_office_area_code_completes_seven_digit_numbers_when_chosen(member, company):
    found = plan(member, company, NAME_PHONE_EMAIL, "Ann Lee,555-0142,,", area_code="217")

    assert found.items[0].data["phone"] == "+12175550142"
    assert ("phone", "repaired", "Area code 217 added from the office's setting.") in notes(found)


def test_only_rows_without_a_name_or_company_are_left_out(member, company):
    found = plan(member, company, NAME_PHONE_EMAIL, ",217-555-0142,,x@example.com", "Bo Diaz,,,")

    assert [i.label for i in found.items] == ["Bo Diaz"]
    assert [(o.line, o.reason) for o in found.left_out] == [(2, "No name or company")]


def test_rows_with_one_customer_id_are_one_customer_with_two_properties(member, company):
    mapping = ["source_id", "full_name", "street", "city", "region", "postal_code", "phone"]
    found = plan(
        member,
        company,
        mapping,
        "C-7,Ann Lee,12 Elm St,Grafton,MA,1545,217-555-0142",
        "C-7,Ann Lee,40 Shore Rd,Gloucester,MA,01930,(217) 555-0142",
        "C-7,,12 Elm Street,Grafton,MA,01545,217-555-0188",
    )

    [item] = found.items
    assert item.lines == [2, 3, 4]
    assert [p["street"] for p in item.data["properties"]] == ["12 Elm St", "40 Shore Rd"]
    assert item.data["properties"][0]["postal_code"] == "01545"
    assert [p["number"] for p in item.data["phones"]] == ["+12175550188"]
    assert found.merged_rows == 2
    assert ("", "merged", "Lines 2 and 3 are one customer (same customer ID).") in notes(found)
    assert (
        "properties[0].postal_code",
        "repaired",
        "Leading zero restored: MA ZIPs start with 0.",
    ) in notes(found)


def test_a_quickbooks_job_adds_its_address_to_the_parent_or_is_left_out(member, company):
    mapping = ["full_name", "street", "city", "region", "postal_code"]
    found = plan(
        member,
        company,
        mapping,
        '"Smith, John",12 Elm St,Springfield,IL,62701',
        '"Smith, John:Kitchen",12 Elm St,Springfield,IL,62701',
        '"Smith, John:Lake house",9 Bay Rd,Havana,IL,62644',
    )

    [item] = found.items
    assert item.label == "John Smith"
    assert [(p["street"], p["label"]) for p in item.data["properties"]] == [
        ("12 Elm St", ""),
        ("9 Bay Rd", "Lake house"),
    ]
    assert [(o.line, o.reason) for o in found.left_out] == [
        (3, "QuickBooks job of John Smith: nothing new")
    ]


def test_same_name_and_billing_address_is_one_customer(member, company):
    mapping = ["full_name", "street", "city", "billing_address"]
    found = plan(
        member,
        company,
        mapping,
        'Ann Lee,12 Elm St,Grafton,"PO Box 9, Grafton, MA 01519"',
        'Ann Lee,3 Pond Ln,Upton,"PO Box 9, Grafton, MA 01519"',
    )

    [item] = found.items
    assert [p["street"] for p in item.data["properties"]] == ["12 Elm St", "3 Pond Ln"]
    assert item.data["billing_address"] == "PO Box 9, Grafton, MA 01519"


def test_same_email_with_different_names_stays_two_customers_flagged(member, company):
    found = plan(
        member, company, NAME_PHONE_EMAIL, "Ann Lee,,,home@example.com", "Bo Lee,,,home@example.com"
    )

    assert [i.label for i in found.items] == ["Ann Lee", "Bo Lee"]
    assert (
        "email",
        "note",
        "Same as line 2 (Ann Lee): kept as two customers.",
    ) in notes(found)


def test_an_address_in_one_cell_makes_the_property(member, company):
    found = plan(
        member, company, ["full_name", "address"], 'Ann Lee,"12 Elm St\nApt 4\nWorcester, MA 1609"'
    )

    [place] = found.items[0].data["properties"]
    assert {k: place[k] for k in ("street", "unit", "city", "region", "postal_code")} == {
        "street": "12 Elm St",
        "unit": "Apt 4",
        "city": "Worcester",
        "region": "MA",
        "postal_code": "01609",
    }


FULL = [
    "source_id", "full_name", "company_name", "phone_mobile", "phone_work", "email", "street",
    "city", "region", "postal_code", "contact_name", "contact_title", "contact_phone",
    "contact_email", "tags", "notes", "do_not_service",
]  # fmt: skip
ROWS = (
    'J-1,Ann Lee,,217-555-0142,217-555-0150 x12,"ann@example.com; ann@work.example",'
    "12 Elm St,Springfield,IL,62701,,,,,vip; plan,Gate code 12,no",
    "J-2,,Riverside Dental Group,,217-555-0160,front@riverside.example,400 Main St,"
    "Springfield,IL,62704,Dana Reyes,Office manager,217-555-0161 / 555-0162,"
    "dana@riverside.example,,,yes",
)


def test_the_plan_is_written_and_the_same_file_again_changes_nothing(member, admin, company):
    found = plan(member, company, FULL, *ROWS)
    written = KIND.apply(member, company.id, found.items)

    # every row written is returned, for undo
    assert sorted((w.table, w.action) for w in written) == sorted(
        [("public.customers", "created")] * 2
        + [("public.properties", "created")] * 2
        + [("public.customer_contacts", "created")]
        + [("public.customer_phones", "created")] * 2
        + [("public.customer_emails", "created")]
    )

    assert count(member, "customers") == 2
    assert count(member, "properties") == 2
    assert count(member, "customer_contacts") == 1
    # Ann's work number and second email; Dana's second number
    assert count(member, "customer_phones") == 2
    assert count(member, "customer_emails") == 1
    ann = member.execute(
        "select phone, tags, notes, source_id from public.customers where first_name = 'Ann'"
    ).fetchone()
    assert ann == {
        "phone": "+12175550142",
        "tags": ["vip", "plan"],
        "notes": "Gate code 12",
        "source_id": "J-1",
    }
    again = plan(member, company, FULL, *ROWS)
    assert [i.action for i in again.items] == ["unchanged", "unchanged"]


def test_a_generic_file_without_ids_is_found_again_by_its_name_and_street(member, company):
    mapping = ["full_name", "street", "city", "phone"]
    found = plan(member, company, mapping, "Ann Lee,12 Elm St,Springfield,", "Bo Diaz,,,")
    run(member, company, found)

    again = plan(member, company, mapping, "Ann Lee,12 Elm St,Springfield,", "Bo Diaz,,,")
    assert [i.action for i in again.items] == ["unchanged", "unchanged"]


def test_an_updated_file_updates_only_what_changed(member, admin, company):
    run(member, company, plan(member, company, FULL, *ROWS))
    changed = ROWS[0].replace("ann@example.com", "ann@new.example").replace("62701", "62702")

    found = plan(member, company, FULL, changed, ROWS[1])

    assert [i.action for i in found.items] == ["update", "unchanged"]
    assert found.items[0].data["changes"] == {"email": "ann@new.example"}
    assert found.items[0].data["properties"] == []  # the same place, not a second one
    [moved] = found.items[0].data["property_changes"]
    assert moved["changes"] == {"postal_code": "62702"}
    written = KIND.apply(member, company.id, found.items)
    updates = {w.table: w for w in written if w.action == "updated"}
    assert updates.keys() == {"public.customers", "public.properties"}
    assert updates["public.customers"].before["email"] == "ann@example.com"  # type: ignore[index]
    assert updates["public.properties"].before["postal_code"] == "62701"  # type: ignore[index]
    row = member.execute("select email from public.customers where source_id = 'J-1'").fetchone()
    assert row == {"email": "ann@new.example"}
    place = member.execute("select postal_code from public.properties where street = '12 Elm St'")
    assert place.fetchone() == {"postal_code": "62702"}
    assert [i.action for i in plan(member, company, FULL, changed, ROWS[1]).items] == [
        "unchanged",
        "unchanged",
    ]


def test_a_customer_made_by_hand_is_only_filled_in(member, admin, make: Factory, company):
    hand = make.customer(company.id, "Annie", "Lee", email="ann@example.com")
    mapping = ["full_name", "email", "phone", "street", "city"]

    found = plan(
        member, company, mapping, "Ann Lee,ann@example.com,217-555-0142,12 Elm St,Springfield"
    )

    [item] = found.items
    assert (item.action, item.target_id) == ("update", hand)
    # the first name stays "Annie"
    assert item.data["changes"] == {"phone": "+12175550142", "phone_kind": "other"}
    run(member, company, found)
    row = member.execute(
        "select first_name, phone from public.customers where id = %(id)s", {"id": hand}
    ).fetchone()
    assert row == {"first_name": "Annie", "phone": "+12175550142"}
    assert count(member, "properties") == 1
    assert [
        i.action
        for i in plan(
            member, company, mapping, "Ann Lee,ann@example.com,217-555-0142,12 Elm St,Springfield"
        ).items
    ] == ["unchanged"]


def test_contact_people_with_their_phones_and_emails(member, company):
    mapping = ["company_name", "contact_first_name", "contact_last_name", "contact_title",
               "contact_mobile", "contact_phone", "contact_email"]  # fmt: skip
    found = plan(
        member,
        company,
        mapping,
        "Lakeview Apartments,Dana,Reyes,Property manager,217-555-0161,217-555-0170 x3,"
        '"dana@lakeview.example; office@lakeview.example"',
    )

    [item] = found.items
    assert item.data["kind"] == "commercial"
    assert item.data["contacts"] == [
        {
            "full_name": "Dana Reyes",
            "title": "Property manager",
            "email": "dana@lakeview.example",
            "phone": "+12175550161",
            "phone_kind": "mobile",
            "phone_extension": "",
            "phones": [{"number": "+12175550170", "kind": "other", "extension": "3"}],
            "emails": [{"email": "office@lakeview.example", "kind": "work"}],
        }
    ]


def test_google_labels_type_the_next_phone_and_email(member, company):
    mapping = ["full_name", "tags", "email_label", "email", "phone_label", "phone", "phone_label",
               "phone"]  # fmt: skip
    found = plan(
        member,
        company,
        mapping,
        "Ann Lee,* myContacts ::: Customers,Work,ann@work.example,Home,217-555-0142,"
        "Mobile,217-555-0199",
    )

    data = found.items[0].data
    assert (data["phone"], data["phone_kind"]) == ("+12175550199", "mobile")
    assert data["phones"] == [{"number": "+12175550142", "kind": "home", "extension": ""}]
    assert data["email"] == "ann@work.example"
    assert data["tags"] == ["Customers"]


def test_tags_notes_lead_source_and_the_yes_no_columns(member, company):
    mapping = ["full_name", "tags", "tags", "notes", "notes", "lead_source", "do_not_service",
               "do_not_contact"]  # fmt: skip
    found = plan(member, company, mapping, "Ann Lee,vip|plan,Spring,Dog in yard,Gate 12,Yelp,Y,no")

    data = found.items[0].data
    assert data["tags"] == ["vip", "plan", "Spring"]
    assert data["notes"] == "Dog in yard\nGate 12"
    assert (data["lead_source"], data["do_not_service"], data["do_not_contact"]) == (
        "Yelp",
        True,
        False,
    )


def test_the_billing_address_makes_the_property_when_there_is_no_service_address(member, company):
    mapping = [
        "full_name",
        "billing_street",
        "billing_city",
        "billing_region",
        "billing_postal_code",
    ]
    found = plan(member, company, mapping, "Ann Lee,12 Elm St,Worcester,Massachusetts,1609")

    data = found.items[0].data
    assert [(p["street"], p["region"], p["postal_code"]) for p in data["properties"]] == [
        ("12 Elm St", "MA", "01609")
    ]
    assert data["billing_address"] == ""  # the same place: not kept twice


def test_an_address_without_a_city_is_left_out_of_the_customer_and_flagged(member, company):
    found = plan(member, company, ["full_name", "street"], "Ann Lee,12 Elm St")

    [item] = found.items
    assert item.data["properties"] == []
    assert ("properties", "left_out", "The address needs a city: left out of the properties.") in (
        notes(found)
    )


def test_a_business_in_the_name_and_company_columns_has_no_contact(member, company):
    mapping = ["full_name", "company_name"]
    found = plan(
        member, company, mapping, '"Riverside Dental Group, P.C.","Riverside Dental Group, P.C."'
    )

    [item] = found.items
    assert (item.data["first_name"], item.data["last_name"], item.data["contacts"]) == ("", "", [])


def test_a_person_named_again_as_their_own_contact_is_not_a_contact(member, company):
    found = plan(member, company, ["full_name", "contact_name"], '"Lee, Ann",Mrs. Ann Lee')

    assert found.items[0].data["contacts"] == []


def test_one_customer_made_by_hand_is_updated_by_one_row_only(member, make: Factory, company):
    hand = make.customer(company.id, "Ann", "Lee", email="home@example.com")
    mapping = ["full_name", "email", "street", "city"]

    found = plan(
        member,
        company,
        mapping,
        "Ann Lee,home@example.com,12 Elm St,Springfield",
        "Bo Lee,home@example.com,12 Elm St,Springfield",
    )

    assert [(i.label, i.action, i.target_id) for i in found.items] == [
        ("Ann Lee", "update", hand),
        ("Bo Lee", "new", None),
    ]
    assert (
        "",
        "note",
        "Found as Ann Lee by email or phone: only what is empty is filled.",
    ) in notes(found)
    assert (
        "email",
        "note",
        "Same email or phone as Ann Lee, whom line 2 already updates: added as a new customer.",
    ) in notes(found)


def test_a_row_naming_only_a_contact_person_is_that_persons_customer(member, company):
    found = plan(member, company, ["full_name", "contact_name"], ",Mrs. Ann Lee")

    [item] = found.items
    assert (item.label, item.data["contacts"], found.left_out) == ("Ann Lee", [], [])
