"""The homeowner's maintenance plans and their next tune-up: their own only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.db import Connection
from app.portal.agreements import next_due_month
from tests.conftest import Client
from tests.factories import Factory
from tests.portal.support import sign_in


def test_the_next_due_month_wraps_round_the_year() -> None:
    assert next_due_month([4, 10], datetime(2026, 11, 5).date()) == "April"
    assert next_due_month([4, 10], datetime(2026, 10, 31).date()) == "October"


def test_my_plans_show_the_next_booked_tune_up_and_not_another_customers_plan(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    me, neighbour = make.customer(tenant.id), make.customer(tenant.id)
    home = make.property(tenant.id, me, street="12 Elm Street")
    plan = make.agreement(tenant.id, home)
    job = make.job(tenant.id, home, kind="maintenance", summary="Spring tune-up")
    admin.execute("update public.jobs set agreement_id = %s where id = %s", [plan, job])
    visit = make.visit(tenant.id, job, datetime.now(UTC) + timedelta(days=9))
    make.agreement(tenant.id, make.property(tenant.id, neighbour, street="14 Elm Street"))
    sign_in(client, admin, tenant.id, me)

    page = client.get("/portal/agreements").get_data(as_text=True)

    assert "Comfort Club" in page and "12 Elm Street" in page
    assert f"/portal/visits/{visit}" in page
    assert "14 Elm Street" not in page
