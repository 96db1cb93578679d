"""The price book as a CSV file: exported with plain amounts and no formulas, imported back
through a preview that lists what is added, updated and unchanged and every bad row by line;
nothing is written while a row is wrong, a confirmation whose file was changed is refused, and
an export imported again changes nothing."""

from __future__ import annotations

import csv
import html
import io
import random
import re
from typing import Any
from uuid import UUID

import pytest
from werkzeug.test import TestResponse

from app import edge
from app.db import Connection
from app.pricebook import transfer_file
from tests.conftest import Client
from tests.factories import Factory, Tenant

SECRET_KEY = "test-secret"  # the tests' SECRET_KEY (tests/conftest.py, make_settings)
HEADER = [
    "kind",
    "code",
    "name",
    "description",
    "category",
    "unit",
    "price",
    "cost",
    "markup_percent",
    "member_price",
    "member_discount_percent",
    "taxable",
    "archived",
]


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def rows_of(response: TestResponse) -> list[list[str]]:
    body = text(response)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:], newline="")))


def book(admin: Connection, tenant_id: UUID) -> list[dict[str, Any]]:
    """Every item with its category, as stored (updated_at included: an unchanged item is not
    written at all)."""
    return admin.execute(
        "select i.kind, i.code, i.name, i.description, c.name as category, i.unit, i.price,"
        " i.cost, i.markup_percent, i.member_price, i.member_discount_percent, i.taxable,"
        " i.archived_at, i.updated_at from public.price_items i"
        " left join public.price_categories c on c.id = i.category_id"
        " where i.tenant_id = %s order by i.name, i.code",
        [tenant_id],
    ).fetchall()


def categories(admin: Connection, tenant_id: UUID) -> list[str]:
    rows = admin.execute(
        "select name from public.price_categories where tenant_id = %s order by name", [tenant_id]
    )
    return [row["name"] for row in rows]


def upload(client: Client, data: bytes | str, name: str = "price-book.csv") -> TestResponse:
    body = data.encode() if isinstance(data, str) else data
    return client.submit(
        "/price-book/import",
        {"file": (io.BytesIO(body), name)},
        content_type="multipart/form-data",
    )


def signed_parts(page: str) -> list[str]:
    return [html.unescape(v) for v in re.findall(r'name="book_file" value="([^"]*)"', page)]


def confirm(client: Client, parts: list[str]) -> TestResponse:
    return client.post(
        "/price-book/import/confirm",
        data={"csrf_token": client.csrf_token(), "book_file": parts},
    )


def section(page: str, name: str) -> list[str]:
    """The rows of one table of the preview (`added`, `updated`, `unchanged`, `problems`), each
    as its cells' text joined by ' | '."""
    table = re.search(rf'<table id="{name}">(.*?)</table>', page, re.S)
    if table is None:
        return []
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    return [
        " | ".join(html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in row)
        for row in cells
        if row
    ]


