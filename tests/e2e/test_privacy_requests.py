"""An admin records a homeowner's request to see their data, taken by phone, opens it, downloads
the data and completes it with an answer; then records a request to be erased, erases the
customer after confirming, and completes that one. The dashboard lists the open requests
before, and none after."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import sign_in
from tests.factories import Factory

pytestmark = [pytest.mark.e2e, pytest.mark.promise("P-10")]


def record(page: Page, base_url: str, name: str, kind: str, details: str) -> None:
    """Record a request taken by phone for the customer called `name`."""
    page.goto(f"{base_url}/privacy-requests/new")
    page.get_by_label("Customer name, phone or email").fill(name)
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name=name).click()
    page.get_by_label("The homeowner asks to").select_option(label=kind)
    page.get_by_label("Phone call").check()
    page.get_by_label("Details").fill(details)
    page.get_by_role("button", name="Record the request").click()
    expect(page.get_by_text("Request recorded. It is due in 30 days.")).to_be_visible()


def complete(page: Page, answer: str) -> None:
    page.get_by_label("Done").check()
    page.get_by_role("textbox", name="Answer").fill(answer)
    page.get_by_role("button", name="Record the answer").click()
    expect(page.get_by_text("Answer recorded.")).to_be_visible()


def test_an_admin_answers_an_access_request_and_an_erasure(
    browser: Browser, live_server: str, make: Factory
) -> None:
    tenant = make.tenant("Arctic Air")
    admin = make.member(tenant.id, "admin")
    make.customer(tenant.id, "Alma", "Access", email="alma@access.example")
    make.customer(tenant.id, "Edgar", "Erase", email="edgar@erase.example")
    page = browser.new_page(accept_downloads=True)
    sign_in(page, live_server, admin.email)
    expect(page.get_by_text("No open privacy requests.")).to_be_visible()

    record(page, live_server, "Alma Access", "See my data", "Wants a copy of everything.")
    request_page = page.url
    record(page, live_server, "Edgar Erase", "Delete my data", "Asked to be forgotten.")
    page.goto(live_server)
    tile = page.locator("section.tile", has_text="Privacy requests")
    expect(tile).to_contain_text("2 open, answered within 30 days.")
    expect(tile).to_contain_text("Alma Access")
    expect(tile).to_contain_text("Edgar Erase")

    page.goto(request_page)
    expect(page.get_by_role("heading", name="See my data")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download their data").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    data = json.loads(archive.read("data.json"))
    assert data["tables"]["public.customers"][0]["email"] == "alma@access.example"
    assert "Edgar" not in json.dumps(data)
    complete(page, "We emailed you a copy of your data.")

    page.goto(live_server)
    tile = page.locator("section.tile", has_text="Privacy requests")
    expect(tile).to_contain_text("1 open, answered within 30 days.")
    tile.get_by_role("link", name="Edgar Erase").click()
    page.get_by_role("link", name="Erase the customer").click()
    expect(page.get_by_text("Invoices and payments stay")).to_be_visible()
    page.get_by_role("button", name="Erase Edgar Erase").click()
    expect(page.get_by_text("The customer was erased.")).to_be_visible()
    expect(page.locator(".lead")).to_contain_text("Erased customer")
    complete(page, "Your data has been erased.")

    page.goto(live_server)
    expect(page.get_by_text("No open privacy requests.")).to_be_visible()
    page.goto(f"{live_server}/customers")
    expect(page.get_by_role("link", name="Edgar Erase")).to_have_count(0)
    page.close()
