"""P-08 under load: transactions of one company that write at the same time each become one link
of one unbroken chain, in the order they commit; and they do not wait for each other to do so."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from app.db import Connection
from tests.audit.support import (
    chain_problems,
    changes_of,
    committing,
    invite,
    job_claims,
    links_of,
)
from tests.conftest import TestDatabase
from tests.factories import Factory

pytestmark = pytest.mark.promise("P-08")

WRITERS = 3
ROWS_EACH = 3
PATIENCE = 10  # seconds any thread waits for another before the test fails instead of hanging


def test_interleaved_writers_form_one_chain_in_commit_order(
    database: TestDatabase, admin: Connection, make: Factory
) -> None:
    company = make.tenant()
    links_before = len(links_of(admin, company.id))
    started = [threading.Event() for _ in range(WRITERS)]
    in_step = threading.Barrier(WRITERS, timeout=PATIENCE)
    # Writers start 0, 1, 2 and commit 2, 1, 0: the last to start commits first.
    commit_order = list(reversed(range(WRITERS)))
    may_commit = {writer: threading.Event() for writer in commit_order}
    txids: dict[int, str] = {}

    def write(writer: int) -> None:
        with committing(database, job_claims(company.owner, f"writer {writer}")) as conn:
            if writer > 0:
                assert started[writer - 1].wait(PATIENCE)
            invite(conn, company.id, f"w{writer}-0@example.com")
            row = conn.execute("select pg_current_xact_id()::text as txid").fetchone()
            assert row is not None
            txids[writer] = row["txid"]
            started[writer].set()
            for n in range(1, ROWS_EACH):
                in_step.wait()  # every writer has written n rows, none has committed
                invite(conn, company.id, f"w{writer}-{n}@example.com")
            in_step.wait()
            assert may_commit[writer].wait(PATIENCE)
        turn = commit_order.index(writer) + 1
        if turn < WRITERS:
            may_commit[commit_order[turn]].set()

    may_commit[commit_order[0]].set()
    with ThreadPoolExecutor(WRITERS) as pool:
        for done in [pool.submit(write, writer) for writer in range(WRITERS)]:
            done.result(timeout=PATIENCE * 2)

    rows = [
        row for row in changes_of(admin, company.id) if row["actor_label"].startswith("writer ")
    ]
    # The rows really interleaved: by id, the writers took turns.
    assert [row["actor_label"] for row in rows[:WRITERS]] == [f"writer {w}" for w in range(WRITERS)]
    links = links_of(admin, company.id)
    assert [link["seq"] for link in links] == list(range(1, len(links) + 1))
    new_links = links[links_before:]
    assert [link["txid"] for link in new_links] == [txids[writer] for writer in commit_order]
    for writer in range(WRITERS):
        mine = [row for row in rows if row["actor_label"] == f"writer {writer}"]
        assert len(mine) == ROWS_EACH
        assert {str(row["txid"]) for row in mine} == {txids[writer]}
    sealed = [link["sealed_at"] for link in links]
    assert sealed == sorted(sealed)  # sealing times follow the chain's order
    assert chain_problems(admin, company.id) == []


def test_a_companys_writers_do_not_wait_for_each_other_before_commit(
    database: TestDatabase, admin: Connection, make: Factory
) -> None:
    company = make.tenant()
    with committing(database, job_claims(company.owner, "first")) as first:
        invite(first, company.id, "first-1@example.com")
        invite(first, company.id, "first-2@example.com")
        # The first transaction is open with rows in the company's log. The second writes and
        # commits meanwhile; had it to wait for the first anywhere, the timeout would end it.
        with committing(database, job_claims(company.owner, "second")) as second:
            second.execute("set local lock_timeout = '300ms'")
            invite(second, company.id, "second@example.com")
        assert [link["seq"] for link in links_of(admin, company.id)][-1] == 3
    links = links_of(admin, company.id)
    labels = {str(row["txid"]): row["actor_label"] for row in changes_of(admin, company.id)}
    assert [labels[link["txid"]] for link in links[-2:]] == ["second", "first"]
    assert chain_problems(admin, company.id) == []


def test_the_timeout_would_catch_a_writer_that_waits(
    database: TestDatabase, admin: Connection, make: Factory
) -> None:
    """The control for the test above: holding the company's chain head makes a commit wait,
    and the same timeout ends it."""
    company = make.tenant()
    with admin.transaction(force_rollback=True):
        admin.execute(
            "select from audit.chain_heads where tenant_id = %(t)s for update", {"t": company.id}
        )
        with (
            pytest.raises(psycopg.errors.LockNotAvailable),
            committing(database, job_claims(company.owner, "second")) as second,
        ):
            second.execute("set local lock_timeout = '300ms'")
            invite(second, company.id, "second@example.com")