def csv_file(*rows: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


@pytest.fixture
def office(client: Client, make: Factory) -> Tenant:
    tenant = make.tenant()
    client.sign_in(make.member(tenant.id, "office").email)
    return tenant


def a_full_book(make: Factory, tenant_id: UUID) -> None:
    """One of each kind of item, with categories, member pricing, an archived item, items
    without a code, a formula-looking name and a description on several lines."""
    maintenance = make.price_category(tenant_id, "Maintenance")
    parts = make.price_category(tenant_id, "Parts")
    make.price_item(
        tenant_id,
        "service",
        "Furnace tune-up",
        "129.00",
        code="TUNE-F",
        category_id=maintenance,
        description="Clean, inspect and test.\r\nIncludes a 1-inch filter.",
        member_price="99.00",
        taxable=False,
    )
    make.price_item(
        tenant_id,
        "material",
        "Run capacitor 45/5 µF",
        "16.74",
        code="CAP-455",
        category_id=parts,
        cost="12.40",
        markup_percent="35",
    )
    make.price_item(tenant_id, "labour", "Standard labour", "95.00", unit="hour")
    make.price_item(
        tenant_id, "service", "Replace contactor", "245.00", member_discount_percent="10"
    )
    make.price_item(tenant_id, "package", "3-ton system", "9800.00", code="SYS-3T")
    make.price_item(tenant_id, "material", '=HYPERLINK("http://x")', "1.00", code="EVIL")
    make.price_item(
        tenant_id, "material", "R-22 per pound", "120.00", code="R22", unit="pound",
        archived_at="2026-01-01T00:00:00Z",
    )  # fmt: skip


# --- export ------------------------------------------------------------------------------------


def test_the_export_has_every_item_with_plain_amounts_and_no_formulas(
    client: Client, office: Tenant, make: Factory
) -> None:
    a_full_book(make, office.id)

    response = client.get("/price-book/export.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="price-book-')
    rows = rows_of(response)
    assert rows[0] == HEADER
    by_code = {row[1]: dict(zip(HEADER, row, strict=True)) for row in rows[1:] if row[1]}
    assert by_code["CAP-455"] == {
        "kind": "material",
        "code": "CAP-455",
        "name": "Run capacitor 45/5 µF",
        "description": "",
        "category": "Parts",
        "unit": "each",
        "price": "16.74",
        "cost": "12.40",
        "markup_percent": "35.00",
        "member_price": "",
        "member_discount_percent": "",
        "taxable": "yes",
        "archived": "no",
    }
    assert by_code["TUNE-F"]["member_price"] == "99.00"
    assert by_code["TUNE-F"]["taxable"] == "no"
    assert (
        by_code["TUNE-F"]["description"] == "Clean, inspect and test.\r\nIncludes a 1-inch filter."
    )
    assert by_code["R22"]["archived"] == "yes" and by_code["R22"]["unit"] == "pound"
    assert by_code["EVIL"]["name"] == '\'=HYPERLINK("http://x")'
    assert len(rows) == 1 + 7


def test_the_export_is_a_recorded_read_of_the_companys_items_only(
    client: Client, office: Tenant, make: Factory, admin: Connection
) -> None:
    make.price_item(office.id, "service", "Our tune-up", "129.00")
    other = make.tenant("Beta Boilers")
    make.price_item(other.id, "service", "Their secret special", "1.00", code="SECRET")

    response = client.get("/price-book/export.csv")

    names = [row[2] for row in rows_of(response)[1:]]
    assert names == ["Our tune-up"]
    assert "SECRET" not in text(response)
    recorded = admin.execute(
        "select table_name, row_key, new_values from audit.changes"
        " where tenant_id = %s and operation = 'access'",
        [office.id],
    ).fetchall()
    assert recorded == [
        {
            "table_name": "public.price_items",
            "row_key": "export",
            "new_values": {"rows": 1, "format": "csv"},
        }
    ]


def test_the_list_links_the_export_and_the_import(client: Client, office: Tenant) -> None:
    page = text(client.get("/price-book"))
    assert 'href="/price-book/export.csv"' in page and "Export CSV" in page
    assert 'href="/price-book/import"' in page


# --- the round trip ----------------------------------------------------------------------------


def test_an_export_imported_again_changes_nothing(
    client: Client, office: Tenant, make: Factory, admin: Connection
) -> None:
    a_full_book(make, office.id)
    before, categories_before = book(admin, office.id), categories(admin, office.id)
    exported = client.get("/price-book/export.csv").get_data()

    preview = upload(client, exported)

    page = text(preview)
    assert preview.status_code == 200, page
    assert "7 unchanged" in page
    assert section(page, "added") == [] and section(page, "updated") == []
    assert section(page, "problems") == []
    assert "Nothing to change" in page and signed_parts(page) == []
    # Confirming the same file anyway writes nothing either, not even a timestamp.
    token = transfer_file.sign(
        exported.decode("utf-8-sig"), "price-book.csv", office.id, SECRET_KEY
    )
    done = confirm(client, [token])
    assert done.status_code == 302
    assert "Nothing changed" in text(client.get(done.headers["Location"]))
    assert book(admin, office.id) == before
    assert categories(admin, office.id) == categories_before


# --- import ------------------------------------------------------------------------------------


def test_an_import_adds_items_and_updates_them_by_code_whatever_its_case(
    client: Client, office: Tenant, make: Factory, admin: Connection
) -> None:
    maintenance = make.price_category(office.id, "Maintenance")
    make.price_item(
        office.id, "service", "Furnace tune-up", "129.00", code="TUNE-F", category_id=maintenance
    )
    make.price_item(office.id, "labour", "Standard labour", "95.00", code="LAB", unit="hour")
    file = (
        "Name,Code,Kind,Price,Category,Cost,Markup_Percent,Unit,Notes\r\n"
        "Furnace tune-up,tune-f,service,139.00,maintenance,,,each,ignored column\r\n"
        "Standard labour,LAB,labour,95.00,,,,hour,\r\n"
        "Flame sensor,FS-1,material,,Parts,12.40,35,each,\r\n"
        "Filter 16x25x1,,material,9.50,parts,,,each,\r\n"
        "AC tune-up,,service,$129,Maintenance,,,,\r\n"
    )

    preview = upload(client, file)

    page = text(preview)
    assert preview.status_code == 200, page
    assert section(page, "added") == [
        "4 | Flame sensor | Material | Parts (new) | $16.74",
        "5 | Filter 16x25x1 | Material | Parts (new) | $9.50",
        "6 | AC tune-up | Service | Maintenance | $129.00",
    ]
    assert section(page, "updated") == ["2 | Furnace tune-up | code, price"]
    assert "1 unchanged" in page
    assert "Packages' parts are not imported" in page
    assert book(admin, office.id)[0]["price"] == 129  # nothing written by the preview
    assert categories(admin, office.id) == ["Maintenance"]

    done = confirm(client, signed_parts(page))

    assert done.status_code == 302
    assert "3 added, 1 updated, 1 unchanged" in text(client.get(done.headers["Location"]))
    stored = {(row["name"]): row for row in book(admin, office.id)}
    assert stored["Furnace tune-up"]["code"] == "tune-f"
    assert str(stored["Furnace tune-up"]["price"]) == "139.00"
    assert str(stored["Flame sensor"]["price"]) == "16.74"
    assert stored["Filter 16x25x1"]["category"] == "Parts"
    assert (stored["AC tune-up"]["kind"], stored["AC tune-up"]["unit"]) == ("service", "each")
    assert stored["AC tune-up"]["taxable"] is True
    assert categories(admin, office.id) == ["Maintenance", "Parts"]


def test_columns_missing_from_the_file_keep_the_items_values_and_names_match_without_codes(
    client: Client, office: Tenant, make: Factory, admin: Connection
) -> None:
    make.price_item(
        office.id, "service", "Furnace tune-up", "129.00", code="TUNE-F",
        description="Clean and inspect.", member_price="99.00", taxable=False,
    )  # fmt: skip

    preview = upload(client, "code;price\nTUNE-F;139\n")  # semicolons, no name column

    assert preview.status_code == 422
    assert "no “name” column" in text(preview)
    # Without a code column, a row updates the one item of its name.
    preview = upload(client, "Name;PRICE\nFurnace tune-up;139\n")
    assert section(text(preview), "updated") == ["2 | Furnace tune-up | price"]
    # With one, a row without a code is not the item that has a code.
    other = upload(client, "code,name,price\n,Furnace tune-up,99\n")
    assert section(text(other), "added") == ["2 | Furnace tune-up | Service | — | $99.00"]
    assert confirm(client, signed_parts(text(preview))).status_code == 302
    (row,) = book(admin, office.id)
    assert (row["description"], str(row["member_price"]), row["taxable"]) == (
        "Clean and inspect.",
        "99.00",
        False,
    )


def test_bad_rows_are_reported_with_their_lines_and_nothing_is_written(
    client: Client, office: Tenant, make: Factory, admin: Connection
) -> None:
    make.price_item(office.id, "service", "Furnace tune-up", "129.00", code="TUNE-F")
    file = csv_file(
        ["kind", "code", "name", "price", "cost", "markup_percent", "member_price",
         "member_discount_percent"],
        ["service", "AC", "AC tune-up", "129.00", "", "", "", ""],
        ["service", "", "Odd price", "12.345", "", "", "", ""],
        ["spaceship", "", "Warp drive", "1.00", "", "", "", ""],
        ["service", "", "Both member prices", "100.00", "", "", "90.00", "10"],
        ["material", "", "Wrong markup", "20.00", "12.40", "35", "", ""],
        ["service", "", "", "5.00", "", "", "", ""],
        ["package", "TUNE-F", "Furnace tune-up", "129.00", "", "", "", ""],
        ["service", "ac", "AC again", "1.00", "", "", "", ""],
        ["service", "", "No price", "", "", "", "", ""],
        ["service", "", "Bell\x07", "1.00", "", "", "", ""],
    )  # fmt: skip
    before = book(admin, office.id)

    preview = upload(client, file)

    page = text(preview)
    assert preview.status_code == 422
    assert section(page, "problems") == [
        "3 | price | Use at most 2 decimals (cents).",
        "4 | kind | Unknown kind “spaceship”: use service, material, labour or package.",
        "5 | member_discount_percent | Give members either their own price or a discount,"
        " not both.",
        "6 | price | The price must be the cost with its markup: 16.74.",
        "7 | name | Enter the item's name.",
        "8 | kind | An item's kind cannot change: “Furnace tune-up” is a service.",
        "9 | code | The code “ac” is also on line 2.",
        "10 | price | Enter the price.",
        "11 | name | Remove the control character from this cell.",
    ]
    assert "Nothing will be imported" in page
    assert signed_parts(page) == []
    # A confirmation of the same file, however it was obtained, is refused as well.
    token = transfer_file.sign(file, "bad.csv", office.id, SECRET_KEY)
    refused = confirm(client, [token])
    assert refused.status_code == 422
    assert "The price must be the cost with its markup" in text(refused)
    assert book(admin, office.id) == before
    assert categories(admin, office.id) == []


def test_a_refusal_by_the_database_leaves_nothing_half_saved(
    client: Client, office: Tenant, admin: Connection
) -> None:
    # A rule only the database knows (as a change made between preview and confirmation could
    # be): the third row is refused after the first two were written.
    admin.execute(
        "alter table public.price_items add constraint price_items_test_refusal"
        " check (name <> 'Refused by the database')"
    )
    file = csv_file(
        ["name", "price", "category"],
        ["First", "1.00", "New category"],
        ["Second", "2.00", ""],
        ["Refused by the database", "3.00", ""],
    )
    preview = upload(client, file)
    assert preview.status_code == 200

    refused = confirm(client, signed_parts(text(preview)))

    assert refused.status_code == 422
    assert section(text(refused), "problems") == [
        "4 |  | That change conflicts with existing data and was not saved."
    ]
    assert book(admin, office.id) == []
    assert categories(admin, office.id) == []


def test_a_changed_or_borrowed_confirmation_is_refused(
    client: Client, office: Tenant, make: Factory, admin: Connection
) -> None:
    preview = upload(client, "name,price\nAC tune-up,129.00\n")
    parts = signed_parts(text(preview))
    assert parts
    token = "".join(parts)
    forged_text = transfer_file.sign("name,price\nAC tune-up,1.00\n", "x.csv", office.id, "guess")
    other = make.tenant("Beta Boilers")
    borrowed = transfer_file.sign("name,price\nAC tune-up,1.00\n", "x.csv", other.id, SECRET_KEY)

    for forged in (
        [token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")],
        [token.replace(".", "", 1)],
        [forged_text],
        [borrowed],
        [""],
        ["not a token at all"],
    ):
        response = confirm(client, forged)
        assert response.status_code == 400, forged
        assert "Upload the file again" in text(response)
    assert book(admin, office.id) == []
    assert confirm(client, parts).status_code == 302  # control: the genuine one imports
    (row,) = book(admin, office.id)
    assert (row["name"], row["kind"], row["unit"]) == ("AC tune-up", "service", "each")


def test_a_large_file_is_carried_to_its_confirmation_in_parts(
    client: Client, office: Tenant, admin: Connection
) -> None:
    noise = random.Random(7)
    rows = [["name", "description", "price"]]
    rows += [[f"Item {n}", noise.randbytes(120).hex(), "1.00"] for n in range(2000)]
    preview = upload(client, csv_file(*rows))
    parts = signed_parts(text(preview))
    assert len(parts) > 2  # each under the edge's limit on one form value
    assert all(len(part) <= edge.MAX_FORM_VALUE for part in parts)

    done = confirm(client, parts)

    assert done.status_code == 302
    assert len(book(admin, office.id)) == 2000
    assert confirm(client, parts[:-1]).status_code == 400  # a part left out


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "price-book.csv", "The file is empty."),
        (b"\r\n \r\n", "price-book.csv", "The file is empty."),
        (b"name,price\r\n", "price-book.csv", "no items under it"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "price-book.csv", "This file is not a CSV file."),
        (b"PK\x03\x04\x14\x00\x06\x00", "price-book.xlsx", "Upload a .csv file"),
        (b"kind,price\nservice,1\n", "price-book.csv", "no “name” column"),
    ],
)
def test_files_that_cannot_be_read_are_refused_with_a_message(
    client: Client, office: Tenant, admin: Connection, data: bytes, name: str, message: str
) -> None:
    response = upload(client, data, name)

    assert response.status_code == 422
    assert message in html.unescape(text(response))
    assert book(admin, office.id) == []


