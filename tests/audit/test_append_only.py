"""P-08: nobody using the service can alter or delete the audit log, and whoever goes around the
service (a superuser) leaves traces that `flask audit verify` finds and names."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
import pytest
from flask import Flask
from psycopg import sql
from psycopg.rows import dict_row

from app.db import ANON, Connection
from tests.audit.support import (
    AUDIT_TABLES,
    as_superuser_without_triggers,
    audit_verify,
    chain_problems,
    changes_of,
    count_rows,
    links_of,
)
from tests.conftest import TestDatabase
from tests.factories import Factory, Tenant
from tests.policies.identity import acting_as, claims_of

pytestmark = pytest.mark.promise("P-08")
NOT_ANCHORED = " (nothing outside the database vouches for it)"

EDITS = {
    "update": "update {} set tenant_id = tenant_id where tenant_id = %(t)s",
    "delete": "delete from {} where tenant_id = %(t)s",
    "truncate": "truncate {}",
}


def statement(edit: str, table: str) -> sql.Composed:
    schema, name = table.split(".")
    return sql.SQL(EDITS[edit]).format(sql.Identifier(schema, name))


@dataclass(frozen=True)
class Logged:
    """A company with a chain of several links, and a neighbour with a chain of its own."""

    company: Tenant
    neighbour: Tenant


@pytest.fixture
def logged(make: Factory) -> Logged:
    company, neighbour = make.tenant("Company A"), make.tenant("Company B")
    make.member(company.id, "admin")
    make.member(company.id, "technician")
    make.invitation(company.id)
    return Logged(company, neighbour)


def log_size(admin: Connection, tenant_id: UUID) -> dict[str, int]:
    return {table: count_rows(admin, table, tenant_id) for table in AUDIT_TABLES}


# --- every role the app and its jobs use ------------------------------------------------------

APP_ROLES: dict[str, Callable[[Tenant], dict[str, Any] | None]] = {
    "anon": lambda company: dict(ANON),
    "authenticated (the company's owner)": lambda company: claims_of(company.owner),
    "service_role": lambda company: {"role": "service_role"},
    "plenum_web (the web's login role, no role set)": lambda company: None,
}


@contextmanager
def as_app_role(database: TestDatabase, claims: dict[str, Any] | None) -> Iterator[Connection]:
    """As the app's login role, switched to the role of `claims` unless None; rolled back."""
    if claims is not None:
        with acting_as(database, claims) as conn:
            yield conn
        return
    with (
        psycopg.connect(database.app_url, row_factory=dict_row) as conn,
        conn.transaction(force_rollback=True),
    ):
        yield conn


def outcome(conn: Connection, statement: str | sql.Composed, params: dict[str, Any]) -> str:
    """ "done" or "refused" (for lack of privilege), in a savepoint that is rolled back."""
    try:
        with conn.transaction(force_rollback=True):
            conn.execute(statement, params)
    except psycopg.errors.InsufficientPrivilege:
        return "refused"
    return "done"


@pytest.mark.parametrize("role", APP_ROLES)
def test_no_app_role_can_update_delete_or_truncate_the_log(
    database: TestDatabase, admin: Connection, logged: Logged, role: str
) -> None:
    company = logged.company
    before = log_size(admin, company.id)
    assert all(before.values())
    with as_app_role(database, APP_ROLES[role](company)) as conn:
        outcomes = {
            (table, edit): outcome(conn, statement(edit, table), {"t": company.id})
            for table in AUDIT_TABLES
            for edit in EDITS
        }
    assert outcomes == {(table, edit): "refused" for table in AUDIT_TABLES for edit in EDITS}
    assert log_size(admin, company.id) == before


# The functions that write the log, as someone would call them to forge or erase it.
WRITER_CALLS = {
    "audit.append": "select audit.append(%(t)s, 'public.tenants', 'x', 'update', null, '{}')",
    "audit.sweep_expired": "select audit.sweep_expired(now() + interval '100 years', 1000)",
    "audit.attach_triggers": "select audit.attach_triggers(array['public'])",
}
MAY_CALL = {("service_role", "audit.sweep_expired")}  # the retention sweep


@pytest.mark.parametrize("role", APP_ROLES)
def test_no_app_role_can_call_the_functions_that_write_the_log(
    database: TestDatabase, logged: Logged, role: str
) -> None:
    claims = APP_ROLES[role](logged.company)
    database_role = (claims or {}).get("role", "plenum_web")
    with as_app_role(database, claims) as conn:
        outcomes = {
            name: outcome(conn, call, {"t": logged.neighbour.id})
            for name, call in WRITER_CALLS.items()
            if (database_role, name) not in MAY_CALL
        }
    assert outcomes
    assert set(outcomes.values()) == {"refused"}, outcomes


