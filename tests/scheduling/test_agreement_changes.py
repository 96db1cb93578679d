"""A maintenance plan after it is added: no months are chosen for the office on a new plan; a
plan is edited, paused (no tune-ups are made while paused) and resumed, or ended; each change
is in the audit log and the plan's state reads clearly on the list and the plan's page."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import UUID

from app.db import Connection
from tests.conftest import Client
from tests.factories import Factory, Tenant
from tests.scheduling import test_agreements as plans
from tests.scheduling.test_agreements import (
    agreement,
    first_of_month,
    generate,
    plan_form,
    plan_jobs,
    text,
    today,
)

tenant, home = plans.tenant, plans.home  # the fixtures of the plan tests


def statuses_logged(admin: Connection, plan: UUID) -> list[tuple[str | None, str | None]]:
    rows = admin.execute(
        "select old_values ->> 'status' as old, new_values ->> 'status' as new"
        " from audit.changes where table_name = 'public.service_agreements'"
        " and row_key = %s and operation = 'update' order by id",
        [str(plan)],
    ).fetchall()
    return [(r["old"], r["new"]) for r in rows]


def badge(page: str) -> list[str]:
    return re.findall(r'class="badge[^"]*">(Active|Paused|Ended)<', page)


def test_a_new_plan_has_no_month_chosen(client: Client, tenant: Tenant, home):
    page = text(client.get(f"/customers/{home[0]}/agreements/new"))

    months = re.findall(r'<input[^>]*name="months"[^>]*>', page)
    assert len(months) == 12
    assert not [m for m in months if "checked" in m]


def test_a_plan_is_edited_and_the_change_is_audited(
    client: Client, admin: Connection, tenant: Tenant, home
):
    plan = agreement(admin, tenant.id, home, [4, 10], today())
    form = text(client.get(f"/agreements/{plan}/edit"))
    assert 'value="Comfort Club"' in form
    assert re.search(r'<input[^>]*checked[^>]*value="4"|<input[^>]*value="4"[^>]*checked', form)

    response = client.submit(
        f"/agreements/{plan}/edit",
        plan_form(home[1], name="Comfort Club Plus", months=["5", "9"], notes="Two units"),
    )

    assert response.status_code == 302
    row = admin.execute(
        "select name, months, notes from public.service_agreements where id = %s", [plan]
    ).fetchone()
    assert row == {"name": "Comfort Club Plus", "months": [5, 9], "notes": "Two units"}
    page = text(client.get(f"/agreements/{plan}"))
    assert "Comfort Club Plus" in page and "May, September" in page
    logged = admin.execute(
        "select count(*) as n from audit.changes where table_name = 'public.service_agreements'"
        " and row_key = %s and operation = 'update'",
        [str(plan)],
    ).fetchone()
    assert logged == {"n": 1}


def test_a_plan_edit_with_mistakes_changes_nothing(
    client: Client, admin: Connection, tenant: Tenant, home
):
    plan = agreement(admin, tenant.id, home, [4, 10], today())

    response = client.submit(f"/agreements/{plan}/edit", plan_form(home[1], months=[], name=""))

    assert response.status_code == 422
    assert "Choose the months the tune-ups are due." in text(response)
    row = admin.execute("select name, months from public.service_agreements where id = %s", [plan])
    assert row.fetchone() == {"name": "Comfort Club", "months": [4, 10]}


def test_a_paused_plan_makes_no_tune_ups_until_resumed(
    client: Client, admin: Connection, tenant: Tenant, home
):
    next_month = first_of_month(today(), 1)
    plan = agreement(admin, tenant.id, home, [next_month.month], first_of_month(today()))

    paused = client.submit(f"/agreements/{plan}/pause")

    assert paused.status_code == 302
    assert generate(admin, tenant.id, next_month + timedelta(days=1)) == 0
    assert plan_jobs(admin, plan) == []
    assert badge(text(client.get(f"/agreements/{plan}"))) == ["Paused"]
    assert "Paused" in badge(text(client.get("/agreements")))

    resumed = client.submit(f"/agreements/{plan}/resume")

    assert resumed.status_code == 302
    assert generate(admin, tenant.id, next_month + timedelta(days=1)) == 1
    assert badge(text(client.get(f"/agreements/{plan}"))) == ["Active"]
    assert statuses_logged(admin, plan) == [("active", "paused"), ("paused", "active")]


def test_an_ended_plan_reads_as_ended(client: Client, admin: Connection, tenant: Tenant, home):
    plan = agreement(admin, tenant.id, home, [4, 10], today())
    assert "End plan" in text(client.get(f"/agreements/{plan}"))

    response = client.submit(f"/agreements/{plan}/cancel")

    assert response.status_code == 302
    page = text(client.get(f"/agreements/{plan}"))
    assert badge(page) == ["Ended"]
    assert "Pause plan" not in page and "Edit plan" not in page
    assert client.submit(f"/agreements/{plan}/pause").status_code == 422
    assert "Ended" in badge(text(client.get("/agreements")))
    assert statuses_logged(admin, plan) == [("active", "canceled")]


def test_technicians_cannot_change_plans(app, make: Factory, admin: Connection, tenant, home):
    plan = agreement(admin, tenant.id, home, [4], today())
    phone: Client = app.test_client()
    phone.sign_in(make.member(tenant.id, "technician").email)

    for action in ("edit", "pause", "resume"):
        assert phone.submit(f"/agreements/{plan}/{action}").status_code == 403
    row = admin.execute("select status from public.service_agreements where id = %s", [plan])
    assert row.fetchone() == {"status": "active"}
