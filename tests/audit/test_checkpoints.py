"""P-08: the audit chain is anchored outside the database. The worker signs each company's chain
head with a key the database never holds; a superuser who rewrites a row and recomputes every
later link and the head fools the chain check, but not `flask audit verify`, which holds the
recomputed chain against the signed checkpoints."""

from __future__ import annotations

import dataclasses
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest
from flask import Flask
from psycopg_pool import ConnectionPool

from app.audit import checkpoints
from app.audit.checkpoints import Checkpoint
from app.db import Connection
from jobs import retention
from jobs.audit_checkpoints import sign_due_heads
from tests.audit.support import (
    as_superuser_without_triggers,
    audit_verify,
    chain_problems,
    changes_of,
    links_of,
)
from tests.clock import set_clock
from tests.conftest import TestDatabase
from tests.factories import Factory, Tenant
from tests.policies.identity import acting_as, claims_of, rows_changed, rows_counted

pytestmark = pytest.mark.promise("P-08")
NO_CHECKPOINT = "no checkpoint yet (nothing outside the database vouches for it)"
# A fixed day ahead of the real clock, so that the database clock only moves forward.
DAY = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=1)


@pytest.fixture
def seed(app: Flask) -> bytes:
    """The signing key of the app's configuration (the development default in tests)."""
    key: bytes = app.config["PLENUM"].audit_signing_key
    return key


@pytest.fixture
def company(make: Factory) -> Tenant:
    """A company with a chain of several links."""
    tenant = make.tenant("Company A")
    make.member(tenant.id, "admin")
    make.member(tenant.id, "technician")
    make.invitation(tenant.id)
    return tenant


def head_of(admin: Connection, tenant_id: UUID) -> dict[str, Any]:
    row = admin.execute(
        "select seq, chain_hash from audit.chain_heads where tenant_id = %(t)s", {"t": tenant_id}
    ).fetchone()
    assert row is not None
    return row


def checkpoints_of(admin: Connection, tenant_id: UUID) -> list[Checkpoint]:
    rows = admin.execute(
        "select * from audit.checkpoints where tenant_id = %(t)s order by seq", {"t": tenant_id}
    ).fetchall()
    return [Checkpoint(**row) for row in rows]


def recompute_from(admin: Connection, tenant_id: UUID, seq: int) -> None:
    """What a superuser who knows the scheme does after editing rows of link `seq`: recompute its
    digest, every later link and the head, with the functions `audit.verify` uses."""
    previous = admin.execute(
        "select chain_hash from audit.transactions where tenant_id = %(t)s and seq = %(seq)s",
        {"t": tenant_id, "seq": seq - 1},
    ).fetchone()
    assert previous is not None
    chain_hash = previous["chain_hash"]
    for link in links_of(admin, tenant_id):
        if link["seq"] < seq:
            continue
        row = admin.execute(
            "select d.digest, sha256(%(previous)s || d.digest) as chain_hash"
            " from (select audit.transaction_digest(%(t)s, %(txid)s::xid8) as digest) d",
            {"t": tenant_id, "txid": link["txid"], "previous": chain_hash},
        ).fetchone()
        assert row is not None
        chain_hash = row["chain_hash"]
        admin.execute(
            "update audit.transactions set digest = %(digest)s, chain_hash = %(chain_hash)s"
            " where tenant_id = %(t)s and seq = %(seq)s",
            {"t": tenant_id, "seq": link["seq"], **row},
        )
    admin.execute(
        "update audit.chain_heads set chain_hash = %(chain_hash)s where tenant_id = %(t)s",
        {"t": tenant_id, "chain_hash": chain_hash},
    )


def first_row_of_link(admin: Connection, tenant_id: UUID, seq: int) -> int:
    txid = next(link["txid"] for link in links_of(admin, tenant_id) if link["seq"] == seq)
    return next(row["id"] for row in changes_of(admin, tenant_id) if str(row["txid"]) == txid)