def test_each_app_role_may_execute_only_its_own_audit_function(admin: Connection) -> None:
    rows = admin.execute(
        "select r.rolname as role, p.proname as function from pg_proc p"
        " join pg_namespace n on n.oid = p.pronamespace"
        " cross join pg_roles r"
        " where n.nspname = 'audit'"
        " and r.rolname in ('anon', 'authenticated', 'service_role', 'authenticator',"
        " 'plenum_web', 'plenum_worker')"
        " and has_function_privilege(r.oid, p.oid, 'execute') order by 1, 2"
    ).fetchall()
    assert [(row["role"], row["function"]) for row in rows] == [
        ("authenticated", "readable_values"),
        ("authenticated", "record_access"),
        # the purge: counts what it keeps of a company being purged, destroys its keys
        ("service_role", "kept_rows"),
        ("service_role", "shred_company_keys"),
        ("service_role", "sweep_expired"),
    ]


@pytest.mark.parametrize("edit", EDITS)
def test_even_the_table_owner_is_stopped_by_the_guard(
    admin: Connection, logged: Logged, edit: str
) -> None:
    company = logged.company
    before = log_size(admin, company.id)
    for table in AUDIT_TABLES:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
            admin.execute(statement(edit, table), {"t": company.id})
        assert refused.value.diag.constraint_name == "audit_log_is_append_only", table
    assert log_size(admin, company.id) == before


# --- tampering around the service, and `flask audit verify` ----------------------------------


def ok_line(admin: Connection, tenant: Tenant) -> str:
    links = len(links_of(admin, tenant.id))
    return f"ok     company {tenant.id}: {links} links; no checkpoint yet{NOT_ANCHORED}"


def test_an_untouched_log_verifies(app: Flask, admin: Connection, logged: Logged) -> None:
    assert len(links_of(admin, logged.company.id)) == 5  # company, owner, two members, invitation
    exit_code, lines = audit_verify(app)
    assert exit_code == 0
    assert sorted(lines) == sorted(
        [ok_line(admin, logged.company), ok_line(admin, logged.neighbour)]
    )


@dataclass(frozen=True)
class Link:
    """A link in the middle of a company's chain, and what the tampering tests need around it."""

    seq: int
    txid: str
    change_id: int  # its first row
    next_txid: str
    last_seq: int


def middle_link(admin: Connection, tenant_id: UUID) -> Link:
    links = links_of(admin, tenant_id)
    at = len(links) // 2
    link = links[at]
    assert 1 < link["seq"] < links[-1]["seq"]
    first = next(row for row in changes_of(admin, tenant_id) if str(row["txid"]) == link["txid"])
    return Link(link["seq"], link["txid"], first["id"], links[at + 1]["txid"], links[-1]["seq"])


def edit_a_row(admin: Connection, tenant_id: UUID, link: Link) -> None:
    admin.execute(
        'update audit.changes set new_values = new_values || \'{"role": "owner"}\''
        " where id = %(id)s",
        {"id": link.change_id},
    )


def edit_a_row_and_reseal_its_link(admin: Connection, tenant_id: UUID, link: Link) -> None:
    """An editor who knows the scheme recomputes the edited link; the next one gives it away."""
    edit_a_row(admin, tenant_id, link)
    admin.execute(
        "update audit.transactions t set digest = audit.transaction_digest(t.tenant_id, t.txid),"
        " chain_hash = sha256(p.chain_hash || audit.transaction_digest(t.tenant_id, t.txid))"
        " from audit.transactions p where t.tenant_id = %(t)s and t.seq = %(seq)s"
        " and p.tenant_id = t.tenant_id and p.seq = t.seq - 1",
        {"t": tenant_id, "seq": link.seq},
    )


def delete_a_row(admin: Connection, tenant_id: UUID, link: Link) -> None:
    admin.execute("delete from audit.changes where id = %(id)s", {"id": link.change_id})


def forge_a_row_in_a_link(admin: Connection, tenant_id: UUID, link: Link) -> None:
    admin.execute(
        "insert into audit.changes (tenant_id, txid, table_name, row_key, operation, new_values)"
        " values (%(t)s, %(txid)s::xid8, 'public.tenants', %(t)s::text, 'update',"
        ' \'{"name": "Forged"}\')',
        {"t": tenant_id, "txid": link.txid},
    )


def forge_a_row_of_its_own(admin: Connection, tenant_id: UUID, link: Link) -> None:
    """With a transaction id no transaction has had yet, as if it were still running."""
    admin.execute(
        "insert into audit.changes (tenant_id, txid, table_name, row_key, operation, new_values)"
        " values (%(t)s, '4000000000', 'public.tenants', %(t)s::text, 'update',"
        ' \'{"name": "Forged"}\')',
        {"t": tenant_id},
    )


