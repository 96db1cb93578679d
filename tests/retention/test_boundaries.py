"""P-12: each retention rule with a period, at its boundary by the database clock: a row made a
day inside the period stays, one made a day past it goes, on a 29 February. Driven by
app.retention_rules: a rule with a period and no builder in tests.retention.builders fails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from psycopg_pool import ConnectionPool

from app.db import Connection
from jobs import retention
from tests.clock import set_clock
from tests.factories import Factory
from tests.retention.builders import BUILDERS, World
from tests.retention.support import cutoff_at, periodic_kinds

pytestmark = pytest.mark.promise("P-12")
LEAP_DAY = datetime(2028, 2, 29, 12, tzinfo=UTC)
DAY = timedelta(days=1)


def test_every_rule_with_a_period_has_a_boundary_builder(admin: Connection) -> None:
    assert sorted(BUILDERS) == periodic_kinds(admin)


@pytest.mark.parametrize("record_kind", sorted(BUILDERS))
def test_a_row_a_day_inside_its_period_stays_and_a_day_past_it_goes(
    pool: ConnectionPool, admin: Connection, make: Factory, record_kind: str
) -> None:
    world = World(admin, make, make.tenant())
    cutoff = cutoff_at(admin, record_kind, LEAP_DAY)
    inside = BUILDERS[record_kind](world, cutoff + DAY)
    past = BUILDERS[record_kind](world, cutoff - DAY)
    set_clock(admin, LEAP_DAY)

    assert retention.sweep(pool) >= 1

    assert (inside.is_present(admin), past.is_present(admin)) == (True, False)


@pytest.mark.parametrize(
    ("record_kind", "anniversary_eve", "day_after"),
    [
        ("audit logs", datetime(2026, 2, 28, 23, tzinfo=UTC), datetime(2026, 3, 1, 13, tzinfo=UTC)),
        (
            "financial records",
            datetime(2031, 2, 28, 23, tzinfo=UTC),
            datetime(2031, 3, 1, 13, tzinfo=UTC),
        ),
        (
            "message logs",
            datetime(2027, 2, 28, 23, tzinfo=UTC),
            datetime(2027, 3, 1, 13, tzinfo=UTC),
        ),
    ],
)
def test_a_record_made_on_29_february_is_kept_through_the_28th_and_gone_on_1_march(
    pool: ConnectionPool,
    admin: Connection,
    make: Factory,
    record_kind: str,
    anniversary_eve: datetime,
    day_after: datetime,
) -> None:
    made = BUILDERS[record_kind](
        World(admin, make, make.tenant()), datetime(2024, 2, 29, 12, tzinfo=UTC)
    )

    set_clock(admin, anniversary_eve)
    retention.sweep(pool)
    assert made.is_present(admin)

    set_clock(admin, day_after)
    retention.sweep(pool)
    assert not made.is_present(admin)
