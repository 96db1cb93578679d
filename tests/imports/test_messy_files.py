"""Real-world files through upload → mapping → preview → import, each with the exact report the
office reads, and nothing saved that the report does not say was saved."""

from __future__ import annotations

import pytest

from tests.factories import Tenant
from tests.imports.support import (
    customers,
    import_id_of,
    previewed,
    skipped_rows,
    summary,
    text,
    upload,
)


def _confirm(office, import_id: str) -> str:
    response = office.submit(f"/customers/import/{import_id}/confirm")
    assert response.status_code == 302
    return text(office.get(f"/customers/import/{import_id}"))


def test_different_column_names_are_guessed_and_a_full_name_is_split(office, admin, company):
    data = (
        b"Full Name,E-mail,Mobile,Business,Address 1,Town,Province,Zip/Postal Code,Comments\n"
        b"Grace Hopper,Grace@Example.com,312-555-0101,,1 Navy Way,Arlington,VA,22201,Gate code\n"
        b",office@acme-hvac.com,,Acme Rentals LLC,,,,,\n"
    )
    uploaded = upload(office, data)
    mapping_page = text(office.get(f"/customers/import/{import_id_of(uploaded)}/mapping"))
    for column, field in (
        ("column_0", "full_name"),
        ("column_1", "email"),
        ("column_2", "phone_mobile"),
        ("column_3", "company_name"),
        ("column_4", "street"),
        ("column_5", "city"),
        ("column_6", "region"),
        ("column_7", "postal_code"),
        ("column_8", "notes"),
    ):
        assert f'<select id="{column}" name="{column}"><option value="">' in mapping_page
        selected = f'<option selected value="{field}">'
        assert selected in mapping_page.split(f'name="{column}"')[1].split("</select>")[0]

    import_id, preview = previewed(office, data)
    assert (summary(preview)["Rows in the file"], summary(preview)["New"]) == (2, 2)
    assert summary(preview)["Will be left out"] == 0
    assert not customers(admin, company.id)  # the preview saves nothing

    result = _confirm(office, import_id)

    assert "Import finished: 2 new, 0 updated, 0 already so, 0 rows left out." in result
    assert customers(admin, company.id) == [
        {
            "first_name": "",
            "last_name": "",
            "company_name": "Acme Rentals LLC",
            "kind": "commercial",
            "email": "office@acme-hvac.com",
            "phone": "",
            "tags": [],
            "lead_source": "",
            "notes": "",
        },
        {
            "first_name": "Grace",
            "last_name": "Hopper",
            "company_name": "",
            "kind": "residential",
            "email": "grace@example.com",
            "phone": "+13125550101",
            "tags": [],
            "lead_source": "",
            "notes": "Gate code",
        },
    ]
    place = admin.execute(
        "select street, city, region, postal_code, geocode_status from public.properties"
        " where tenant_id = %s",
        [company.id],
    ).fetchall()
    assert place == [
        {
            "street": "1 Navy Way",
            "city": "Arlington",
            "region": "VA",
            "postal_code": "22201",
            "geocode_status": "pending",
        }
    ]


def test_utf8_bom_semicolons_quoted_newlines_and_blank_lines(office, admin, company):
    data = (
        "\ufeffFirst name;Last name;Phone;Notes;Tags\r\n"
        "\r\n"
        'Zoë;Müller;+49 30 901820;"Dog in yard.\r\nRing twice; side door";vip, maintenance plan\r\n'
        "\r\n"
        ";;(312) 555-0102;no name here;\r\n"
        "Ana;Peña;312 555 0103;;\r\n"
    ).encode()

    import_id, preview = previewed(office, data)

    assert (summary(preview)["New"], summary(preview)["Will be left out"]) == (2, 1)
    # Line numbers are the file's: the header is line 1, blank lines count, the quoted newline
    # makes the first customer span lines 3 and 4.
    assert skipped_rows(preview) == [(6, "No name or company")]
    result = _confirm(office, import_id)
    assert "Import finished: 2 new, 0 updated, 0 already so, 1 row left out." in result
    assert skipped_rows(result) == [(6, "No name or company")]
    rows = customers(admin, company.id)
    assert [(r["first_name"], r["last_name"], r["phone"]) for r in rows] == [
        ("Ana", "Peña", "+13125550103"),
        ("Zoë", "Müller", "+4930901820"),
    ]
    assert rows[1]["notes"] == "Dog in yard.\r\nRing twice; side door"
    assert rows[1]["tags"] == ["vip", "maintenance plan"]


def test_windows_1252_is_read_with_a_note_shown_before_anything_is_saved(office, admin, company):
    data = "Name,Phone\nJosé Núñez,312-555-0104\n".encode("cp1252")

    uploaded = upload(office, data)
    page = text(office.get(uploaded.headers["Location"]))

    assert 'id="file-notes"' in page and "Windows-1252" in page
    import_id = import_id_of(uploaded)
    office.submit(f"/customers/import/{import_id}/mapping")
    _confirm(office, import_id)
    assert [(r["first_name"], r["last_name"]) for r in customers(admin, company.id)] == [
        ("José", "Núñez")
    ]