def delete_link(admin: Connection, tenant_id: UUID, seq: int, txid: str) -> None:
    """Its rows and the link itself."""
    admin.execute(
        "delete from audit.changes where tenant_id = %(t)s and txid = %(txid)s::xid8",
        {"t": tenant_id, "txid": txid},
    )
    admin.execute(
        "delete from audit.transactions where tenant_id = %(t)s and seq = %(seq)s",
        {"t": tenant_id, "seq": seq},
    )


def delete_a_whole_link(admin: Connection, tenant_id: UUID, link: Link) -> None:
    delete_link(admin, tenant_id, link.seq, link.txid)


def edit_a_chain_hash(admin: Connection, tenant_id: UUID, link: Link) -> None:
    admin.execute(
        "update audit.transactions set chain_hash = sha256('forged')"
        " where tenant_id = %(t)s and seq = %(seq)s",
        {"t": tenant_id, "seq": link.seq},
    )


def delete_the_last_link(admin: Connection, tenant_id: UUID, link: Link) -> None:
    last = links_of(admin, tenant_id)[-1]
    delete_link(admin, tenant_id, last["seq"], last["txid"])


CHANGED = "the rows of this transaction were changed, added or removed"
# tampering → the first line `flask audit verify` prints for the company, given the middle link
TAMPERING: dict[str, tuple[Callable[[Connection, UUID, Link], None], Callable[[Link], str]]] = {
    "edited row": (
        edit_a_row,
        lambda link: f"link {link.seq} (transaction {link.txid}): {CHANGED}",
    ),
    "edited row, link recomputed": (
        edit_a_row_and_reseal_its_link,
        lambda link: (
            f"link {link.seq + 1} (transaction {link.next_txid}):"
            " this link does not follow from the previous one"
        ),
    ),
    "deleted row": (
        delete_a_row,
        lambda link: f"link {link.seq} (transaction {link.txid}): {CHANGED}",
    ),
    "forged row in a link": (
        forge_a_row_in_a_link,
        lambda link: f"link {link.seq} (transaction {link.txid}): {CHANGED}",
    ),
    "forged row outside any link": (
        forge_a_row_of_its_own,
        lambda link: (
            "unlinked rows (transaction 4000000000): 1 row(s) belong to no sealed transaction"
        ),
    ),
    "deleted link": (
        delete_a_whole_link,
        lambda link: f"link {link.seq}: links {link.seq} to {link.seq} are missing",
    ),
    "edited chain hash": (
        edit_a_chain_hash,
        lambda link: (
            f"link {link.seq} (transaction {link.txid}):"
            " this link does not follow from the previous one"
        ),
    ),
    "deleted last link": (
        delete_the_last_link,
        lambda link: f"link {link.last_seq}: the chain ends before its recorded head",
    ),
}


@pytest.mark.parametrize("tampering", TAMPERING)
def test_tampering_by_a_superuser_is_detected_and_named(
    app: Flask, admin: Connection, logged: Logged, tampering: str
) -> None:
    company, neighbour = logged.company, logged.neighbour
    link = middle_link(admin, company.id)
    tamper, first_complaint = TAMPERING[tampering]
    neighbour_ok = ok_line(admin, neighbour)
    with as_superuser_without_triggers(admin):
        tamper(admin, company.id, link)

    exit_code, lines = audit_verify(app)

    assert exit_code == 1
    assert f"BROKEN company {company.id}: {first_complaint(link)}" in lines
    assert neighbour_ok in lines  # the other company's chain is not affected
    assert lines[-1] == "Error: 1 of 2 audit chain(s) are broken"


def test_verify_can_be_limited_to_one_company(
    app: Flask, admin: Connection, logged: Logged
) -> None:
    company, neighbour = logged.company, logged.neighbour
    with as_superuser_without_triggers(admin):
        edit_a_row(admin, company.id, middle_link(admin, company.id))

    assert audit_verify(app, "--tenant", str(neighbour.id)) == (0, [ok_line(admin, neighbour)])
    exit_code, lines = audit_verify(app, "--tenant", str(company.id))
    assert exit_code == 1
    assert lines[0].startswith(f"BROKEN company {company.id}: ")
    assert not any(str(neighbour.id) in line for line in lines)
    assert lines[-1] == "Error: 1 of 1 audit chain(s) are broken"


def test_the_callers_own_unfinished_rows_are_not_a_break(admin: Connection, logged: Logged) -> None:
    """Rows the verifying transaction itself wrote are sealed at its commit, not missing."""
    company = logged.company
    with admin.transaction(force_rollback=True):
        admin.execute(
            "update public.tenants set name = 'Renamed' where id = %(t)s", {"t": company.id}
        )
        assert chain_problems(admin, company.id) == []
