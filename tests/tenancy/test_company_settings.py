"""The company's settings page: owners and admins change the name, time zone, currency and what
estimates and invoices print (licence number, address, phone); the next page reads the new
values; bad input changes nothing; other roles are refused; each change is in the audit log."""

from __future__ import annotations

import html
import re
from typing import Any
from uuid import UUID

import pytest

from app.db import Connection
from tests.audit.support import changes_since, last_change_id
from tests.conftest import Client, TestDatabase
from tests.factories import Factory, Tenant
from tests.policies.identity import acting_as, claims_of
from tests.portal.support import sign_in

PAGE = "/company"
FORM = {
    "company_name": "Northwind Heating",
    "time_zone": "America/Chicago",
    "currency": "USD",
    "licence_number": "",
    "address": "",
    "phone": "",
    "brand_colour": "#1d4ed8",
}


def owner_portal(client: Client, admin: Connection, tenant_id: UUID, customer: UUID) -> str:
    """The portal's home page as the customer sees it (signed in in the same browser)."""
    sign_in(client, admin, tenant_id, customer)
    return text(client.get("/portal/"))


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def stored(admin: Connection, tenant_id: UUID) -> dict[str, Any]:
    found = admin.execute(
        "select name, time_zone, currency, licence_number, address, phone, brand_colour"
        " from public.tenants where id = %s",
        [tenant_id],
    ).fetchone()
    assert found is not None
    return found


def error_next_to(page: str, field: str) -> str:
    error = re.search(rf'id="{field}-error">([^<]+)<', page)
    assert error, f"no error next to {field}"
    return html.unescape(error.group(1))


def selected(page: str, field: str) -> str:
    select = re.search(rf'<select[^>]*name="{field}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no select {field}"
    option = re.search(r'<option selected value="([^"]*)"', select.group(1))
    assert option, f"nothing selected in {field}"
    return option.group(1)


@pytest.fixture
def owner(client: Client, make: Factory) -> Tenant:
    tenant = make.tenant("Northwind Heating")
    client.sign_in(tenant.owner.email)
    return tenant


def test_the_page_shows_the_company_and_says_what_prints_on_documents(
    client: Client, owner: Tenant
) -> None:
    response = client.get(PAGE)
    assert response.status_code == 200
    page = text(response)
    assert 'value="Northwind Heating"' in page
    assert selected(page, "time_zone") == "America/New_York"
    assert selected(page, "currency") == "USD"
    assert "print on your estimates and invoices" in page
    assert "estimates and invoices already made keep the currency they were made in" in page
    for code in ("USD", "CAD", "EUR", "GBP", "AUD", "NZD", "MXN"):
        assert f'value="{code}"' in page


def test_each_field_is_saved_and_the_next_page_shows_it(
    client: Client, owner: Tenant, admin: Connection
) -> None:
    response = client.submit(
        PAGE,
        {
            "company_name": "  Northwind Heating & Air ",
            "time_zone": "America/Denver",
            "currency": "CAD",
            "licence_number": "HVAC-123456",
            "address": "12 Elm St\r\nSuite 4\r\nDenver, CO 80202",
            "phone": "(312) 555-0123",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(PAGE)
    assert stored(admin, owner.id) == {
        "name": "Northwind Heating & Air",
        "time_zone": "America/Denver",
        "currency": "CAD",
        "licence_number": "HVAC-123456",
        "address": "12 Elm St\nSuite 4\nDenver, CO 80202",
        "phone": "+13125550123",
        "brand_colour": "#1d4ed8",
    }
    page = text(client.get(PAGE))
    assert '<span class="company" title="Your company">Northwind Heating &amp; Air</span>' in page
    assert selected(page, "time_zone") == "America/Denver"
    assert selected(page, "currency") == "CAD"
    assert 'value="HVAC-123456"' in page
    assert "12 Elm St\nSuite 4\nDenver, CO 80202</textarea>" in page
    assert 'value="(312) 555-0123"' in page
    assert "Amounts in the price book were not converted" in page  # the currency changed


def test_the_price_book_shows_the_new_currency_after_the_switch(
    client: Client, make: Factory, admin: Connection
) -> None:
    tenant = make.tenant()
    make.price_item(tenant.id, "service", "Furnace tune-up", "129.00")
    client.sign_in(make.member(tenant.id, "admin").email)
    assert "$129.00" in text(client.get("/price-book"))
    saved = client.submit(PAGE, {**FORM, "company_name": tenant.name, "currency": "EUR"})
    assert saved.status_code == 303
    book = text(client.get("/price-book"))
    assert "€129.00" in book and "$129.00" not in book
    assert stored(admin, tenant.id)["currency"] == "EUR"


def test_saving_the_page_unchanged_says_saved_and_logs_nothing(
    client: Client, owner: Tenant, admin: Connection
) -> None:
    before = stored(admin, owner.id)
    mark = last_change_id(admin)
    same = {**FORM, "time_zone": "America/New_York"}
    response = client.submit(PAGE, same, follow_redirects=True)
    assert "Company details saved." in text(response)
    assert stored(admin, owner.id) == before
    assert [c for c in changes_since(admin, mark) if c["table_name"] == "public.tenants"] == []


def test_a_zone_set_outside_the_list_stays_on_offer(
    client: Client, owner: Tenant, admin: Connection
) -> None:
    admin.execute("update public.tenants set time_zone = 'Europe/Berlin' where id = %s", [owner.id])
    assert selected(text(client.get(PAGE)), "time_zone") == "Europe/Berlin"
    response = client.submit(PAGE, {**FORM, "time_zone": "Europe/Berlin", "currency": "EUR"})
    assert response.status_code == 303
    assert stored(admin, owner.id)["time_zone"] == "Europe/Berlin"
    other = client.submit(PAGE, {**FORM, "time_zone": "Europe/Paris"})
    assert other.status_code == 422  # only the list, and the company's own zone


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"company_name": "   "}, "company_name", "Enter the company's name."),
        ({"company_name": "x" * 201}, "company_name", "At most 200 characters."),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "Choose a time zone from the list."),
        ({"time_zone": ""}, "time_zone", "Choose a time zone from the list."),
        ({"currency": "JPY"}, "currency", "Choose one of the listed currencies."),
        ({"currency": "usd"}, "currency", "Choose one of the listed currencies."),
        ({"address": "x" * 501}, "address", "At most 500 characters."),
        ({"licence_number": "x" * 101}, "licence_number", "At most 100 characters."),
        ({"phone": "555-01"}, "phone", "Enter a valid phone number"),
        ({"brand_colour": "blue"}, "brand_colour", "Choose a colour like #1d4ed8."),
        ({"brand_colour": "#12345"}, "brand_colour", "Choose a colour like #1d4ed8."),
    ],
)
def test_bad_input_is_explained_next_to_its_field_and_changes_nothing(
    client: Client,
    owner: Tenant,
    admin: Connection,
    change: dict[str, str],
    field: str,
    message: str,
) -> None:
    before = stored(admin, owner.id)
    mark = last_change_id(admin)
    good = {**FORM, "currency": "GBP", "licence_number": "L-1", "phone": "+44 20 7946 0958"}
    response = client.submit(PAGE, {**good, **change})
    assert response.status_code == 422
    assert error_next_to(text(response), field).startswith(message)
    assert stored(admin, owner.id) == before
    assert changes_since(admin, mark) == []