def test_a_file_over_2_mb_or_5000_rows_is_refused(
    client: Client, office: Tenant, admin: Connection
) -> None:
    line = "service,,Some service,Described at length " + "x" * 380 + ",129.00\n"
    large = "kind,code,name,description,price\n" + line * 5100  # 2.1 MB
    assert len(large.encode()) > 2 * 1024 * 1024

    too_large = upload(client, large)

    assert too_large.status_code == 422
    assert "larger than 2 MB" in text(too_large)
    many = "name,price\n" + "Filter,9.50\n" * 5001
    too_many = upload(client, many)
    assert too_many.status_code == 422
    assert "5,001 rows" in text(too_many) and "at most 5,000" in text(too_many)
    assert book(admin, office.id) == []
    just_enough = upload(client, "name,price\n" + "".join(f"F{n},1\n" for n in range(5000)))
    assert just_enough.status_code == 200
    assert "5000 to add" in text(just_enough).replace(",", "")


def test_technicians_can_neither_export_nor_import(
    client: Client, make: Factory, admin: Connection
) -> None:
    tenant = make.tenant()
    make.price_item(tenant.id, "service", "Furnace tune-up", "129.00")
    client.sign_in(make.member(tenant.id, "technician").email)
    token = transfer_file.sign("name,price\nFree work,0\n", "x.csv", tenant.id, SECRET_KEY)

    assert client.get("/price-book/export.csv").status_code == 403
    assert client.get("/price-book/import").status_code == 403
    assert upload(client, "name,price\nFree work,0\n").status_code == 403
    assert confirm(client, [token]).status_code == 403
    assert [row["name"] for row in book(admin, tenant.id)] == ["Furnace tune-up"]
