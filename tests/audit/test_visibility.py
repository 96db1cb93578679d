"""P-07, P-01, P-02: a company's audit log is read by its owners and admins, and by nobody else,
not its other staff, not another company, not a member who was removed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from psycopg import sql

from app.db import Connection
from tests.audit.support import AUDIT_TABLES, count_rows
from tests.conftest import TestDatabase
from tests.factories import Factory, Member, Tenant
from tests.policies.identity import ROLES, acting_as, claims_of

pytestmark = pytest.mark.promise("P-07", "P-01", "P-02")


@dataclass(frozen=True)
class Companies:
    a: Tenant
    b: Tenant
    staff_of_a: dict[str, Member]
    removed_admin_of_a: Member


@pytest.fixture
def companies(admin: Connection, make: Factory) -> Companies:
    a, b = make.tenant("Company A"), make.tenant("Company B")
    staff = {"owner": a.owner} | {role: make.member(a.id, role) for role in ROLES[1:]}
    removed = make.member(a.id, "admin", status="removed")
    make.invitation(a.id)
    make.invitation(b.id)
    return Companies(a, b, staff, removed)


def what_is_visible(database: TestDatabase, claims: dict[str, str], companies: Companies) -> dict:
    """table → (rows visible in all, of them company A's)."""
    seen = {}
    with acting_as(database, claims) as conn:
        for table in AUDIT_TABLES:
            schema, name = table.split(".")
            counted = sql.SQL(
                "select count(*) filter (where tenant_id = %(a)s) as n, count(*) as total from {}"
            ).format(sql.Identifier(schema, name))
            rows = conn.execute(counted, {"a": companies.a.id}).fetchone()
            assert rows is not None
            seen[table] = (rows["total"], rows["n"])
    return seen


Viewer = Callable[[Companies], dict[str, str]]


def staff_of_a(role: str) -> Viewer:
    return lambda companies: claims_of(companies.staff_of_a[role])


# viewer → (their claims, whether they read A's log)
VIEWERS: dict[str, tuple[Viewer, bool]] = {
    **{f"{role} of A": (staff_of_a(role), role in ("owner", "admin")) for role in ROLES},
    "owner of B": (lambda c: claims_of(c.b.owner), False),
    "owner of B with claims naming A": (lambda c: claims_of(c.b.owner, c.a.id), False),
    "removed admin of A": (lambda c: claims_of(c.removed_admin_of_a), False),
}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_only_owners_and_admins_read_their_companys_log(
    database: TestDatabase, admin: Connection, companies: Companies, viewer: str
) -> None:
    claims, reads_a = VIEWERS[viewer]
    log_of_a = {table: count_rows(admin, table, companies.a.id) for table in AUDIT_TABLES}
    assert all(log_of_a.values())

    seen = what_is_visible(database, claims(companies), companies)

    if reads_a:
        assert seen == {table: (n, n) for table, n in log_of_a.items()}  # all of A, only A
    else:
        assert {table: n for table, (_, n) in seen.items()} == dict.fromkeys(AUDIT_TABLES, 0)


def test_owner_of_b_reads_exactly_bs_log(
    database: TestDatabase, admin: Connection, companies: Companies
) -> None:
    """The control for the zeros above: the same query finds a company's own log."""
    log_of_b = {table: count_rows(admin, table, companies.b.id) for table in AUDIT_TABLES}
    assert all(log_of_b.values())
    seen = what_is_visible(database, claims_of(companies.b.owner), companies)
    assert seen == {table: (n, 0) for table, n in log_of_b.items()}