@pytest.mark.parametrize("role", ["office", "dispatcher", "technician"])
def test_other_roles_are_refused_the_page_and_the_change(
    client: Client, make: Factory, admin: Connection, role: str
) -> None:
    tenant = make.tenant()
    client.sign_in(make.member(tenant.id, role).email)
    before = stored(admin, tenant.id)
    assert client.get(PAGE).status_code == 403
    assert client.submit(PAGE, {**FORM, "currency": "EUR"}).status_code == 403
    assert stored(admin, tenant.id) == before
    assert "/company" not in text(client.get("/"))  # no menu entry either


@pytest.mark.parametrize(("role", "changed"), [("admin", 1), ("dispatcher", 0), ("office", 0)])
def test_the_database_lets_only_owners_and_admins_change_the_documents_details(
    database: TestDatabase, make: Factory, role: str, changed: int
) -> None:
    tenant = make.tenant()
    member = make.member(tenant.id, role)
    with acting_as(database, claims_of(member)) as conn:
        updated = conn.execute(
            "update public.tenants set currency = 'EUR', licence_number = 'L-1',"
            " address = '1 Main St', phone = '+13125550123' where id = %s",
            [tenant.id],
        )
        assert updated.rowcount == changed


def test_the_change_is_in_the_audit_log_with_who_made_it(
    client: Client, owner: Tenant, admin: Connection
) -> None:
    mark = last_change_id(admin)
    response = client.submit(
        PAGE, {**FORM, "company_name": "Northwind Air", "currency": "EUR", "phone": "312 555 0123"}
    )
    assert response.status_code == 303
    [change] = [c for c in changes_since(admin, mark) if c["table_name"] == "public.tenants"]
    assert change["operation"] == "update"
    assert change["row_key"] == str(owner.id)
    assert change["actor_id"] == owner.owner.account_id
    assert change["request_id"] == response.headers["X-Request-Id"]
    assert {key: change["old_values"][key] for key in ("name", "currency", "phone")} == {
        "name": "Northwind Heating",
        "currency": "USD",
        "phone": "",
    }
    assert {key: change["new_values"][key] for key in ("name", "currency", "phone")} == {
        "name": "Northwind Air",
        "currency": "EUR",
        "phone": "+13125550123",
    }


def test_the_colour_is_the_portals(client: Client, owner: Tenant, admin: Connection) -> None:
    response = client.submit(PAGE, {**FORM, "brand_colour": "#0F766E"})

    assert response.status_code == 303
    assert stored(admin, owner.id)["brand_colour"] == "#0f766e"
    customer = admin.execute(
        "insert into public.customers (tenant_id, first_name) values (%s, 'Dana') returning id",
        [owner.id],
    ).fetchone()
    assert customer is not None
    portal = owner_portal(client, admin, owner.id, customer["id"])
    assert 'href="/portal/brand/0f766e.css"' in portal
    assert client.get("/portal/brand/0f766e.css").get_data(as_text=True) == (
        ":root { --brand: #0f766e; }\n"
    )