def test_a_full_recomputation_fools_the_chain_but_not_the_checkpoint(
    app: Flask, admin: Connection, pool: ConnectionPool, company: Tenant, seed: bytes
) -> None:
    assert sign_due_heads(pool, seed) == 1
    (signed,) = checkpoints_of(admin, company.id)
    assert signed.seq == len(links_of(admin, company.id)) == 5
    assert audit_verify(app)[0] == 0

    with as_superuser_without_triggers(admin):
        edited = admin.execute(
            'update audit.changes set new_values = new_values || \'{"role": "technician"}\''
            " where id = %(id)s and new_values ->> 'role' = 'owner'",
            {"id": first_row_of_link(admin, company.id, 2)},  # the owner's membership
        )
        assert edited.rowcount == 1
        recompute_from(admin, company.id, 2)

    assert chain_problems(admin, company.id) == []  # the chain alone no longer tells
    exit_code, lines = audit_verify(app)
    assert exit_code == 1
    assert lines[0] == (
        f"BROKEN company {company.id}: link 5: the checkpoint signed"
        f" {signed.signed_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC does not match the recomputed"
        " chain here: the log was rewritten"
    )
    assert lines[-1] == "Error: 1 of 1 audit chain(s) are broken"


def test_links_cut_off_after_a_checkpoint_are_caught(
    app: Flask, admin: Connection, pool: ConnectionPool, company: Tenant, seed: bytes
) -> None:
    """Deleting the newest links and winding the head back also fools the chain alone."""
    sign_due_heads(pool, seed)
    last, before = links_of(admin, company.id)[-1], links_of(admin, company.id)[-2]
    with as_superuser_without_triggers(admin):
        admin.execute(
            "delete from audit.changes where tenant_id = %(t)s and txid = %(txid)s::xid8",
            {"t": company.id, "txid": last["txid"]},
        )
        admin.execute(
            "delete from audit.transactions where tenant_id = %(t)s and seq = %(seq)s",
            {"t": company.id, "seq": last["seq"]},
        )
        admin.execute(
            "update audit.chain_heads set seq = %(seq)s, chain_hash = %(hash)s"
            " where tenant_id = %(t)s",
            {"t": company.id, "seq": before["seq"], "hash": before["chain_hash"]},
        )

    assert chain_problems(admin, company.id) == []
    exit_code, lines = audit_verify(app)
    assert exit_code == 1
    assert lines[0].startswith(f"BROKEN company {company.id}: link 5: a checkpoint signed ")
    assert lines[0].endswith("names this link, which the chain no longer has")


FORGERIES = {
    "signed with another key": (
        lambda forged, ours: forged,
        "signed with key {key_id}, which is not a trusted key",
    ),
    "another key's signature under our key id": (
        lambda forged, ours: dataclasses.replace(forged, key_id=ours),
        "its signature does not match what it says (forged or altered)",
    ),
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_checkpoint_is_reported(
    app: Flask, admin: Connection, company: Tenant, seed: bytes, forgery: str
) -> None:
    """A superuser who rewrote the log and signs its new head with a key of their own."""
    head = head_of(admin, company.id)
    other_key = secrets.token_bytes(32)
    forged = checkpoints.sign(
        other_key, company.id, head["seq"], head["chain_hash"], datetime.now(UTC)
    )
    ours = checkpoints.key_id(checkpoints.public_key_bytes(seed))
    edit, complaint = FORGERIES[forgery]
    forged = edit(forged, ours)
    admin.execute(
        "insert into audit.checkpoints (tenant_id, seq, chain_hash, signed_at, key_id, signature)"
        " values (%(tenant_id)s, %(seq)s, %(chain_hash)s, %(signed_at)s, %(key_id)s,"
        " %(signature)s)",
        dataclasses.asdict(forged),
    )

    exit_code, lines = audit_verify(app)
    assert exit_code == 1
    assert lines[0] == (
        f"BROKEN company {company.id}: link {head['seq']}: "
        + complaint.format(key_id=forged.key_id)
    )


def test_a_company_without_a_checkpoint_verifies_with_a_note(
    app: Flask, admin: Connection, pool: ConnectionPool, make: Factory, seed: bytes
) -> None:
    first = make.tenant()
    assert sign_due_heads(pool, seed) == 1
    second = make.tenant()  # after the signing

    exit_code, lines = audit_verify(app)

    assert exit_code == 0
    (signed,) = checkpoints_of(admin, first.id)
    when = f"{signed.signed_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    assert sorted(lines) == sorted(
        [
            f"ok     company {first.id}: 2 links; checkpoint at link 2, signed {when}",
            f"ok     company {second.id}: 2 links; {NO_CHECKPOINT}",
        ]
    )


