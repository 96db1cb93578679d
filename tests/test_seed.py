"""`flask seed demo`: the demo company with its staff, history and customers, made once."""

from __future__ import annotations

from app import demo_customers, seed


def test_the_demo_seed_is_complete_reproducible_and_idempotent(admin):
    assert seed.demo(admin) is True
    counts = seed.customers(admin)
    assert counts is not None and counts.customers == demo_customers.CUSTOMERS

    assert seed.demo(admin) is False
    assert seed.customers(admin) is None  # nothing added twice
    row = admin.execute(
        "select count(*) as customers,"
        " (select count(*) from public.properties) as properties,"
        " (select count(*) from public.equipment) as equipment,"
        " (select count(*) from public.memberships) as staff,"
        " min(display_name) as first_name"
        " from public.customers"
    ).fetchone()
    assert row is not None
    assert (row["customers"], row["properties"], row["equipment"], row["staff"]) == (
        200,
        counts.properties,
        counts.equipment,
        4,
    )
    assert row["first_name"] == "Aisha Johnson"  # the same names on every machine


def test_the_demo_history_verifies(admin, app):
    seed.demo(admin)
    seed.customers(admin)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output
