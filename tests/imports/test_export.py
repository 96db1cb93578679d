"""CSV exports: the company's rows and nothing else, access notes left out, each export in the
access log (P-07)."""

from __future__ import annotations

import csv
import io

import pytest

from app.csv_export import cell
from tests.imports.support import text


def rows_of(response) -> list[list[str]]:
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:], newline="")))


def exports(admin, tenant_id) -> list[dict]:
    return admin.execute(
        "select table_name, row_key, operation, new_values, actor_id from audit.changes"
        " where tenant_id = %s and operation = 'access' order by id",
        [tenant_id],
    ).fetchall()


@pytest.fixture
def records(make, company):
    """Two customers with a property and a furnace in the company, and one elsewhere."""
    ada = make.customer(
        company.id, "Ada", "Lovelace", email="ada@example.com", phone="+13125550100"
    )
    make.customer(company.id, "=HYPERLINK(1)", "Evil")
    home = make.property(company.id, ada, street="1 Analytical Way", city="London")
    make.conn.execute(
        "update public.properties set access_notes_encrypted = 'SECRET-CIPHERTEXT' where id = %s",
        [home],
    )
    make.equipment(company.id, home, kind="furnace")
    other = make.tenant("Beta Boilers")
    make.property(other.id, make.customer(other.id, "Olive", "Outsider"), street="9 Elsewhere")
    return ada, home


