"""Tax rates: added, edited, archived and restored by office staff, named once among the active
ones whatever the case, typed exactly (0 to 100, up to 4 decimals); the page shows what new
documents will charge; technicians read the rates but never open the page."""

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

PAGE = "/price-book/taxes"


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def rate_rows(admin: Connection, tenant_id: UUID) -> list[dict[str, Any]]:
    return admin.execute(
        "select id, name, percent, applies, archived_at from public.tax_rates"
        " where tenant_id = %s order by lower(name)",
        [tenant_id],
    ).fetchall()


def error_next_to(page: str, field: str) -> str:
    error = re.search(rf'id="{field}-error">([^<]+)<', page)
    assert error, f"no error next to {field}"
    return html.unescape(error.group(1))


def combined_rate(page: str) -> str:
    match = re.search(r'id="combined-rate">(.*?)</p>', page, re.S)
    assert match, "no combined rate"
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split())


@pytest.fixture
def office(client: Client, make: Factory) -> Tenant:
    tenant = make.tenant()
    client.sign_in(make.member(tenant.id, "office").email)
    return tenant


def test_no_rates_yet_says_so_and_what_documents_carry(client: Client, office: Tenant) -> None:
    page = text(client.get(PAGE))
    assert "No tax rates yet" in page
    assert "new estimates and invoices carry no tax" in page
    assert 'aria-current="page">Tax rates</a>' in page  # the price book's sub-navigation


def test_a_rate_is_added_and_the_page_shows_the_combined_rate(
    client: Client, office: Tenant, admin: Connection
) -> None:
    added = client.submit(PAGE, {"name": "State", "percent": "6.25", "applies": "y"})
    assert added.status_code == 302
    assert combined_rate(text(client.get(PAGE))) == "New documents charge 6.25% on taxable lines."
    city = client.submit(PAGE, {"name": "City", "percent": "2.25%", "applies": "y"})
    assert city.status_code == 302
    page = text(client.get(PAGE))
    assert combined_rate(page) == "New documents charge 2.25% + 6.25% = 8.5% on taxable lines."
    assert "copy of the rates" in page
    rows = rate_rows(admin, office.id)
    assert [(r["name"], str(r["percent"]), r["applies"]) for r in rows] == [
        ("City", "2.2500", True),
        ("State", "6.2500", True),
    ]


def test_a_rate_not_charged_is_listed_but_left_out_of_the_combined_rate(
    client: Client, office: Tenant, make: Factory
) -> None:
    make.tax_rate(office.id, "State", "6.25")
    assert client.submit(PAGE, {"name": "County", "percent": "1"}).status_code == 302
    page = text(client.get(PAGE))
    assert combined_rate(page) == "New documents charge 6.25% on taxable lines."
    assert "County" in page and "Not charged" in page


def test_a_rate_is_edited(client: Client, office: Tenant, make: Factory, admin: Connection) -> None:
    rate = make.tax_rate(office.id, "State", "6.25")
    form = text(client.get(f"{PAGE}/{rate}/edit"))
    assert 'value="State"' in form and 'value="6.25"' in form
    saved = client.submit(f"{PAGE}/{rate}/edit", {"name": "State sales tax", "percent": "8.875"})
    assert saved.status_code == 302
    (row,) = rate_rows(admin, office.id)
    assert (row["name"], str(row["percent"]), row["applies"]) == (
        "State sales tax",
        "8.8750",
        False,
    )
    assert "No rate is charged" in text(client.get(PAGE))


def test_archiving_and_restoring(
    client: Client, office: Tenant, make: Factory, admin: Connection
) -> None:
    state = make.tax_rate(office.id, "State", "6.25")
    make.tax_rate(office.id, "City", "2.25")
    assert client.submit(f"{PAGE}/{state}/archive").status_code == 302
    assert rate_rows(admin, office.id)[1]["archived_at"] is not None
    page = text(client.get(PAGE))
    assert combined_rate(page) == "New documents charge 2.25% on taxable lines."
    archived = page.split('id="archived-heading"')[1]
    assert "State" in archived and "Restore" in archived
    assert client.submit(f"{PAGE}/{state}/restore").status_code == 302
    assert rate_rows(admin, office.id)[1]["archived_at"] is None
    page = text(client.get(PAGE))
    assert combined_rate(page).endswith("= 8.5% on taxable lines.")
    assert 'id="archived-heading"' not in page


