"""An office manager switching from Housecall Pro imports its customer export (several rows per
customer), reads the preview before anything is saved, imports, and finds the dental practice
as one commercial customer with two properties and its contact person."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import sign_in
from tests.factories import Factory

pytestmark = [pytest.mark.e2e]
ARTIFACTS = Path("test-artifacts")
EXPORT = Path(__file__).resolve().parent.parent / "imports" / "files" / "housecall_pro.csv"


def test_office_imports_a_housecall_pro_export_and_finds_a_merged_customer(
    browser: Browser, live_server: str, make: Factory
):
    tenant = make.tenant("Summit Heating")
    office = make.member(tenant.id, "office")
    page = browser.new_page()
    sign_in(page, live_server, office.email)

    page.goto(f"{live_server}/customers/import")
    page.get_by_label("What the file holds").select_option("customers")
    page.get_by_label("File", exact=True).set_input_files(str(EXPORT))
    page.get_by_role("button", name="Upload and map columns").click()

    expect(page.locator("#source")).to_contain_text("Housecall Pro")
    page.get_by_role("button", name="Check the rows").click()

    expect(page.get_by_text("Nothing is saved yet.")).to_be_visible()
    expect(page.locator("#count-merged")).to_have_text("2")
    dental = page.locator(".import-item", has_text="Riverside Dental Group")
    expect(dental).to_contain_text("Commercial")
    expect(dental).to_contain_text("1200 Main St, Suite 300, Worcester, MA 01545")
    expect(dental).to_contain_text("88 Lincoln St, Worcester, MA 01545-2210")
    expect(dental).to_contain_text("Maria Gomez")
    expect(dental.locator(".flag-repaired").first).to_be_visible()  # the ZIP's leading zero
    expect(page.locator("#skipped")).to_contain_text("No name")
    page.screenshot(path=str(ARTIFACTS / "import-preview.png"), full_page=True)

    page.get_by_role("button", name="Import:").click()
    expect(page.get_by_text("Import finished:")).to_be_visible()

    page.goto(f"{live_server}/customers")
    page.get_by_role("link", name="Riverside Dental Group").click()
    expect(page.get_by_role("heading", name="Riverside Dental Group")).to_be_visible()
    expect(page.get_by_text("1200 Main St")).to_be_visible()
    expect(page.get_by_text("88 Lincoln St")).to_be_visible()
    expect(page.get_by_text("Maria Gomez", exact=True)).to_be_visible()  # the contact person
    page.close()
