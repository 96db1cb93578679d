"""The price book: services, materials priced from cost and markup, labour and packages with
their parts, in categories, with member pricing; searched, filtered, paged, archived and
restored by office staff; refused input changes nothing."""

from __future__ import annotations

import html
import re
from typing import Any
from uuid import UUID

import psycopg
import pytest

from app.db import Connection
from tests.conftest import Client, TestDatabase
from tests.factories import Factory, Tenant
from tests.policies.identity import acting_as, claims_of


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def listed(response: Any) -> list[str]:
    """The items of a list page, in order, by name."""
    return re.findall(r'data-label="Item"><a href="[^"]+">([^<]+)</a>', text(response))


def item_rows(admin: Connection, tenant_id: UUID) -> list[dict[str, Any]]:
    return admin.execute(
        "select kind, code, name, price, cost, markup_percent, member_price,"
        " member_discount_percent, taxable, archived_at from public.price_items"
        " where tenant_id = %s order by name",
        [tenant_id],
    ).fetchall()


@pytest.fixture
def office(client: Client, make: Factory) -> Tenant:
    tenant = make.tenant()
    client.sign_in(make.member(tenant.id, "office").email)
    return tenant


SERVICE = {
    "kind": "service",
    "name": "Furnace tune-up",
    "code": "TUNE-F",
    "description": "Clean, inspect and test a gas furnace.",
    "unit": "each",
    "price": "$129.00",
    "taxable": "y",
}


def test_an_empty_book_says_what_to_add(client: Client, office: Tenant) -> None:
    page = text(client.get("/price-book"))
    assert "Your price book is empty" in page
    assert 'href="/price-book/new"' in page


def test_a_service_is_added_and_listed_with_its_price(
    client: Client, office: Tenant, admin: Connection
) -> None:
    response = client.submit("/price-book/new", SERVICE)
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Furnace tune-up" in page and "$129.00" in page and "TUNE-F" in page
    assert listed(client.get("/price-book")) == ["Furnace tune-up"]
    (row,) = item_rows(admin, office.id)
    assert str(row["price"]) == "129.00" and row["taxable"] is True


def test_a_materials_price_is_its_cost_marked_up_to_the_cent(
    client: Client, office: Tenant, admin: Connection
) -> None:
    # 12.40 x 1.35 = 16.74 exactly; 3.33 x 1.15 = 3.8295 → 3.83 (half-up).
    for name, cost, markup in (("Run capacitor", "12.40", "35"), ("Fuse", "3.33", "15")):
        form = {"kind": "material", "name": name, "unit": "each", "cost": cost}
        response = client.submit("/price-book/new", {**form, "markup_percent": markup})
        assert response.status_code == 302, text(response)
    prices = {row["name"]: str(row["price"]) for row in item_rows(admin, office.id)}
    assert prices == {"Run capacitor": "16.74", "Fuse": "3.83"}


