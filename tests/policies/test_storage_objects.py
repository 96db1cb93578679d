"""P-01, P-02: the files' rows in Supabase Storage (`storage.objects`, recreated locally by
supabase/local/03_storage.sql) are closed to a leaked anon key, and a member reaches only their
own company's files, as their role allows; nobody but the service role adds, changes or removes
one (supabase/policies/storage_objects.sql)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest

from app.db import ANON, Connection
from tests.conftest import TestDatabase
from tests.factories import Factory, Tenant
from tests.policies.identity import acting_as, claims_of, rows_changed

BUCKET = "plenum-test"
SEEN = "select name from storage.objects order by name"


@dataclass(frozen=True)
class Companies:
    a: Tenant
    b: Tenant

    def names(self, tenant: Tenant) -> list[str]:
        """A company's files: a photo, a logo and an export, in name order."""
        return sorted(
            [
                f"{tenant.id}/visits/{tenant.id}/photo.jpg",
                f"{tenant.id}/company/logo.png",
                f"{tenant.id}/exports/{tenant.id}.zip",
            ]
        )


@pytest.fixture(scope="module")
def companies(shared_admin: Connection, shared_make: Factory) -> Iterator[Companies]:
    """Two companies with files in the bucket, rows written as Storage writes them."""
    found = Companies(shared_make.tenant("Storage A"), shared_make.tenant("Storage B"))
    shared_admin.execute(
        "insert into storage.buckets (id, name, public) values (%s, %s, false)", [BUCKET, BUCKET]
    )
    for tenant in (found.a, found.b):
        for name in found.names(tenant):
            shared_admin.execute(
                "insert into storage.objects (bucket_id, name, metadata)"
                " values (%s, %s, '{\"size\": 5}')",
                [BUCKET, name],
            )
    yield found


def seen(database: TestDatabase, claims: dict[str, Any]) -> list[str]:
    with acting_as(database, claims) as conn:
        return [row["name"] for row in conn.execute(SEEN).fetchall()]


def writes(conn: Connection, tenant: UUID) -> dict[str, int | None]:
    """Rows each kind of write changed in the company's files (None: refused outright)."""
    like = {"bucket": BUCKET, "name": f"{tenant}/company/%"}
    return {
        "insert": rows_changed(
            conn,
            "insert into storage.objects (bucket_id, name) values (%(bucket)s, %(name)s)",
            {"bucket": BUCKET, "name": f"{tenant}/company/planted.png"},
        ),
        "update": rows_changed(
            conn,
            "update storage.objects set name = name || '.moved'"
            " where bucket_id = %(bucket)s and name like %(name)s",
            like,
        ),
        "delete": rows_changed(
            conn,
            "delete from storage.objects where bucket_id = %(bucket)s and name like %(name)s",
            like,
        ),
    }


@pytest.mark.promise("P-01")
def test_a_leaked_anon_key_sees_and_changes_no_file(
    shared_database: TestDatabase, companies: Companies
) -> None:
    with acting_as(shared_database, {"role": "service_role"}) as conn:
        everything = [row["name"] for row in conn.execute(SEEN).fetchall()]
        changed = writes(conn, companies.a.id)
    # The control: the service role sees and changes them, so the zeros below mean refusal.
    assert everything == sorted(companies.names(companies.a) + companies.names(companies.b))
    assert changed == {"insert": 1, "update": 1, "delete": 1}

    assert seen(shared_database, dict(ANON)) == []
    assert seen(shared_database, {"role": "anon", "tenant_id": str(companies.a.id)}) == []
    with acting_as(shared_database, dict(ANON)) as conn:
        for tenant in (companies.a, companies.b):
            assert writes(conn, tenant.id) == {"insert": None, "update": 0, "delete": 0}


@pytest.mark.promise("P-01")
def test_a_member_sees_only_their_own_companys_files(
    shared_database: TestDatabase, companies: Companies
) -> None:
    a_files = companies.names(companies.a)

    assert seen(shared_database, claims_of(companies.a.owner)) == a_files
    assert seen(shared_database, claims_of(companies.b.owner)) == companies.names(companies.b)
    # Claiming the other company changes nothing: the membership decides.
    assert seen(shared_database, claims_of(companies.a.owner, companies.b.id)) == []


@pytest.mark.promise("P-01")
def test_no_member_adds_changes_or_removes_a_file(
    shared_database: TestDatabase, companies: Companies
) -> None:
    with acting_as(shared_database, claims_of(companies.a.owner)) as conn:
        for tenant in (companies.a, companies.b):
            assert writes(conn, tenant.id) == {"insert": None, "update": 0, "delete": 0}


@pytest.mark.promise("P-02")
def test_technicians_see_no_file_and_only_managers_see_exports(
    shared_database: TestDatabase, shared_make: Factory, companies: Companies
) -> None:
    """A technician's photos reach them through the app (their visits only), never here."""
    a = companies.a.id
    without_exports = [name for name in companies.names(companies.a) if "/exports/" not in name]
    office = shared_make.member(a, "office")
    technician = shared_make.member(a, "technician")
    removed = shared_make.member(a, "owner", status="removed")

    assert seen(shared_database, claims_of(office)) == without_exports
    assert seen(shared_database, claims_of(shared_make.member(a, "admin"))) == (
        companies.names(companies.a)
    )
    assert seen(shared_database, claims_of(technician)) == []
    assert seen(shared_database, claims_of(removed)) == []


def test_a_bucket_of_another_name_is_not_read_by_members(
    shared_database: TestDatabase, shared_admin: Connection, companies: Companies
) -> None:
    """Members read only the buckets named plenum-… (STORAGE_BUCKET must be one)."""
    shared_admin.execute("insert into storage.buckets (id, name) values ('avatars', 'avatars')")
    shared_admin.execute(
        "insert into storage.objects (bucket_id, name) values ('avatars', %s)",
        [f"{companies.a.id}/company/avatar.png"],
    )
    try:
        assert seen(shared_database, claims_of(companies.a.owner)) == companies.names(companies.a)
    finally:
        shared_admin.execute("delete from storage.objects where bucket_id = 'avatars'")
        shared_admin.execute("delete from storage.buckets where id = 'avatars'")


@pytest.mark.promise("P-01")
def test_a_policy_added_in_the_dashboard_does_not_open_the_files(
    shared_database: TestDatabase, shared_admin: Connection, companies: Companies
) -> None:
    """The restrictive policies hold against a careless permissive one ("allow all")."""
    shared_admin.execute(
        'create policy "Allow all" on storage.objects for all to anon, authenticated'
        " using (true) with check (true)"
    )
    try:
        assert seen(shared_database, dict(ANON)) == []
        assert seen(shared_database, claims_of(companies.a.owner)) == companies.names(companies.a)
        with acting_as(shared_database, claims_of(companies.a.owner)) as conn:
            assert writes(conn, companies.b.id) == {"insert": None, "update": 0, "delete": 0}
    finally:
        shared_admin.execute('drop policy "Allow all" on storage.objects')
