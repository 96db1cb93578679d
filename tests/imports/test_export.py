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