@pytest.mark.promise("P-07")
def test_customer_export_lists_the_companys_customers_and_is_recorded(
    office, admin, company, records
):
    response = office.get("/customers/export.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="customers-')
    rows = rows_of(response)
    assert rows[0][:6] == ["First name", "Last name", "Company", "Type", "Email", "Phone"]
    assert [r[:6] for r in rows[1:]] == [
        ["'=HYPERLINK(1)", "Evil", "", "residential", "", ""],
        ["Ada", "Lovelace", "", "residential", "ada@example.com", "+13125550100"],
    ]
    assert "Outsider" not in text(response)
    assert exports(admin, company.id) == [
        {
            "table_name": "public.customers",
            "row_key": "export",
            "operation": "access",
            "new_values": {"rows": 2, "format": "csv"},
            "actor_id": company.owner.account_id,
        }
    ]


@pytest.mark.promise("P-07")
def test_property_export_names_the_customer_and_leaves_access_notes_out(
    office, admin, company, records
):
    ada, home = records

    response = office.get("/properties/export.csv")

    rows = rows_of(response)
    assert rows[0][:7] == ["Customer", "Label", "Street", "Unit", "City", "State", "Postal code"]
    assert [r[:7] for r in rows[1:]] == [
        ["Ada Lovelace", "", "1 Analytical Way", "", "London", "IL", "62701"]
    ]
    assert rows[1][-2:] == [str(home), str(ada)]
    assert "SECRET-CIPHERTEXT" not in text(response)
    assert not any("access" in h.lower() for h in rows[0])
    assert [e["table_name"] for e in exports(admin, company.id)] == ["public.properties"]
    assert exports(admin, company.id)[0]["new_values"]["rows"] == 1


@pytest.mark.promise("P-07")
def test_equipment_export_lists_the_companys_equipment_and_is_recorded(
    office, admin, company, records
):
    response = office.get("/equipment/export.csv")

    rows = rows_of(response)
    assert rows[0][:6] == ["Customer", "Street", "City", "Type", "Brand", "Model"]
    assert [r[:6] for r in rows[1:]] == [
        ["Ada Lovelace", "1 Analytical Way", "London", "furnace", "Carrier", ""]
    ]
    assert exports(admin, company.id)[0]["table_name"] == "public.equipment"


def test_an_empty_company_exports_a_header_row(office, admin, company):
    rows = rows_of(office.get("/customers/export.csv"))

    assert len(rows) == 1
    assert exports(admin, company.id)[0]["new_values"] == {"rows": 0, "format": "csv"}


def test_cells_a_spreadsheet_would_run_as_formulas_are_neutralized():
    assert cell("=1+1") == "'=1+1"
    assert cell("@SUM(A1)") == "'@SUM(A1)"
    assert cell("-2+3") == "'-2+3"
    assert cell("+13125550100") == "+13125550100"  # a phone stays a phone
    assert cell("-12.5") == "-12.5"
    assert cell(True) == "yes"
    assert cell(None) == ""


@pytest.fixture
def imported(make, company):
    """A customer as an import leaves them: a work number with its extension, other numbers and
    emails, a billing address, "do not service", the old system's id; and a contact person with
    numbers and an email of their own."""
    dana = make.customer(company.id, "Dana", "Reyes", phone="+12175550140")
    make.conn.execute(
        "update public.customers set phone_kind = 'work', phone_extension = '204',"
        " billing_address = 'PO Box 12, Springfield, IL 62701', do_not_service = true,"
        " source_system = 'jobber', source_id = '123' where id = %s",
        [dana],
    )
    contact = make.contact(company.id, dana, "Morgan Manager")
    make.conn.execute(
        "update public.customer_contacts set title = 'Site manager', email = 'morgan@example.com',"
        " phone = '+12175550150', phone_kind = 'mobile' where id = %s",
        [contact],
    )
    for contact_id, kind, number, extension in (
        (None, "home", "+12175550142", ""),
        (None, "work", "+12175550143", "12"),
        (contact, "work", "+12175550151", "7"),
    ):
        make.conn.execute(
            "insert into public.customer_phones (tenant_id, customer_id, contact_id, kind,"
            " number, extension) values (%s, %s, %s, %s, %s, %s)",
            [company.id, dana, contact_id, kind, number, extension],
        )
    for contact_id, kind, email in (
        (None, "work", "dana.work@example.com"),
        (None, "personal", "dana@home.example"),
        (contact, "work", "m.manager@example.com"),
    ):
        make.conn.execute(
            "insert into public.customer_emails (tenant_id, customer_id, contact_id, kind, email)"
            " values (%s, %s, %s, %s, %s)",
            [company.id, dana, contact_id, kind, email],
        )
    other = make.tenant("Beta Boilers")
    make.contact(other.id, make.customer(other.id, "Olive", "Outsider"), "Otto Outsider")
    return dana, contact


def test_the_customer_export_ends_with_what_imports_bring(office, company, imported):
    dana, _contact = imported

    rows = rows_of(office.get("/customers/export.csv"))

    header = rows[0]
    assert header[:17][-1] == "ID"  # the columns before stay where they were
    assert header[17:] == [
        "Phone type",
        "Phone extension",
        "Other phones",
        "Other emails",
        "Billing address",
        "Do not service",
        "Source system",
        "Source ID",
    ]
    (row,) = rows[1:]
    assert row[16] == str(dana)
    assert row[17:] == [
        "work",
        "204",
        "home: (217) 555-0142; work: (217) 555-0143 x12",
        "work: dana.work@example.com; personal: dana@home.example",
        "PO Box 12, Springfield, IL 62701",
        "yes",
        "jobber",
        "123",
    ]


@pytest.mark.promise("P-07")
def test_the_contacts_export_lists_each_contact_person_with_their_numbers_and_is_recorded(
    office, admin, company, imported
):
    dana, contact = imported

    response = office.get("/contacts/export.csv")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="contacts-')
    rows = rows_of(response)
    assert rows == [
        [
            "Customer",
            "Customer ID",
            "Name",
            "Title",
            "Email",
            "Phone",
            "Phone type",
            "Phone extension",
            "Other phones",
            "Other emails",
            "ID",
        ],
        [
            "Dana Reyes",
            str(dana),
            "Morgan Manager",
            "Site manager",
            "morgan@example.com",
            "+12175550150",
            "mobile",
            "",
            "work: (217) 555-0151 x7",
            "work: m.manager@example.com",
            str(contact),
        ],
    ]
    assert "Outsider" not in text(response)
    assert [(e["table_name"], e["new_values"]) for e in exports(admin, company.id)] == [
        ("public.customer_contacts", {"rows": 1, "format": "csv"})
    ]


def test_the_import_page_links_the_contacts_export(office):
    page = text(office.get("/customers/import"))

    assert 'href="/contacts/export.csv"' in page