def test_a_name_is_used_once_among_active_rates_whatever_its_case(
    client: Client, office: Tenant, make: Factory, admin: Connection
) -> None:
    state = make.tax_rate(office.id, "State", "6.25")
    again = client.submit(PAGE, {"name": "STATE", "percent": "7", "applies": "y"})
    assert again.status_code == 422
    assert error_next_to(text(again), "name") == "There is already a tax rate with that name."
    city = make.tax_rate(office.id, "City", "2.25")
    renamed = client.submit(f"{PAGE}/{city}/edit", {"name": "state", "percent": "2.25"})
    assert renamed.status_code == 422
    assert "already a tax rate with that name" in error_next_to(text(renamed), "name")
    assert [(r["name"], str(r["percent"])) for r in rate_rows(admin, office.id)] == [
        ("City", "2.2500"),
        ("State", "6.2500"),
    ]
    # An archived rate's name is free again; restoring the old one then is refused, not a 500.
    client.submit(f"{PAGE}/{state}/archive")
    assert client.submit(PAGE, {"name": "State", "percent": "7"}).status_code == 302
    refused = client.submit(f"{PAGE}/{state}/restore", follow_redirects=True)
    assert "cannot be restored" in text(refused)
    assert [r["archived_at"] is None for r in rate_rows(admin, office.id) if r["id"] == state] == [
        False
    ]


@pytest.mark.parametrize(
    ("percent", "message"),
    [
        ("6.12345", "Use at most 4 decimals."),
        ("-1", "Enter a percentage of zero or more."),
        ("100.01", "Enter a percentage of at most 100%."),
        ("six", "Enter a percentage as a number, like 7.25."),
        ("", "Enter the rate, e.g. 6.25."),
    ],
)
def test_a_rate_that_is_not_a_percentage_is_explained_and_saves_nothing(
    client: Client, office: Tenant, make: Factory, admin: Connection, percent: str, message: str
) -> None:
    added = client.submit(PAGE, {"name": "State", "percent": percent, "applies": "y"})
    assert added.status_code == 422
    assert error_next_to(text(added), "percent") == message
    assert rate_rows(admin, office.id) == []
    rate = make.tax_rate(office.id, "City", "2.25")
    edited = client.submit(f"{PAGE}/{rate}/edit", {"name": "Town", "percent": percent})
    assert edited.status_code == 422
    assert error_next_to(text(edited), "percent") == message
    assert [(r["name"], str(r["percent"])) for r in rate_rows(admin, office.id)] == [
        ("City", "2.2500")
    ]


def test_the_bounds_and_four_decimals_are_accepted(
    client: Client, office: Tenant, admin: Connection
) -> None:
    for name, percent in (("None", "0"), ("All", "100"), ("Fine", "8.8751")):
        assert client.submit(PAGE, {"name": name, "percent": percent}).status_code == 302
    stored = {r["name"]: str(r["percent"]) for r in rate_rows(admin, office.id)}
    assert stored == {"None": "0.0000", "All": "100.0000", "Fine": "8.8751"}


def test_an_empty_or_overlong_name_is_refused(
    client: Client, office: Tenant, admin: Connection
) -> None:
    empty = client.submit(PAGE, {"name": "  ", "percent": "6"})
    assert empty.status_code == 422
    assert error_next_to(text(empty), "name") == "Enter the tax's name."
    long = client.submit(PAGE, {"name": "x" * 101, "percent": "6"})
    assert long.status_code == 422
    assert error_next_to(text(long), "name") == "At most 100 characters."
    assert rate_rows(admin, office.id) == []


@pytest.mark.promise("P-02")
def test_technicians_read_the_rates_but_office_staff_change_them(
    client: Client, make: Factory, database: TestDatabase
) -> None:
    tenant = make.tenant()
    rate = make.tax_rate(tenant.id, "State", "6.25")
    technician = make.member(tenant.id, "technician")
    client.sign_in(technician.email)
    assert client.get(PAGE).status_code in (403, 404)
    assert client.get(f"{PAGE}/{rate}/edit").status_code in (403, 404)
    assert client.submit(f"{PAGE}/{rate}/archive").status_code in (403, 404)
    with acting_as(database, claims_of(technician)) as conn:
        rows = conn.execute("select name, percent from public.tax_rates").fetchall()
        assert [(r["name"], str(r["percent"])) for r in rows] == [("State", "6.2500")]
        changed = conn.execute(
            "update public.tax_rates set percent = 0 where id = %s returning id", [rate]
        ).fetchall()
        assert changed == []  # not visible for update: the policy is office staff's
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "insert into public.tax_rates (tenant_id, name, percent) values (%s, 'None', 0)",
                [tenant.id],
            )
