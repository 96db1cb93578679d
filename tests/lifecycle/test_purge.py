"""P-13: a purge deletes exactly one company's data, keeps only what the law requires in
anonymised form, and leaves a signed deletion certificate; P-11: 30 days after closing, within
the next 30 days."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from psycopg import sql
from psycopg_pool import ConnectionPool

from app import certificates
from app.audit import checkpoints
from app.db import Connection
from app.integrations import files
from app.integrations.storage import SupabaseStorageFiles
from jobs import purge
from tests.clock import database_now, set_clock
from tests.factories import Factory
from tests.integrations.storage_server import StorageServer
from tests.lifecycle.purge_support import (
    PUBLIC_URL,
    SEED,
    certificate_of,
    checksums,
    close,
    rows_of,
    sweep,
)
from tests.lifecycle.support import populate

KEPT = {"anonymise", "keep"}


def _rules(admin: Connection) -> dict[str, str]:
    rows = admin.execute(
        "select table_name, on_purge from app.retention_rules where on_purge is not null"
    ).fetchall()
    return {row["table_name"]: row["on_purge"] for row in rows}


@pytest.mark.promise("P-13")
def test_a_purge_deletes_one_company_and_leaves_every_other_row_as_it_was(
    admin: Connection, make: Factory, pool: ConnectionPool, tmp_path: Path
) -> None:
    gone, _customer = populate(admin, make, "Gone Heating")
    neighbour, _ = populate(admin, make, "Next Door Cooling")
    store = files.LocalFolderFiles(tmp_path)
    for company in (gone.id, neighbour.id):
        store.put(f"{company}/visits/a.jpg", b"photo", "image/jpeg")
        store.put(f"{company}/company/logo.png", b"logo", "image/png")
    now = database_now(admin)
    close(admin, gone.id, days_ago=31, now=now)
    before = checksums(admin, but=gone.id)
    found = rows_of(admin, gone.id)

    assert sweep(pool, tmp_path) == 1

    assert checksums(admin, but=gone.id) == before
    rules = _rules(admin)
    left = {t: n for t, n in rows_of(admin, gone.id).items() if n and rules[t] not in KEPT}
    assert left == {}
    assert sorted(store.keys(f"{gone.id}/")) == []
    assert sorted(store.keys(f"{neighbour.id}/")) == sorted(
        [f"{neighbour.id}/visits/a.jpg", f"{neighbour.id}/company/logo.png"]
    )
    certificate = certificate_of(admin, gone.id)["certificate"]
    said = {t["table"]: t for t in certificate["tables"]}
    for table, n in found.items():
        if table == "public.tenants":
            continue
        counted = {"delete": "rows_deleted", "anonymise": "rows_anonymised", "keep": "rows_kept"}
        assert said[table][counted[rules[table]]] == n, table
    assert certificate["files_removed"] == 2
    assert certificate["company"]["name"] == "Gone Heating"


@pytest.mark.promise("P-13")
def test_a_purge_removes_the_companys_files_from_supabase_storage(
    admin: Connection, make: Factory, pool: ConnectionPool, storage_server: StorageServer
) -> None:
    """More than a page of Storage's listing, in folders within folders; the neighbour's stay."""
    store = SupabaseStorageFiles(storage_server.url, storage_server.key, "plenum-test")
    gone, neighbour = make.tenant("Gone Heating"), make.tenant("Next Door Cooling")
    for company in (gone.id, neighbour.id):
        for n in range(120):
            store.put(f"{company}/visits/{n % 3}/{n:03}.jpg", b"photo", "image/jpeg")
        store.put(f"{company}/company/logo.png", b"logo", "image/png")
    close(admin, gone.id, days_ago=31, now=database_now(admin))

    finished = purge.sweep(pool, seed=SEED, store=store, public_url=PUBLIC_URL)

    assert finished == 1
    assert list(store.keys(f"{gone.id}/")) == []
    assert len(list(store.keys(f"{neighbour.id}/"))) == 121
    assert certificate_of(admin, gone.id)["certificate"]["files_removed"] == 121


@pytest.mark.promise("P-13")
def test_what_a_purge_keeps_names_no_one(
    admin: Connection, make: Factory, pool: ConnectionPool, tmp_path: Path
) -> None:
    gone, customer = populate(admin, make, "Gone Heating")
    close(admin, gone.id, days_ago=31, now=database_now(admin))
    logged = admin.execute(
        "select count(*) as n from audit.changes where tenant_id = %(t)s", {"t": gone.id}
    ).fetchone()
    personal = admin.execute(
        "select table_name, array_agg(column_name::text) as columns from audit.personal_columns"
        " group by table_name"
    ).fetchall()
    assert sweep(pool, tmp_path) == 1

    invoices = admin.execute(
        "select customer_id, property_id, job_id, visit_id, estimate_id, bill_to_email,"
        " bill_to_address, note, void_reason from public.invoices where tenant_id = %(t)s",
        {"t": gone.id},
    ).fetchall()
    assert invoices and all(set(row.values()) <= {None, ""} for row in invoices), invoices
    for entry in personal:
        schema, _, name = entry["table_name"].partition(".")
        for column in entry["columns"]:
            values = admin.execute(
                sql.SQL("select distinct {}::text as v from {} where tenant_id = %(t)s").format(
                    sql.Identifier(column), sql.Identifier(schema, name)
                ),
                {"t": gone.id},
            ).fetchall()
            assert {v["v"] for v in values} <= {None, "", "Erased customer", "Erased"}, (
                entry["table_name"],
                column,
                values,
            )
    keys = admin.execute(
        "select count(*) filter (where key is not null) as readable, count(*) as all"
        " from audit.subject_keys where tenant_id = %(t)s",
        {"t": gone.id},
    ).fetchone()
    assert keys is not None and keys["all"] > 0 and keys["readable"] == 0
    company = admin.execute(
        "select name, status, phone, address, licence_number, logo_key, purged_at"
        " from public.tenants where id = %(t)s",
        {"t": gone.id},
    ).fetchone()
    assert company is not None
    assert (company["status"], company["phone"], company["address"]) == ("purged", "", "")
    assert company["logo_key"] is None and company["purged_at"] is not None
    entries = admin.execute(
        "select count(*) as n from audit.changes where tenant_id = %(t)s"
        " and table_name = 'public.tenants' and new_values ->> 'status' = 'purged'",
        {"t": gone.id},
    ).fetchone()
    assert entries is not None and entries["n"] == 1
    # One audit entry for the whole purge, and the company's chain still verifies.
    after = admin.execute(
        "select count(*) as n from audit.changes where tenant_id = %(t)s", {"t": gone.id}
    ).fetchone()
    assert logged is not None and after == {"n": logged["n"] + 1}
    assert admin.execute("select * from audit.verify(%(t)s)", {"t": gone.id}).fetchall() == []
    assert customer is not None


@pytest.mark.promise("P-11")
def test_a_company_is_purged_after_its_30_days_not_before(
    admin: Connection, make: Factory, pool: ConnectionPool, tmp_path: Path
) -> None:
    early = make.tenant("Closed Last Month")
    due = make.tenant("Closed Long Ago")
    now = database_now(admin)
    set_clock(admin, now)
    close(admin, early.id, days_ago=29, now=now)
    close(admin, due.id, days_ago=31, now=now)

    assert sweep(pool, tmp_path) == 1

    status = dict(
        (row["name"], row["status"])
        for row in admin.execute(
            "select name, status from public.tenants where id = any(%(ids)s)",
            {"ids": [early.id, due.id]},
        ).fetchall()
    )
    assert status == {"Closed Last Month": "closed", "Closed Long Ago": "purged"}
    set_clock(admin, now + timedelta(days=2))
    assert sweep(pool, tmp_path) == 1
    assert admin.execute(
        "select status from public.tenants where id = %(t)s", {"t": early.id}
    ).fetchone() == {"status": "purged"}


@pytest.mark.promise("P-13")
def test_the_certificate_is_signed_and_emailed_to_the_former_owners(
    admin: Connection, make: Factory, pool: ConnectionPool, tmp_path: Path
) -> None:
    gone = make.tenant("Gone Heating")
    close(admin, gone.id, days_ago=31, now=database_now(admin))
    assert sweep(pool, tmp_path) == 1

    stored = certificate_of(admin, gone.id)
    keys = {
        checkpoints.key_id(checkpoints.public_key_bytes(SEED)): checkpoints.public_key_bytes(SEED)
    }
    assert certificates.verify(stored, keys) is None
    tampered = json.loads(stored["document"])
    tampered["company"]["name"] = "Someone Else"
    forged = {**stored, "document": certificates.canonical(tampered)}
    forged["digest"] = certificates.digest(forged["document"])
    forged.pop("certificate")
    assert "signature" in (certificates.verify(forged, keys) or "")
    mail = admin.execute(
        "select tenant_id, to_address, body_text from outbox.messages"
        " where kind = 'deletion_certificate'"
    ).fetchall()
    assert [(m["tenant_id"], m["to_address"]) for m in mail] == [(None, gone.owner.email)]
    assert "http://plenum.test/certificate/" in mail[0]["body_text"]
    recipients = admin.execute("select recipients from app.purges").fetchone()
    assert recipients == {"recipients": []}