def test_the_database_refuses_a_price_that_is_not_the_marked_up_cost(
    make: Factory, office: Tenant
) -> None:
    with pytest.raises(psycopg.errors.CheckViolation, match="price_items_markup_price"):
        make.price_item(
            office.id, "material", "Contactor", "20.00", cost="12.40", markup_percent="35"
        )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"price": "12.345"}, "price", "at most 2 decimals"),
        ({"price": "twelve"}, "price", ""),
        ({"price": ""}, "price", "Enter the price."),
        ({"name": ""}, "name", "Enter the item's name."),
        ({"markup_percent": "20", "cost": "10"}, "markup_percent", "Only materials"),
        (
            {"member_price": "99", "member_discount_percent": "10"},
            "member_discount_percent",
            "not both",
        ),
        ({"unit": "parsec"}, "unit", ""),
        ({"category_id": "00000000-0000-4000-8000-000000000000"}, "category_id", "listed"),
    ],
)
def test_bad_input_is_explained_next_to_its_field_and_saves_nothing(
    client: Client,
    office: Tenant,
    admin: Connection,
    change: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = client.submit("/price-book/new", {**SERVICE, **change})
    assert response.status_code == 422
    page = text(response)
    error = re.search(rf'id="{field}-error">([^<]+)<', page)
    assert error, f"no error next to {field}"
    assert message.lower() in html.unescape(error.group(1)).lower()
    assert item_rows(admin, office.id) == []


def test_a_code_is_used_once_whatever_its_case(
    client: Client, office: Tenant, admin: Connection
) -> None:
    assert client.submit("/price-book/new", SERVICE).status_code == 302
    again = client.submit("/price-book/new", {**SERVICE, "name": "Other", "code": "tune-f"})
    assert again.status_code == 422
    assert "Another item already has that code." in text(again)
    assert len(item_rows(admin, office.id)) == 1


def test_search_kind_category_and_archived_filters(
    client: Client, office: Tenant, make: Factory
) -> None:
    parts = make.price_category(office.id, "Parts")
    make.price_item(office.id, "service", "Furnace tune-up", code="TUNE-F")
    make.price_item(office.id, "material", "Run capacitor", "18.00", category_id=parts)
    make.price_item(
        office.id,
        "material",
        "Flame sensor",
        "35.00",
        description="For furnaces",
        category_id=parts,
    )
    make.price_item(office.id, "labour", "Service labour", "95.00", unit="hour")
    old = make.price_item(office.id, "service", "Old furnace check", "79.00")
    client.submit(f"/price-book/{old}/archive")
    assert listed(client.get("/price-book?q=furnace")) == ["Flame sensor", "Furnace tune-up"]
    assert listed(client.get("/price-book?q=tune-f")) == ["Furnace tune-up"]
    assert listed(client.get("/price-book?kind=material")) == ["Flame sensor", "Run capacitor"]
    assert listed(client.get(f"/price-book?category={parts}")) == ["Flame sensor", "Run capacitor"]
    assert listed(client.get("/price-book?status=archived")) == ["Old furnace check"]
    assert "Old furnace check" in listed(client.get("/price-book?status=all"))
    assert listed(client.get("/price-book?q=100%25")) == []  # a wildcard is a character
    empty = text(client.get("/price-book?q=boiler"))
    assert "No item matches." in empty


def test_pages_of_fifty_and_a_page_that_does_not_exist(
    client: Client, office: Tenant, admin: Connection
) -> None:
    admin.execute(
        "insert into public.price_items (tenant_id, kind, name, price)"
        " select %s, 'material', 'Part ' || lpad(n::text, 3, '0'), 1 from generate_series(1, 51) n",
        [office.id],
    )
    first = client.get("/price-book")
    assert len(listed(first)) == 50 and 'rel="next"' in text(first)
    second = client.get("/price-book?page=2")
    assert listed(second) == ["Part 051"] and 'rel="prev"' in text(second)
    assert client.get("/price-book?page=0").status_code == 422
    assert client.get("/price-book?page=abc").status_code == 422
    assert client.get("/price-book?kind=spaceship").status_code == 422


def test_editing_keeps_the_kind_and_archiving_and_restoring(
    client: Client, office: Tenant, make: Factory, admin: Connection
) -> None:
    item = make.price_item(office.id, "service", "Furnace tune-up", "129.00")
    form = text(client.get(f"/price-book/{item}/edit"))
    assert 'value="129.00"' in form
    saved = client.submit(
        f"/price-book/{item}/edit", {**SERVICE, "kind": "package", "price": "139"}
    )
    assert saved.status_code == 302
    (row,) = item_rows(admin, office.id)
    assert (row["kind"], str(row["price"])) == ("service", "139.00")
    assert client.submit(f"/price-book/{item}/archive").status_code == 302
    assert item_rows(admin, office.id)[0]["archived_at"] is not None
    assert "Archived" in text(client.get(f"/price-book/{item}"))
    assert client.submit(f"/price-book/{item}/restore").status_code == 302
    assert item_rows(admin, office.id)[0]["archived_at"] is None


def test_a_package_lists_its_parts_but_never_another_package(
    client: Client, office: Tenant, make: Factory, admin: Connection
) -> None:
    system = make.price_item(office.id, "package", "3-ton AC + furnace", "9800.00")
    coil = make.price_item(office.id, "material", "Evaporator coil", "1200.00")
    labour = make.price_item(office.id, "labour", "Install labour", "95.00", unit="hour")
    other = make.price_item(office.id, "package", "Heat pump system", "12000.00")
    for item, quantity in ((coil, "1"), (labour, "12.5")):
        added = client.submit(
            f"/price-book/{system}/parts", {"part": str(item), "quantity": quantity}
        )
        assert added.status_code == 302, text(added)
    page = text(client.get(f"/price-book/{system}"))
    assert "Evaporator coil" in page and "12.5 hour" in page
    assert "$2,387.50" in page  # 1 x 1,200.00 + 12.5 x 95.00
    refused = client.submit(f"/price-book/{system}/parts", {"part": str(other), "quantity": "1"})
    assert refused.status_code == 422 and "Choose one of the listed items." in text(refused)
    twice = client.submit(f"/price-book/{system}/parts", {"part": str(coil), "quantity": "2"})
    assert twice.status_code == 422 and "already in the package" in text(twice)
    bad = client.submit(f"/price-book/{system}/parts", {"part": str(coil), "quantity": "0"})
    assert bad.status_code == 422
    with pytest.raises(psycopg.errors.CheckViolation):
        admin.execute(
            "insert into public.price_package_parts (tenant_id, package_id, item_id, item_kind,"
            " quantity) values (%s, %s, %s, 'package', 1)",
            [office.id, system, other],
        )
    (part,) = admin.execute(
        "select id from public.price_package_parts where item_id = %s", [labour]
    ).fetchall()
    assert client.submit(f"/price-book/parts/{part['id']}/remove").status_code == 302
    left = re.findall(
        r'data-label="Part"><a href="[^"]+">([^<]+)</a>', text(client.get(f"/price-book/{system}"))
    )
    assert left == ["Evaporator coil"]
    assert client.submit(f"/price-book/{coil}/parts", {"part": str(labour)}).status_code == 404


def test_categories_are_named_once_renamed_and_archived(
    client: Client, office: Tenant, admin: Connection, make: Factory
) -> None:
    assert client.submit("/price-book/categories", {"name": "Repairs"}).status_code == 302
    again = client.submit("/price-book/categories", {"name": "repairs"})
    assert again.status_code == 422 and "already a category with that name" in text(again)
    (category,) = admin.execute(
        "select id from public.price_categories where tenant_id = %s", [office.id]
    ).fetchall()
    renamed = client.submit(f"/price-book/categories/{category['id']}/edit", {"name": "Repair"})
    assert renamed.status_code == 302
    item = make.price_item(office.id, category_id=category["id"])
    assert client.submit(f"/price-book/categories/{category['id']}/archive").status_code == 302
    # An archived category is not offered to new items, but an item in it keeps it.
    assert "Repair</option>" not in text(client.get("/price-book/new"))
    assert "Repair</option>" in text(client.get(f"/price-book/{item}/edit"))
    assert "Archived" in text(client.get("/price-book/categories"))


@pytest.mark.promise("P-02")
def test_technicians_read_the_book_but_office_staff_change_it(
    client: Client, make: Factory, database: TestDatabase
) -> None:
    tenant = make.tenant()
    make.price_item(tenant.id, "service", "Furnace tune-up")
    technician = make.member(tenant.id, "technician")
    client.sign_in(technician.email)
    assert client.get("/price-book").status_code in (403, 404)
    with acting_as(database, claims_of(technician)) as conn:
        names = [r["name"] for r in conn.execute("select name from public.price_items")]
        assert names == ["Furnace tune-up"]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "insert into public.price_items (tenant_id, kind, name, price)"
                " values (%s, 'service', 'Free work', 0)",
                [tenant.id],
            )
