"""The main menu: rendered from the registry (app/menu.py), each member sees the pages their
role may open, in a bar for wide screens and under the Menu button, the current page marked."""

from __future__ import annotations

import re

import pytest

from app import menu
from tests.conftest import Client
from tests.factories import Factory

OFFICE = [
    "Dashboard",
    "New call",
    "Dispatch",
    "Jobs",
    "Visits",
    "Customers",
    "Requests",
    "Estimates",
    "Messages",
    "Booking requests",
    "Invoices",
    "Reports",
    "Maintenance plans",
    "Price book",
    "Campaigns",
    "Message log",
    "Privacy requests",
]
EXPECTED = {
    "owner": [*OFFICE, "Team", "Company", "Export data", "Audit log", "Outbox"],
    "admin": [*OFFICE, "Team", "Company", "Export data", "Audit log"],
    "dispatcher": OFFICE,
    "office": OFFICE,
    "technician": ["Dashboard", "My day", "Calendar feed"],
}
BAR = re.compile(r'<nav class="primary" aria-label="Main">(.*?)</nav>', re.S)
LINK = re.compile(r'<a (?:class="[^"]*" )?href="([^"]+)"( aria-current="page")?[^>]*>([^<]+)</a>')


def bar_links(page: str) -> list[tuple[str, bool, str]]:
    match = BAR.search(page)
    assert match, "no main navigation bar"
    return [(href, bool(current), label) for href, current, label in LINK.findall(match[1])]


@pytest.mark.parametrize("role", EXPECTED)
def test_each_role_sees_the_pages_it_may_open_and_each_opens(
    client: Client, make: Factory, role: str
) -> None:
    tenant = make.tenant()
    member = tenant.owner if role == "owner" else make.member(tenant.id, role)
    client.sign_in(member.email)
    home = client.get("/").get_data(as_text=True)
    links = bar_links(home)
    assert [label for _, _, label in links] == EXPECTED[role]
    # The same pages under the Menu button (the phone's menu), after the company's name.
    menu_nav = home.split('<nav aria-label="Menu">')[1].split("</nav>")[0]
    assert [label for _, _, label in LINK.findall(menu_nav)][: len(links)] == EXPECTED[role]
    for href, _, label in links:
        page = client.get(href)
        assert page.status_code == 200, label
        marked = [lbl for _, current, lbl in bar_links(page.get_data(as_text=True)) if current]
        assert marked == [label]  # aria-current on this page's entry only


def test_a_member_without_a_company_and_a_visitor_get_no_bar(client: Client, make: Factory):
    assert 'class="primary"' not in client.get("/sign-in").get_data(as_text=True)
    account = make.account()
    email = make.conn.execute("select email from iam.accounts where id = %s", [account]).fetchone()
    assert email is not None
    client.sign_in(email["email"])
    assert 'class="primary"' not in client.get("/").get_data(as_text=True)


def test_the_registry_orders_entries_and_a_feature_replaces_its_own() -> None:
    orders = [entry.order for entry in menu.entries()]
    assert orders == sorted(orders)
    endpoints = [entry.endpoint for entry in menu.entries()]
    assert len(endpoints) == len(set(endpoints))
