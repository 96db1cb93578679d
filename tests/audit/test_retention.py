"""P-12: the audit log is kept two years, then the retention sweep deletes it, whole transactions
at a time, oldest first; what stays still verifies, and only the sweep's role can delete."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import psycopg
import pytest
from flask import Flask
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from app import db
from app.db import Connection
from jobs import retention
from tests.audit.support import (
    as_superuser_without_triggers,
    audit_verify,
    chain_problems,
    changes_of,
    links_of,
)
from tests.clock import set_clock
from tests.conftest import TestDatabase
from tests.factories import Factory
from tests.policies.identity import claims_of

pytestmark = pytest.mark.promise("P-12")
NO_CHECKPOINT = "no checkpoint yet (nothing outside the database vouches for it)"


def database_now(admin: Connection) -> datetime:
    row = admin.execute("select clock_timestamp() as now").fetchone()
    assert row is not None
    return row["now"]


def two_years_after(moment: datetime) -> datetime:
    assert (moment.month, moment.day) != (2, 29)
    return moment.replace(year=moment.year + 2)


def sweep_at(pool: ConnectionPool, admin: Connection, now: datetime) -> int:
    """The audit log's retention rule as the daily sweep runs it at `now` (the database's clock);
    returns how many links (whole transactions) went."""
    set_clock(admin, now)
    return retention.sweep_kind(pool, "audit logs", batch=2)


def txids_of_rows(admin: Connection, tenant_id: UUID) -> set[str]:
    return {str(row["txid"]) for row in changes_of(admin, tenant_id)}


def test_links_older_than_two_years_go_newer_ones_stay_and_the_chain_verifies(
    app: Flask, pool: ConnectionPool, admin: Connection, make: Factory
) -> None:
    company, quiet = make.tenant(), make.tenant()
    make.invitation(company.id)
    old_links = len(links_of(admin, company.id))
    old_rows = old_links + len(links_of(admin, quiet.id))
    two_years_ago = database_now(admin)  # as the sweep below will see it
    make.member(company.id, "technician")
    make.invitation(company.id)
    kept = links_of(admin, company.id)[old_links:]
    assert len(kept) == 2

    assert sweep_at(pool, admin, two_years_after(two_years_ago)) == old_rows

    assert links_of(admin, company.id) == kept
    assert txids_of_rows(admin, company.id) == {link["txid"] for link in kept}
    assert (links_of(admin, quiet.id), changes_of(admin, quiet.id)) == ([], [])
    exit_code, lines = audit_verify(app)
    assert exit_code == 0
    assert sorted(lines) == sorted(
        [
            f"ok     company {company.id}: 2 links; {NO_CHECKPOINT}",
            f"ok     company {quiet.id}: 0 links; {NO_CHECKPOINT}",
        ]
    )
    # Nothing more is due, and the chain goes on from where it was.
    assert sweep_at(pool, admin, two_years_after(two_years_ago)) == 0
    make.invitation(company.id)
    assert [link["seq"] for link in links_of(admin, company.id)] == [4, 5, 6]
    assert chain_problems(admin, company.id) == []


def test_a_link_goes_the_moment_it_is_more_than_two_years_old(
    pool: ConnectionPool, admin: Connection, make: Factory
) -> None:
    company = make.tenant()
    last = links_of(admin, company.id)[-1]

    sweep_at(pool, admin, two_years_after(last["sealed_at"]))  # exactly two years: kept
    assert links_of(admin, company.id) == [last]

    gone = sweep_at(pool, admin, two_years_after(last["sealed_at"]) + timedelta(microseconds=1))
    assert gone == 1
    assert links_of(admin, company.id) == []
    assert changes_of(admin, company.id) == []
    assert chain_problems(admin, company.id) == []


def test_two_years_are_calendar_years_across_a_29_february(
    pool: ConnectionPool, admin: Connection, make: Factory
) -> None:
    company = make.tenant()
    sealed = datetime(2023, 6, 1, 12, tzinfo=UTC)
    with as_superuser_without_triggers(admin):
        admin.execute(
            "update audit.transactions set sealed_at = %(at)s where tenant_id = %(t)s",
            {"at": sealed, "t": company.id},
        )
    rows = len(links_of(admin, company.id))

    # 730 days on is 31 May 2025, since 2024 had a 29 February: not yet two years.
    assert sweep_at(pool, admin, sealed + timedelta(days=730, hours=1)) == 0
    assert sweep_at(pool, admin, datetime(2025, 6, 1, 12, 0, 0, 1, tzinfo=UTC)) == rows


@pytest.mark.parametrize(
    ("now", "cutoff"),
    [
        (datetime(2026, 11, 23, 9, 30, tzinfo=UTC), datetime(2024, 11, 23, 9, 30, tzinfo=UTC)),
        (datetime(2026, 3, 1, tzinfo=UTC), datetime(2024, 3, 1, tzinfo=UTC)),
        # From a 29 February, two years back is the 28th: nothing goes a day early.
        (datetime(2028, 2, 29, 12, tzinfo=UTC), datetime(2026, 2, 28, 12, tzinfo=UTC)),
    ],
    ids=["any day", "1 March after a 29 February", "29 February"],
)
def test_the_cutoff_is_two_calendar_years_back_by_the_database_clock(
    admin: Connection, now: datetime, cutoff: datetime
) -> None:
    set_clock(admin, now)
    row = admin.execute("select app.retention_cutoff('audit logs') as cutoff").fetchone()
    assert row == {"cutoff": cutoff}


@pytest.mark.promise("P-08")
def test_only_the_sweeps_role_may_delete_expired_rows(
    database: TestDatabase, pool: ConnectionPool, admin: Connection, make: Factory
) -> None:
    company = make.tenant()
    far_future = datetime.now(UTC) + timedelta(days=365 * 100)
    rows = len(links_of(admin, company.id))
    with psycopg.connect(database.app_url, row_factory=dict_row) as conn:
        db.begin(conn, claims_of(company.owner))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select audit.sweep_expired(%(at)s, 1000)", {"at": far_future})
    assert len(links_of(admin, company.id)) == rows

    assert sweep_at(pool, admin, far_future) == rows  # the job, as service_role


@pytest.mark.promise("P-08")
def test_a_cutoff_in_the_future_deletes_nothing_younger_than_two_years(
    app: Flask, pool: ConnectionPool, admin: Connection, make: Factory
) -> None:
    """The jobs' role passing a future date must not empty the log (the clock is not set)."""
    company = make.tenant()
    rows = len(changes_of(admin, company.id))
    with db.service_role_transaction(pool) as conn:
        conn.execute("select audit.sweep_expired(now() + interval '100 years', 1000)")
    assert len(changes_of(admin, company.id)) == rows
    assert chain_problems(admin, company.id) == []