def test_an_earlier_key_kept_for_verification_still_vouches_for_its_checkpoints(
    app: Flask, pool: ConnectionPool, company: Tenant
) -> None:
    earlier = secrets.token_bytes(32)  # a signing key since rotated away
    sign_due_heads(pool, earlier)
    assert audit_verify(app)[0] == 1  # the current key alone does not vouch for it
    app.config["PLENUM"] = dataclasses.replace(
        app.config["PLENUM"], audit_verify_keys=(checkpoints.public_key_bytes(earlier),)
    )
    assert audit_verify(app)[0] == 0


# --- when checkpoints are made ------------------------------------------------------------


def test_a_head_is_signed_when_it_moved_and_15_minutes_passed_by_the_database_clock(
    app: Flask, admin: Connection, pool: ConnectionPool, make: Factory, company: Tenant, seed: bytes
) -> None:
    quiet = make.tenant()
    set_clock(admin, DAY)
    assert sign_due_heads(pool, seed) == 2  # every company's first checkpoint
    assert sign_due_heads(pool, seed) == 0  # nothing moved
    make.invitation(company.id)
    set_clock(admin, DAY + timedelta(minutes=14, seconds=59))
    assert sign_due_heads(pool, seed) == 0  # moved, but signed less than 15 minutes ago
    set_clock(admin, DAY + timedelta(minutes=15))
    assert sign_due_heads(pool, seed) == 1  # the quiet company's head did not move
    assert [c.seq for c in checkpoints_of(admin, company.id)] == [5, 6]
    assert [c.signed_at for c in checkpoints_of(admin, company.id)] == [
        DAY,
        DAY + timedelta(minutes=15),
    ]
    assert len(checkpoints_of(admin, quiet.id)) == 1
    keys = checkpoints.trusted_keys(app.config["PLENUM"])
    assert all(
        checkpoints.signature_problem(c, keys) is None for c in checkpoints_of(admin, company.id)
    )


# --- who may write checkpoints ------------------------------------------------------------


def test_checkpoints_are_append_only_for_every_role(
    database: TestDatabase, admin: Connection, pool: ConnectionPool, company: Tenant, seed: bytes
) -> None:
    sign_due_heads(pool, seed)
    where = {"t": company.id}
    edits = {
        "update": "update audit.checkpoints set signed_at = now() where tenant_id = %(t)s",
        "delete": "delete from audit.checkpoints where tenant_id = %(t)s",
        "insert": "insert into audit.checkpoints select tenant_id, seq + 100, chain_hash,"
        " signed_at, key_id, signature from audit.checkpoints where tenant_id = %(t)s",
    }
    with acting_as(database, claims_of(company.owner)) as conn:
        count = "select count(*) as n from audit.checkpoints where tenant_id = %(t)s"
        assert rows_counted(conn, count, where) == 1  # owners read them
        assert {edit: rows_changed(conn, sql, where) for edit, sql in edits.items()} == {
            "update": None,
            "delete": None,
            "insert": None,
        }
    with acting_as(database, {"role": "service_role"}) as conn:  # the worker appends only
        assert {edit: rows_changed(conn, sql, where) for edit, sql in edits.items()} == {
            "update": None,
            "delete": None,
            "insert": 1,
        }
    for edit in ("update", "delete"):  # not even the table owner, but for the guard
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            admin.execute(edits[edit], where)


def test_checkpoints_of_links_the_retention_sweep_removed_do_not_break_verification(
    app: Flask, admin: Connection, pool: ConnectionPool, make: Factory, company: Tenant, seed: bytes
) -> None:
    set_clock(admin, DAY)
    sign_due_heads(pool, seed)  # at link 5
    make.invitation(company.id)
    set_clock(admin, DAY + timedelta(minutes=15))
    sign_due_heads(pool, seed)  # at link 6: where the retained chain will start
    two_years_later = DAY.replace(year=DAY.year + 2) + timedelta(days=1)
    set_clock(admin, two_years_later)
    assert retention.sweep_kind(pool, "audit logs") > 0
    make.invitation(company.id)  # link 7, kept
    assert [link["seq"] for link in links_of(admin, company.id)] == [7]

    exit_code, lines = audit_verify(app)

    assert exit_code == 0, lines
    assert lines == [
        f"ok     company {company.id}: 1 links;"
        f" checkpoint at link 6, signed {DAY + timedelta(minutes=15):%Y-%m-%d %H:%M} UTC"
    ]
