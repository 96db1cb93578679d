"""P-11 from end to end, by the database's clock: closed on day 0 (read-only at once, export
still works), reopenable on day 29; a company left closed is purged by the worker once its 30
days are over, well before day 60, and leaves its certificate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from psycopg_pool import ConnectionPool

from app import crypto
from app.db import Connection
from app.integrations.files import LocalFolderFiles
from tests.clock import set_clock
from tests.conftest import TestDatabase, make_settings
from tests.exports.support import run_exports
from tests.factories import Factory, Tenant
from tests.lifecycle.closing_support import close_as, outcome, reopen_as
from tests.lifecycle.purge_support import sweep
from tests.policies.identity import acting_as, claims_of

DAY_0 = datetime(2027, 5, 3, 14, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return DAY_0 + timedelta(days=n)


def edit_and_export(database: TestDatabase, tenant: Tenant, customer: object) -> list[str]:
    """What the owner's customer edit and export request come to."""
    with acting_as(database, claims_of(tenant.owner)) as conn:
        return [
            outcome(
                conn,
                "update public.customers set first_name = 'Changed' where id = %(c)s",
                {"c": customer},
            ),
            outcome(
                conn,
                "insert into public.company_exports (tenant_id) values (%(t)s)",
                {"t": tenant.id},
            ),
        ]


def status(admin: Connection, tenant: Tenant) -> dict:
    row = admin.execute(
        "select status, closed_at, purged_at from public.tenants where id = %s", [tenant.id]
    ).fetchone()
    assert row is not None
    return dict(row)


@pytest.mark.promise("P-11")
def test_close_export_reopen_and_a_purge_that_is_done_before_day_60(
    database: TestDatabase,
    admin: Connection,
    make: Factory,
    pool: ConnectionPool,
    tmp_path: Path,
) -> None:
    reopened, left = make.tenant("Comes Back HVAC"), make.tenant("Leaves For Good HVAC")
    customers = {t.id: make.customer(t.id, "Ada", "Lovelace") for t in (reopened, left)}
    store = LocalFolderFiles(tmp_path)
    set_clock(admin, DAY_0)
    for tenant in (reopened, left):
        assert close_as(database, tenant.owner) == day(30)

    # Day 0: nothing can be changed; the export is asked for and made.
    assert edit_and_export(database, left, customers[left.id]) == ["closed", "changed"]
    admin.execute("insert into public.company_exports (tenant_id) values (%s)", [left.id])
    run_exports(pool, store, crypto.keyring_of(make_settings(database)))
    assert admin.execute(
        "select status from public.company_exports where tenant_id = %s", [left.id]
    ).fetchall() == [{"status": "done"}]

    # Day 29: one company reopens and is writable again; the purge touches neither.
    set_clock(admin, day(29))
    reopen_as(database, reopened.owner)
    assert edit_and_export(database, reopened, customers[reopened.id])[0] == "changed"
    assert sweep(pool, tmp_path) == 0
    assert status(admin, left)["status"] == "closed"

    # Day 31: the other one's purge runs, and is done long before day 60.
    set_clock(admin, day(31))
    assert sweep(pool, tmp_path) == 1
    gone = status(admin, left)
    assert gone["status"] == "purged"
    assert gone["purged_at"] < day(60)
    assert status(admin, reopened)["status"] == "active"
    assert admin.execute(
        "select count(*) as n from app.deletion_certificates where company_id = %s", [left.id]
    ).fetchone() == {"n": 1}
    assert admin.execute(
        "select count(*) as n from public.customers where tenant_id = %s", [left.id]
    ).fetchone() == {"n": 0}