def test_a_bad_phone_email_or_address_is_left_out_of_the_customer_not_the_customer(
    office, admin, company
):
    data = (
        b"First,Last,Phone,Email,Street,City\n"
        b"Al,One,555-12,,,\n"
        b"Bo,Two,,bo@,,\n"
        b"Cy,Three,,,9 Elm St,\n"
        b"Di,Four,call me,not-an-email,,\n"
        b"Ed,Five,312.555.0105,ed@example.com,,\n"
    )

    import_id, preview = previewed(office, data)

    counts = summary(preview)
    assert (counts["New"], counts["Will be left out"]) == (5, 0)
    assert counts["Saved with something repaired or left out"] == 4
    for shown in ("555-12", "bo@", "not-an-email", "call me", "9 Elm St"):
        assert shown in preview  # each bad value is named beside its customer
    result = _confirm(office, import_id)
    assert "Import finished: 5 new, 0 updated, 0 already so, 0 rows left out." in result
    saved = {r["first_name"]: (r["phone"], r["email"]) for r in customers(admin, company.id)}
    assert saved == {
        "Al": ("", ""),
        "Bo": ("", ""),
        "Cy": ("", ""),
        "Di": ("", ""),
        "Ed": ("+13125550105", "ed@example.com"),
    }
    assert admin.execute("select count(*) as n from public.properties").fetchone() == {"n": 0}


def test_an_existing_customer_with_the_same_email_or_phone_is_completed_not_duplicated(
    office, admin, make, company
):
    make.customer(company.id, "Existing", "Person", email="taken@example.com")
    make.customer(company.id, "Other", "Person", phone="+13125550106")
    data = (
        b"First Name,Last Name,Email,Phone\n"
        b"Existing,Person,TAKEN@example.com,(312) 555-0199\n"
        b"Other,Person,other@example.com,(312) 555-0106\n"
        b"New,Three,three@example.com,312-555-0107\n"
    )

    import_id, preview = previewed(office, data)

    counts = summary(preview)
    assert (counts["New"], counts["Updates"]) == (1, 2)
    _confirm(office, import_id)
    saved = {
        f"{r['first_name']} {r['last_name']}": (r["email"], r["phone"])
        for r in customers(admin, company.id)
    }
    assert saved == {
        "Existing Person": ("taken@example.com", "+13125550199"),
        "Other Person": ("other@example.com", "+13125550106"),
        "New Three": ("three@example.com", "+13125550107"),
    }


def test_a_customer_added_after_the_preview_is_updated_not_duplicated(office, admin, make, company):
    data = b"Name,Email\nLate Comer,late@example.com\nOn Time,ontime@example.com\n"
    import_id, preview = previewed(office, data)
    assert summary(preview)["New"] == 2
    make.customer(company.id, "Late", "Comer", email="late@example.com")

    result = _confirm(office, import_id)

    assert "Import finished: 1 new, 0 updated, 1 already so, 0 rows left out." in result
    assert len(customers(admin, company.id)) == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\n\n", "The file is empty."),
        (b"First,Last\n\n", "The file has a header row but no rows under it."),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "This file is not a spreadsheet"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(office, admin, company, data, message):
    response = upload(office, data)

    assert response.status_code == 422
    assert message in text(response)
    assert admin.execute("select count(*) as n from public.customer_imports").fetchone() == {"n": 0}


def test_a_mapping_without_a_name_column_is_refused(office, company: Tenant):
    import_id = import_id_of(upload(office, b"Name,Phone\nA B,312-555-0108\n"))

    response = office.submit(
        f"/customers/import/{import_id}/mapping", {"column_0": "", "column_1": "phone"}
    )

    assert response.status_code == 422
    assert "Choose the column (or columns) that name each record" in text(response)


def test_a_field_chosen_twice_is_refused_but_phones_may_come_from_several_columns(
    office, company: Tenant
):
    import_id = import_id_of(upload(office, b"Name,Phone,Cell,Name2\nA B,312-555-0108,,\n"))

    twice = office.submit(
        f"/customers/import/{import_id}/mapping",
        {
            "column_0": "full_name",
            "column_1": "phone",
            "column_2": "phone",
            "column_3": "full_name",
        },
    )

    assert twice.status_code == 422
    assert "one column only: Full name (split into first and last)." in text(twice)
    phones = office.submit(
        f"/customers/import/{import_id}/mapping",
        {"column_0": "full_name", "column_1": "phone", "column_2": "phone", "column_3": ""},
    )
    assert phones.status_code == 302


def test_cancelling_saves_nothing(office, admin, company):
    import_id, _ = previewed(office, b"Name\nSome One\n")

    office.submit(f"/customers/import/{import_id}/cancel")

    assert "This import was cancelled" in text(office.get(f"/customers/import/{import_id}"))
    assert office.submit(f"/customers/import/{import_id}/confirm").status_code == 302
    assert not customers(admin, company.id)
