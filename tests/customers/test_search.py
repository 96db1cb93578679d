"""The customer list: one search box over names, phones typed any way, emails, addresses and
contacts; sorted by name or newest; keyset pages; empty states."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest

from tests.conftest import Client
from tests.customers.support import signed_in, text


def names(response) -> list[str]:
    """The customers a list page shows, in order."""
    return re.findall(r"<strong>([^<]+)</strong></a>", text(response))


def next_link(response) -> str | None:
    found = re.search(r'<a href="([^"]+)">Next page</a>', text(response))
    return unquote(found.group(1)).replace("&amp;", "&") if found else None


@pytest.mark.parametrize(
    "typed", ["(312) 555-0123", "312.555.0123", "3125550123", "+1 312 555 0123"]
)
def test_a_phone_typed_any_way_finds_the_customer(client: Client, make, typed):
    tenant = signed_in(client, make)
    make.customer(tenant.id, "Ana", "Lopez", phone="+13125550123")
    make.customer(tenant.id, "Ben", "Other", phone="+13125550999")

    response = client.get("/customers", query_string={"q": typed})

    assert response.status_code == 200
    assert names(response) == ["Ana Lopez"]


def test_a_partial_email_finds_the_customer(client: Client, make):
    tenant = signed_in(client, make)
    make.customer(tenant.id, "Ana", "Lopez", email="ana.lopez@gmail.com")
    make.customer(tenant.id, "Ben", "Other", email="ben@yahoo.com")

    assert names(client.get("/customers?q=lopez@gm")) == ["Ana Lopez"]
    assert names(client.get("/customers?q=LOPEZ@GM")) == ["Ana Lopez"]


def test_an_address_a_company_or_a_contact_finds_the_customer(client: Client, make):
    tenant = signed_in(client, make)
    home = make.customer(tenant.id, "Ana", "Lopez")
    make.property(tenant.id, home, street="4821 N Damen Ave", city="Chicago")
    make.customer(tenant.id, "", "", kind="commercial", company_name="Lakeview Towers")
    office = make.customer(tenant.id, "", "", kind="commercial", company_name="Acme Plaza")
    make.contact(tenant.id, office, "Morgan Building-Manager")
    make.customer(tenant.id, "Ben", "Other")

    assert names(client.get("/customers?q=damen ave")) == ["Ana Lopez"]
    assert names(client.get("/customers?q=4821 N Damen Ave, Chicago")) == ["Ana Lopez"]
    assert names(client.get("/customers?q=lakeview")) == ["Lakeview Towers"]
    assert names(client.get("/customers?q=building-manager")) == ["Acme Plaza"]
    assert names(client.get("/customers?q=ana lo")) == ["Ana Lopez"]


def test_wildcards_in_the_search_are_taken_literally(client: Client, make):
    tenant = signed_in(client, make)
    make.customer(tenant.id, "Ana", "Lopez")

    assert names(client.get("/customers?q=%")) == []
    assert names(client.get("/customers?q=a_a")) == []


def test_another_companys_customers_are_never_found(client: Client, make):
    tenant = signed_in(client, make)
    other = make.tenant()
    make.customer(other.id, "Ana", "Lopez", phone="+13125550123")
    make.customer(tenant.id, "Zed", "Mine")

    assert names(client.get("/customers?q=3125550123")) == []
    assert names(client.get("/customers")) == ["Zed Mine"]


def test_pages_by_name_follow_each_other_without_gaps_or_repeats(client: Client, make):
    tenant = signed_in(client, make)
    expected = [f"Customer {i:03d}" for i in range(1, 121)]
    for name in reversed(expected):
        make.customer(tenant.id, name, "")

    seen: list[str] = []
    url: str | None = "/customers?sort=name"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += names(response)
        url = next_link(response)

    assert seen == expected  # 50 + 50 + 20, in name order


def test_newest_first_and_paged(client: Client, make, admin):
    tenant = signed_in(client, make)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for i in range(55):
        customer_id = make.customer(tenant.id, f"Number {i:02d}", "")
        admin.execute(
            "update public.customers set created_at = %s where id = %s",
            [start + timedelta(days=i), customer_id],
        )

    first = client.get("/customers?sort=newest")
    second = client.get(next_link(first) or "")

    assert names(first)[:2] == ["Number 54", "Number 53"]
    assert len(names(first)) == 50
    assert names(second) == [f"Number {i:02d}" for i in range(4, -1, -1)]
    assert next_link(second) is None


def test_search_results_are_paged_too(client: Client, make):
    tenant = signed_in(client, make)
    for i in range(60):
        make.customer(tenant.id, f"Smith {i:02d}", "")
    make.customer(tenant.id, "Jones", "")

    first = client.get("/customers?q=smith")
    second = client.get(next_link(first) or "")

    assert len(names(first)) == 50
    assert names(second) == [f"Smith {i:02d}" for i in range(50, 60)]


# A NUL character anywhere in a request is refused before any view (tests/test_routes_security.py).
@pytest.mark.parametrize("after", ["garbage", "W10=", "WyJ4IiwgIm5vdC1hLXV1aWQiXQ=="])
def test_a_garbled_cursor_or_sort_never_becomes_an_error(client: Client, make, after):
    tenant = signed_in(client, make)
    make.customer(tenant.id, "Ana", "Lopez")

    assert names(client.get("/customers", query_string={"after": after})) == ["Ana Lopez"]
    newest = client.get("/customers", query_string={"after": after, "sort": "newest"})
    assert names(newest) == ["Ana Lopez"]
    assert client.get("/customers?sort=sideways").status_code == 422
    assert client.get("/customers", query_string={"q": "a\x00b"}).status_code == 400


def test_no_customers_yet_invites_to_add_the_first(client: Client, make):
    signed_in(client, make)

    page = text(client.get("/customers"))

    assert "No customers yet" in page
    assert 'href="/customers/new"' in page


def test_no_match_says_so(client: Client, make):
    tenant = signed_in(client, make)
    make.customer(tenant.id, "Ana", "Lopez")

    page = text(client.get("/customers?q=zebra"))

    assert "No customer matches “zebra”" in page
    assert "No customers yet" not in page


def test_a_short_search_finds_names_that_start_with_it(client: Client, make):
    tenant = signed_in(client, make)
    make.customer(tenant.id, "Ana", "Lopez")
    make.customer(tenant.id, "Dana", "Reyes")

    assert names(client.get("/customers?q=an")) == ["Ana Lopez"]


@pytest.mark.parametrize("sort", ["name", "newest"])
def test_a_term_matching_many_customers_finds_the_same_page_by_walking_the_list(
    client: Client, make, admin, monkeypatch, sort
):
    """Above DENSE_MATCHES the list is walked in order instead of sorting every match: the
    customers found, by name, address or contact, and their order must not change."""
    from app.customers import search

    tenant = signed_in(client, make)
    for first in ("Ada", "Bo", "Cy"):
        make.customer(tenant.id, first, "Kowalski")
    by_address = make.customer(tenant.id, "Dee", "Street")
    make.property(tenant.id, by_address, street="9 Kowalski Rd")
    by_contact = make.customer(
        tenant.id, "Eve", "Office", kind="commercial", company_name="Eve's Bakery"
    )
    make.contact(tenant.id, by_contact, full_name="Zofia Kowalski")
    make.customer(tenant.id, "Fay", "Nobody")

    sorted_matches = names(client.get("/customers", query_string={"q": "kowalski", "sort": sort}))
    monkeypatch.setattr(search, "DENSE_MATCHES", 2)
    walked = names(client.get("/customers", query_string={"q": "kowalski", "sort": sort}))

    assert len(sorted_matches) == 5 and "Fay Nobody" not in sorted_matches
    assert walked == sorted_matches


def test_each_row_links_to_its_customer_and_shows_the_first_address(client: Client, make, admin):
    """The rows' links share one path and the address is a filter: the same links and words."""
    tenant = signed_in(client, make)
    ana = make.customer(tenant.id, "Ana", "Lopez", phone="+13125550123")
    home = make.property(tenant.id, ana, street="4821 N Damen Ave", city="Chicago")
    admin.execute("update public.properties set unit = 'Apt 2' where id = %s", [home])
    make.property(tenant.id, ana, street="9 Later St", city="Evanston")
    ben = make.customer(tenant.id, "Ben", "Other")
    make.property(tenant.id, ben, street="1 Plain Rd", city="Peoria")
    admin.execute(
        "update public.properties set region = '', postal_code = '' where customer_id = %s", [ben]
    )
    admin.execute("update public.customers set do_not_contact = true where id = %s", [ben])

    page = text(client.get("/customers"))

    assert f'<a href="/customers/{ana}"><strong>Ana Lopez</strong></a>' in page
    assert "4821 N Damen Ave, Apt 2, Chicago, IL 62701 (+1 more)" in page
    assert "1 Plain Rd, Peoria</span>" in page
    assert page.count("Do not contact") == 1
    assert client.get(f"/customers/{ana}").status_code == 200


def test_a_term_matching_exactly_the_cap_walks_the_list(client: Client, make, monkeypatch):
    """At DENSE_MATCHES matches (not only above) the list is walked; one fewer is sorted; the
    page is the same either way."""
    from app.customers import search

    tenant = signed_in(client, make)
    for first in ("Ada", "Bo", "Cy"):
        make.customer(tenant.id, first, "Kowalski")
    make.customer(tenant.id, "Fay", "Nobody")
    expected = ["Ada Kowalski", "Bo Kowalski", "Cy Kowalski"]

    for cap in (2, 3, 4):
        monkeypatch.setattr(search, "DENSE_MATCHES", cap)
        assert names(client.get("/customers", query_string={"q": "kowalski"})) == expected
