"""The issue's office flow in real Chromium: import a CSV, find a customer by a phone number
typed another way, open the customer, add a property and a piece of equipment."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import sign_in
from tests.factories import Factory

pytestmark = [pytest.mark.e2e, pytest.mark.promise("P-07")]

CSV = (
    "\ufeffFirst Name;Last Name;Mobile;E-mail;Address;City;State;Zip\n"
    "Dorota;Kowalczyk;(312) 555-0142;dorota@example.com;4410 N Elm St;Chicago;IL;60640\n"
    "Ben;Okafor;773.555.0117;ben@example.com;12 Oak Ave;Evanston;IL;60201\n"
    ";;;nobody@example.com;;;;\n"
)


def test_office_imports_finds_and_equips_a_customer(
    browser: Browser, live_server: str, make: Factory, tmp_path: Path
):
    tenant = make.tenant("Lakeshore Heating")
    office = make.member(tenant.id, "office")
    upload = tmp_path / "old-system.csv"
    upload.write_text(CSV, encoding="utf-8")
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_server, office.email)

    page.goto(f"{live_server}/customers")
    page.get_by_role("link", name="Import", exact=True).first.click()
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_role("button", name="Upload and map columns").click()
    page.get_by_role("button", name="Check the rows").click()
    skipped = page.locator("#skipped tbody tr")
    expect(skipped).to_have_count(1)
    expect(skipped.first.locator("td").first).to_have_text("4")  # the row with no name
    page.get_by_role("button", name="Import: 2 new, 0 updated").click()
    expect(
        page.get_by_text("Import finished: 2 new, 0 updated, 0 already so, 1 row left out.")
    ).to_be_visible()

    page.goto(f"{live_server}/customers")
    page.get_by_role("searchbox").fill("312.555.0142")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Dorota Kowalczyk").click()
    expect(page.get_by_role("heading", name="Dorota Kowalczyk")).to_be_visible()
    expect(page.get_by_text("4410 N Elm St")).to_be_visible()  # the imported address

    page.get_by_role("link", name="Add property").click()
    page.get_by_label("Street address").fill("88 Lake Shore Dr")
    page.get_by_label("City").fill("Chicago")
    page.get_by_label("State or region").fill("IL")
    page.get_by_label("ZIP or postal code").fill("60611")
    page.get_by_role("button", name="Add property").click()
    expect(page.get_by_text("88 Lake Shore Dr").first).to_be_visible()

    page.get_by_role("link", name="Add equipment").first.click()
    page.get_by_label("Type").select_option("furnace")
    page.get_by_label("Brand").fill("Lennox")
    page.get_by_label("Model number").fill("SL280V")
    page.get_by_role("button", name="Add equipment").click()
    expect(page.get_by_text("Lennox").first).to_be_visible()
    context.close()
