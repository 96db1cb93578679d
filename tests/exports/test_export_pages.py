"""P-09: the export page. An owner or admin starts an export, follows it, and downloads the zip
while it is kept; nobody else can, and every download is in the audit log."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest
from flask import Flask
from psycopg_pool import ConnectionPool

from app import crypto
from app.db import Connection
from app.integrations.files import LocalFolderFiles
from tests.clock import set_clock
from tests.conftest import Client
from tests.exports.support import export_row, run_exports
from tests.factories import Factory, Tenant


def signed_in(app: Flask, email: str) -> Client:
    client: Client = app.test_client()  # type: ignore[assignment]
    client.sign_in(email)
    return client


def the_export(admin: Connection, tenant: Tenant) -> dict:
    row = admin.execute(
        "select id from public.company_exports where tenant_id = %s order by created_at desc",
        [tenant.id],
    ).fetchone()
    assert row is not None
    return export_row(admin, row["id"])


def started(client: Client, admin: Connection, tenant: Tenant, **form: str) -> dict:
    response = client.submit("/company/export", form, follow_redirects=True)
    assert response.status_code == 200
    assert "Export started" in response.get_data(as_text=True)
    return the_export(admin, tenant)


@pytest.mark.promise("P-09")
def test_an_owner_starts_an_export_follows_it_and_downloads_the_zip(
    app: Flask, admin: Connection, make: Factory, pool: ConnectionPool,
    store: LocalFolderFiles, keyring: crypto.Keyring,
) -> None:  # fmt: skip
    company = make.tenant("Download Heating")
    make.customer(company.id, "Dora", "Downloader")
    owner = signed_in(app, company.owner.email)
    empty = owner.get("/company/export").get_data(as_text=True)
    assert "No export yet" in empty and "Include access notes and gate codes" in empty

    export = started(owner, admin, company)
    page = owner.get("/company/export").get_data(as_text=True)
    assert "Waiting to start" in page and 'http-equiv="refresh"' in page
    again = owner.submit("/company/export", {})
    assert again.status_code == 409
    assert "An export is already being prepared" in again.get_data(as_text=True)

    run_exports(pool, store, keyring)
    page = owner.get("/company/export").get_data(as_text=True)
    assert "Ready to download" in page and 'http-equiv="refresh"' not in page
    response = owner.get(f"/company/export/{export['id']}/download")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert "Downloader" in archive.read("csv/public.customers.csv").decode()
    logged = admin.execute(
        "select actor_id from audit.changes where tenant_id = %s and operation = 'access'"
        " and table_name = 'public.company_exports' and row_key = %s",
        [company.id, str(export["id"])],
    ).fetchall()
    assert [row["actor_id"] for row in logged] == [company.owner.account_id]


@pytest.mark.promise("P-09")
def test_only_the_companys_owners_and_admins_can_download_it(
    app: Flask, admin: Connection, make: Factory, pool: ConnectionPool,
    store: LocalFolderFiles, keyring: crypto.Keyring,
) -> None:  # fmt: skip
    company = make.tenant("Private Cooling")
    other = make.tenant("Nosy Neighbours")
    export = started(signed_in(app, company.owner.email), admin, company)
    run_exports(pool, store, keyring)
    url = f"/company/export/{export['id']}/download"

    admin_member = make.member(company.id, "admin")
    assert signed_in(app, admin_member.email).get(url).status_code == 200
    assert signed_in(app, other.owner.email).get(url).status_code == 404
    for role in ("dispatcher", "office", "technician"):
        member = make.member(company.id, role)
        client = signed_in(app, member.email)
        assert client.get(url).status_code == 403
        assert client.get("/company/export").status_code == 403
    anonymous = app.test_client()
    response = anonymous.get(url)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


@pytest.mark.promise("P-09")
def test_an_admin_is_not_offered_the_gate_codes_and_cannot_slip_them_in(
    app: Flask, admin: Connection, make: Factory
) -> None:
    company = make.tenant("Admin Run")
    admin_member = make.member(company.id, "admin")
    client = signed_in(app, admin_member.email)
    assert "Include access notes" not in client.get("/company/export").get_data(as_text=True)
    export = started(client, admin, company, include_access_notes="y")
    assert export["include_access_notes"] is False
    assert export["requested_by"] == admin_member.account_id


@pytest.mark.promise("P-09")
def test_after_seven_days_the_download_says_the_export_is_no_longer_kept(
    app: Flask, admin: Connection, make: Factory, pool: ConnectionPool,
    store: LocalFolderFiles, keyring: crypto.Keyring,
) -> None:  # fmt: skip
    company = make.tenant("Late Download")
    set_clock(admin, datetime(2027, 2, 1, 9, tzinfo=UTC))
    owner = signed_in(app, company.owner.email)
    export = started(owner, admin, company)
    run_exports(pool, store, keyring)
    url = f"/company/export/{export['id']}/download"
    assert owner.get(url).status_code == 200
    set_clock(admin, datetime(2027, 2, 8, 10, tzinfo=UTC))
    response = owner.get(url)
    assert response.status_code == 410
    assert "can be downloaded for 7 days" in response.get_data(as_text=True)
    page = owner.get("/company/export").get_data(as_text=True)
    assert "No longer kept" in page and ">Download<" not in page


def test_a_failed_export_says_why_on_the_page(app: Flask, admin: Connection, make: Factory) -> None:
    company = make.tenant("Failing Fans")
    admin.execute(
        "insert into public.company_exports (tenant_id, status, error, finished_at)"
        " values (%s, 'failed', 'The gate and alarm codes could not be decrypted.', now())",
        [company.id],
    )
    page = signed_in(app, company.owner.email).get("/company/export").get_data(as_text=True)
    assert "Failed" in page and "could not be decrypted" in page
