"""P-09: the owner exports the company's data from the browser: starts the export, watches the
page until the worker has prepared it, downloads the zip, and finds their customers in it."""

from __future__ import annotations

import zipfile

import pytest
from playwright.sync_api import Browser, expect
from psycopg_pool import ConnectionPool

from app import crypto
from app.integrations.files import LocalFolderFiles
from jobs import company_export
from tests.conftest import TestDatabase, make_settings
from tests.e2e.conftest import sign_in
from tests.factories import Factory


@pytest.mark.promise("P-09")
def test_the_owner_exports_the_company_and_downloads_the_zip(
    browser: Browser,
    live_server: str,
    database: TestDatabase,
    make: Factory,
    pool: ConnectionPool,
) -> None:
    company = make.tenant("Browser Boilers")
    make.customer(company.id, "Esther", "Exportable")
    settings = make_settings(database)
    page = browser.new_page()
    sign_in(page, live_server, company.owner.email)
    page.get_by_role("link", name="Export data").first.click()
    expect(page.get_by_text("No export yet")).to_be_visible()
    page.get_by_role("button", name="Start the export").click()
    expect(page.get_by_text("Export started")).to_be_visible()
    expect(page.get_by_text("Waiting to start")).to_be_visible()

    # The worker's job, as `python -m jobs` runs it; the page refreshes itself meanwhile.
    company_export.sweep(
        pool, store=LocalFolderFiles(settings.files_dir), keyring=crypto.keyring_of(settings)
    )
    expect(page.get_by_text("Ready to download")).to_be_visible(timeout=15_000)
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download").click()
    download = downloading.value
    assert download.suggested_filename.startswith("company-export-")
    with zipfile.ZipFile(download.path()) as archive:
        customers = archive.read("csv/public.customers.csv").decode()
    assert "Esther" in customers and "Exportable" in customers
    page.close()
