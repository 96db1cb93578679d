"""P-09: the export job. Gate and alarm codes only when an owner asked; a run that died is taken
over; a failure is recorded and reported; a closed company can still export; a large company is
read a few rows at a time; the zips go after 7 days; no secret-looking column is unclassified."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from uuid import UUID

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from app import catalog, crypto, db
from app.auth.identity import claims_for
from app.company_export import columns as classified
from app.db import Connection
from app.integrations.files import LocalFolderFiles
from app.integrations.storage import SupabaseStorageFiles
from jobs import REGISTRY
from jobs.company_export import ExportsFailed
from tests.clock import set_clock
from tests.exports.support import (
    export_row,
    opened_zip,
    queue_export,
    run_exports,
)
from tests.factories import Factory, Tenant
from tests.integrations.storage_server import StorageServer

GATE_CODE = "Gate 4711, alarm 0815#"


def property_with_codes(
    admin: Connection, make: Factory, tenant: Tenant, keyring: crypto.Keyring
) -> UUID:
    property_id = make.property(tenant.id, make.customer(tenant.id, "Gina", "Gate"))
    sealed = crypto.encrypt(
        GATE_CODE, place=crypto.PROPERTY_ACCESS_NOTES.at(tenant.id, property_id), keyring=keyring
    )
    admin.execute(
        "update public.properties set access_notes_encrypted = %s where id = %s",
        [sealed, property_id],
    )
    return property_id


def properties_in(store: LocalFolderFiles, admin: Connection, export_id: UUID) -> tuple[list, list]:
    archive = opened_zip(store, admin, export_id)
    rows = list(csv.DictReader(io.StringIO(archive.read("csv/public.properties.csv").decode())))
    return rows, json.loads(archive.read("json/public.properties.json"))


def asks_for_codes(admin: Connection, member: UUID, tenant_id: UUID) -> None:
    with admin.transaction(force_rollback=True):
        db.begin(admin, claims_for(member, tenant_id))
        admin.execute(
            "insert into public.company_exports (tenant_id, include_access_notes)"
            " values (%s, true)",
            [tenant_id],
        )


@pytest.mark.promise("P-09")
def test_gate_codes_are_left_out_unless_an_owner_asked_and_then_decrypted(
    admin: Connection, make: Factory, pool: ConnectionPool, store: LocalFolderFiles,
    keyring: crypto.Keyring,
) -> None:  # fmt: skip
    company = make.tenant("Gatekeepers")
    property_id = property_with_codes(admin, make, company, keyring)
    plain = queue_export(admin, company.id)
    run_exports(pool, store, keyring)
    rows, values = properties_in(store, admin, plain)
    assert "access_notes" not in rows[0] and "access_notes_encrypted" not in rows[0]
    assert "access_notes" not in values[0]
    # the note's words (a bare "4711" may turn up inside a random id or digest)
    assert b"Gate 4711" not in b"".join(
        opened_zip(store, admin, plain).read(n) for n in opened_zip(store, admin, plain).namelist()
    )

    with_codes = queue_export(admin, company.id, include_access_notes=True)
    run_exports(pool, store, keyring)
    rows, values = properties_in(store, admin, with_codes)
    [row] = [r for r in rows if r["id"] == str(property_id)]
    [value] = [v for v in values if v["id"] == str(property_id)]
    assert row["access_notes"] == value["access_notes"] == GATE_CODE
    readme = opened_zip(store, admin, with_codes).read("README.txt").decode()
    assert "included, decrypted, because an owner asked for them" in readme


@pytest.mark.promise("P-09")
def test_only_an_owner_may_ask_for_the_gate_codes_and_the_choice_is_audited(
    admin: Connection, make: Factory
) -> None:
    company = make.tenant("Gatekeepers")
    other = make.tenant("Elsewhere")
    admin_member = make.member(company.id, "admin")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        asks_for_codes(admin, admin_member.account_id, company.id)
    for role in ("dispatcher", "office", "technician"):
        member = make.member(company.id, role)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            asks_for_codes(admin, member.account_id, company.id)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        asks_for_codes(admin, other.owner.account_id, company.id)
    with admin.transaction():
        db.begin(admin, claims_for(company.owner.account_id, company.id))
        admin.execute(
            "insert into public.company_exports (tenant_id, include_access_notes)"
            " values (%s, true)",
            [company.id],
        )
    logged = admin.execute(
        "select actor_id, new_values from audit.changes where tenant_id = %s"
        " and table_name = 'public.company_exports' and operation = 'insert'",
        [company.id],
    ).fetchone()
    assert logged is not None and logged["new_values"]["include_access_notes"] is True
    assert logged["actor_id"] == company.owner.account_id
    assert logged["new_values"]["requested_by"] == str(company.owner.account_id)


@pytest.mark.promise("P-09")
def test_an_export_reads_and_keeps_its_files_in_supabase_storage(
    admin: Connection, make: Factory, pool: ConnectionPool, storage_server: StorageServer,
    keyring: crypto.Keyring,
) -> None:  # fmt: skip
    """Every file of the company is copied from Storage into the zip (not its earlier zips, not
    another company's), and the zip is kept in Storage."""
    store = SupabaseStorageFiles(storage_server.url, storage_server.key, "plenum-test")
    company, other = make.tenant(), make.tenant()
    photo = f"{company.id}/visits/{company.id}/photo.jpg"
    store.put(photo, b"\xff\xd8\xff photo", "image/jpeg")
    store.put(f"{company.id}/exports/earlier.zip", b"PK earlier", "application/zip")
    store.put(f"{other.id}/visits/{other.id}/theirs.jpg", b"theirs", "image/jpeg")
    export_id = queue_export(admin, company.id)

    assert run_exports(pool, store, keyring) == 1

    key = export_row(admin, export_id)["storage_key"]
    assert storage_server.objects[f"plenum-test/{key}"].content_type == "application/zip"
    archive = opened_zip(store, admin, export_id)
    copied = [name for name in archive.namelist() if name.startswith("files/")]
    assert copied == [f"files/{photo}"]
    assert archive.read(f"files/{photo}") == b"\xff\xd8\xff photo"


def test_a_second_export_is_refused_while_one_waits(admin: Connection, make: Factory) -> None:
    company = make.tenant()
    queue_export(admin, company.id)
    with pytest.raises(psycopg.errors.UniqueViolation) as refused:
        queue_export(admin, company.id)
    assert refused.value.diag.constraint_name == "company_exports_one_at_a_time"


@pytest.mark.promise("P-09")
def test_an_export_whose_run_died_is_taken_over_and_finished(
    admin: Connection, make: Factory, pool: ConnectionPool, store: LocalFolderFiles,
    keyring: crypto.Keyring,
) -> None:  # fmt: skip
    company = make.tenant("Crashing Cooling")
    export_id = queue_export(admin, company.id)
    admin.execute(
        "update public.company_exports set status = 'running', attempts = 1, tables_done = 3,"
        " claimed_until = app.now() + interval '5 minutes' where id = %s",
        [export_id],
    )
    assert run_exports(pool, store, keyring) == 0  # still held by its run
    admin.execute(
        "update public.company_exports set claimed_until = app.now() - interval '1 second'"
        " where id = %s",
        [export_id],
    )
    assert run_exports(pool, store, keyring) == 1
    row = export_row(admin, export_id)
    assert (row["status"], row["attempts"], row["error"]) == ("done", 2, "")
    assert row["expires_at"] - row["finished_at"] == timedelta(days=7)
    assert "csv/public.customers.csv" in opened_zip(store, admin, export_id).namelist()


@pytest.mark.promise("P-09")
def test_a_failing_export_is_marked_failed_with_a_reason_and_the_job_fails(
    admin: Connection, make: Factory, pool: ConnectionPool, store: LocalFolderFiles,
    keyring: crypto.Keyring,
) -> None:  # fmt: skip
    company = make.tenant("Broken Keys")
    property_id = make.property(company.id, make.customer(company.id))
    admin.execute(
        "update public.properties set access_notes_encrypted = %s where id = %s",
        ["v2:retired:" + "A" * 40, property_id],
    )
    export_id = queue_export(admin, company.id, include_access_notes=True)
    assert REGISTRY["company_export"].sweep.__module__ == "jobs.company_export"
    with pytest.raises(ExportsFailed):
        run_exports(pool, store, keyring)
    row = export_row(admin, export_id)
    assert row["status"] == "failed" and row["storage_key"] is None
    assert "gate and alarm codes of a property could not be decrypted" in row["error"]
    assert list(store.keys(f"{company.id}/")) == []  # no zip left behind
    queue_export(admin, company.id)  # a failed export does not block the next
    assert run_exports(pool, store, keyring) == 1


@pytest.mark.promise("P-09")
def test_a_closed_company_can_still_export(
    admin: Connection, make: Factory, pool: ConnectionPool, store: LocalFolderFiles,
    keyring: crypto.Keyring,
) -> None:  # fmt: skip
    company = make.tenant("Closing Down Ltd")
    make.customer(company.id, "Last", "Customer")
    export_id = queue_export(admin, company.id)
    admin.execute(
        "update public.tenants set status = 'closed', closed_at = app.now(),"
        " purge_after = app.now() + interval '30 days' where id = %s",
        [company.id],
    )
    assert run_exports(pool, store, keyring) == 1
    customers = opened_zip(store, admin, export_id).read("csv/public.customers.csv").decode()
    assert "Last" in customers and "Customer" in customers


@pytest.mark.promise("P-09")
def test_a_large_company_is_read_a_few_rows_at_a_time_and_every_row_is_there(
    admin: Connection, make: Factory, pool: ConnectionPool, store: LocalFolderFiles,
    keyring: crypto.Keyring,
) -> None:  # fmt: skip
    company = make.tenant("Many Customers Inc")
    admin.execute(
        "insert into public.customers (tenant_id, kind, first_name, last_name)"
        " select %s, 'residential', 'Customer', 'Number ' || n from generate_series(1, 3000) n",
        [company.id],
    )
    export_id = queue_export(admin, company.id)
    assert run_exports(pool, store, keyring, cursor_rows=50) == 1
    archive = opened_zip(store, admin, export_id)
    rows = list(csv.DictReader(io.StringIO(archive.read("csv/public.customers.csv").decode())))
    values = json.loads(archive.read("json/public.customers.json"))
    expected = {f"Number {n}" for n in range(1, 3001)}
    assert {r["last_name"] for r in rows} == {v["last_name"] for v in values} == expected
    assert export_row(admin, export_id)["rows_done"] >= 3000


@pytest.mark.promise("P-09")
def test_a_zip_is_deleted_seven_days_after_it_was_made_and_the_export_marked_expired(
    admin: Connection, make: Factory, pool: ConnectionPool, store: LocalFolderFiles,
    keyring: crypto.Keyring,
) -> None:  # fmt: skip
    company = make.tenant("Tidy Co")
    export_id = queue_export(admin, company.id)
    set_clock(admin, datetime(2027, 1, 4, 9, tzinfo=UTC))
    run_exports(pool, store, keyring)
    key = export_row(admin, export_id)["storage_key"]

    def sweep_at(now: datetime) -> int:
        set_clock(admin, now)
        with db.service_role_transaction(pool) as conn:
            return int(
                conn.execute(
                    "select app.sweep_expired_exports(app.now() - interval '7 days', 100) as n"
                ).fetchone()["n"]  # type: ignore[index]
            )

    assert sweep_at(datetime(2027, 1, 10, 9, tzinfo=UTC)) == 0
    assert sweep_at(datetime(2027, 1, 11, 10, tzinfo=UTC)) == 1
    row = export_row(admin, export_id)
    assert (row["status"], row["storage_key"]) == ("expired", None)
    queued = admin.execute("select 1 from app.discarded_files where storage_key = %s", [key])
    assert queued.fetchone() is not None  # the discarded_files job deletes the zip
    rule = admin.execute(
        "select period, action, sweep_function from app.retention_rules"
        " where record_kind = 'export files'"
    ).fetchone()
    assert rule == {
        "period": timedelta(days=7),
        "action": "anonymise",
        "sweep_function": "app.sweep_expired_exports",
    }


def test_every_secret_looking_column_of_a_company_table_is_classified(admin: Connection) -> None:
    """A new column named like a secret fails here until columns.py says whether it is one."""
    unclassified = []
    for table in catalog.tenant_tables(admin):
        names = [
            row["attname"]
            for row in admin.execute(
                "select attname from pg_attribute where attrelid = %s::regclass"
                " and attnum > 0 and not attisdropped",
                [table],
            ).fetchall()
        ]
        unclassified += [f"{table}.{c}" for c in classified.unclassified(table, names)]
    assert unclassified == []
    sealed = {f"{c.table}.{c.column}" for c in crypto.ENCRYPTED_COLUMNS if c.tenant_column}
    assert sealed <= classified.NEVER.keys() | classified.DECRYPTED_ON_REQUEST.keys()


def test_an_unclassified_secret_looking_column_is_caught() -> None:
    assert classified.unclassified("public.things", ["name", "api_secret", "pin_code"]) == [
        "api_secret",
        "pin_code",
    ]
