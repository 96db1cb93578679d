"""P-11: a closed company is read-only, but its owners can still export all of its data: the
export page takes the request and the worker prepares the file."""

from __future__ import annotations

import pytest
from psycopg_pool import ConnectionPool

from app import crypto
from app.db import Connection
from app.integrations.files import LocalFolderFiles
from tests.conftest import Client, TestDatabase
from tests.exports.support import run_exports
from tests.factories import Factory
from tests.lifecycle.closing_support import close_as


@pytest.mark.promise("P-11")
def test_a_closed_companys_owner_exports_its_data(
    client: Client,
    database: TestDatabase,
    admin: Connection,
    make: Factory,
    pool: ConnectionPool,
    store: LocalFolderFiles,
    keyring: crypto.Keyring,
) -> None:
    tenant = make.tenant("Polar Bear HVAC")
    make.customer(tenant.id, "Dana", "Reyes")
    close_as(database, tenant.owner)
    client.sign_in(tenant.owner.email)

    requested = client.submit("/company/export", {})
    assert requested.status_code in (302, 303), requested.get_data(as_text=True)
    run_exports(pool, store, keyring)

    exports = admin.execute(
        "select status from public.company_exports where tenant_id = %s", [tenant.id]
    ).fetchall()
    assert exports == [{"status": "done"}]
    page = client.get("/company/export").get_data(as_text=True)
    assert "This company is closed" in page
