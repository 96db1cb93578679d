"""Maintenance plans: a customer's tune-ups due in given months make their jobs 60 days ahead,
never twice; the office sees what is overdue and due soon; canceling a plan cancels what was
not yet booked."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from app.db import Connection
from tests.conftest import Client
from tests.factories import Factory, Tenant

NEW_YORK = ZoneInfo("America/New_York")


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def section(page: str, anchor: str) -> str:
    """The HTML of one section of a page, by its id."""
    return page.split(f'id="{anchor}"')[1].split("</section>")[0]


def today() -> date:
    return datetime.now(NEW_YORK).date()


def first_of_month(day: date, months_later: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months_later
    return date(index // 12, index % 12 + 1, 1)


@pytest.fixture
def tenant(client: Client, make: Factory) -> Tenant:
    """A company whose office member is signed in."""
    tenant = make.tenant()
    client.sign_in(make.member(tenant.id, "office").email)
    return tenant


@pytest.fixture
def home(make: Factory, tenant: Tenant) -> tuple[UUID, UUID]:
    """A customer and their house."""
    customer = make.customer(tenant.id, "Ruth", "Alvarez")
    return customer, make.property(tenant.id, customer, street="4821 N Damen Ave")


def agreement(
    admin: Connection,
    tenant_id: UUID,
    place: tuple[UUID, UUID],
    months: list[int],
    starts_on: date,
    name: str = "Comfort Club",
) -> UUID:
    row = admin.execute(
        "insert into public.service_agreements (tenant_id, customer_id, property_id, name,"
        " months, starts_on) values (%s, %s, %s, %s, %s::smallint[], %s) returning id",
        [tenant_id, place[0], place[1], name, months, starts_on],
    ).fetchone()
    assert row is not None
    return row["id"]


def generate(admin: Connection, tenant_id: UUID | None, until: date) -> int:
    row = admin.execute(
        "select app.generate_maintenance_jobs(%s, %s) as made", [tenant_id, until]
    ).fetchone()
    assert row is not None
    return row["made"]


def plan_jobs(admin: Connection, agreement_id: UUID) -> list[dict[str, Any]]:
    return admin.execute(
        "select j.id, j.due_on, j.kind, j.summary, v.id as visit_id, v.status, v.cancel_reason"
        " from public.jobs j join public.visits v on v.job_id = j.id"
        " where j.agreement_id = %s order by j.due_on",
        [agreement_id],
    ).fetchall()


def plan_form(property_id: UUID, **overrides: Any) -> dict[str, Any]:
    return {
        "name": "Comfort Club",
        "property_id": str(property_id),
        "months": ["4", "10"],
        "starts_on": today().isoformat(),
        **overrides,
    }


# --- generating jobs ----------------------------------------------------------------------


def test_a_spring_and_fall_plan_makes_each_job_once_60_days_ahead(
    admin: Connection, make: Factory, tenant: Tenant, home: tuple[UUID, UUID]
):
    year = today().year + 1
    plan = agreement(admin, tenant.id, home, [4, 10], date(year, 1, 1))

    made = [
        generate(admin, tenant.id, until)
        for until in (
            date(year, 1, 1),
            date(year, 3, 31),  # April is not yet within reach
            date(year, 4, 1),
            date(year, 4, 20),  # April again: nothing new
            date(year, 12, 31),
        )
    ]

    assert made == [0, 0, 1, 0, 1]
    jobs = plan_jobs(admin, plan)
    assert [(j["due_on"], j["kind"], j["status"]) for j in jobs] == [
        (date(year, 4, 1), "maintenance", "unscheduled"),
        (date(year, 10, 1), "maintenance", "unscheduled"),
    ]
    assert [j["summary"] for j in jobs] == [
        "Cooling tune-up (Comfort Club)",
        "Heating tune-up (Comfort Club)",
    ]


def test_adding_a_plan_makes_the_tune_ups_due_within_60_days_at_once(
    client: Client, admin: Connection, tenant: Tenant, home: tuple[UUID, UUID]
):
    this_month = first_of_month(today())
    later = first_of_month(today(), 6)
    customer, place = home

    form = client.get(f"/customers/{customer}/agreements/new")
    response = client.submit(
        f"/customers/{customer}/agreements/new",
        plan_form(place, months=[str(this_month.month), str(later.month)], notes="Two filters"),
    )

    assert form.status_code == 200
    assert "4821 N Damen Ave" in text(form)
    checked = re.findall(
        r'<input checked id="months-\d+" name="months" type="checkbox" value="(\d+)"', text(form)
    )
    assert checked == []  # the office chooses the months (the hint suggests spring and fall)
    [plan] = admin.execute(
        "select id, months, notes from public.service_agreements where tenant_id = %s",
        [tenant.id],
    ).fetchall()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/agreements/{plan['id']}"
    assert plan["months"] == sorted([this_month.month, later.month])
    assert [j["due_on"] for j in plan_jobs(admin, plan["id"])] == [this_month]
    page = text(client.get(f"/agreements/{plan['id']}"))
    assert "tune-up (Comfort Club)" in page and f"due {this_month:%B %Y}" in page
    customer_page = text(client.get(f"/customers/{customer}"))
    assert "Comfort Club" in section(customer_page, "agreements")


def test_running_the_generator_twice_makes_no_duplicates(
    admin: Connection, tenant: Tenant, home: tuple[UUID, UUID]
):
    plan = agreement(admin, tenant.id, home, [first_of_month(today()).month], today())

    first = generate(admin, tenant.id, today() + timedelta(days=60))
    second = generate(admin, tenant.id, today() + timedelta(days=60))

    assert (first, second) == (1, 0)
    assert len(plan_jobs(admin, plan)) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"months": []}, "Choose the months the tune-ups are due."),
        ({"name": ""}, "Name the plan, e.g. Comfort Club."),
        ({"months": ["13"]}, "Choose months from the list."),
        ({"ends_on": "2001-01-01"}, "The plan can&#39;t end before it starts."),
    ],
)
def test_a_plan_form_with_mistakes_is_refused_and_nothing_saved(
    client: Client, admin: Connection, tenant: Tenant, home, overrides, message
):
    customer, place = home

    response = client.submit(f"/customers/{customer}/agreements/new", plan_form(place, **overrides))

    assert response.status_code == 422
    assert message in text(response)
    assert admin.execute("select count(*) as n from public.service_agreements").fetchone() == {
        "n": 0
    }


def test_another_customers_property_cannot_be_chosen(
    client: Client, make: Factory, admin: Connection, tenant: Tenant, home
):
    customer, _ = home
    neighbour = make.property(tenant.id, make.customer(tenant.id, "Ned", "Flanders"))

    response = client.submit(f"/customers/{customer}/agreements/new", plan_form(neighbour))

    assert response.status_code == 422
    assert admin.execute("select count(*) as n from public.service_agreements").fetchone() == {
        "n": 0
    }


def test_a_customer_without_a_property_is_sent_to_add_one(
    client: Client, make: Factory, tenant: Tenant
):
    customer = make.customer(tenant.id, "Ana", "Lopez")

    response = client.get(f"/customers/{customer}/agreements/new")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/customers/{customer}/properties/new"


def test_another_companys_customer_and_plan_read_as_missing(
    client: Client, make: Factory, admin: Connection, tenant: Tenant
):
    other = make.tenant()
    customer = make.customer(other.id)
    place = make.property(other.id, customer)
    theirs = agreement(admin, other.id, (customer, place), [4], today())

    assert client.get(f"/customers/{customer}/agreements/new").status_code == 404
    assert client.get(f"/agreements/{theirs}").status_code == 404
    assert client.submit(f"/agreements/{theirs}/cancel").status_code == 404
    row = admin.execute(
        "select status from public.service_agreements where id = %s", [theirs]
    ).fetchone()
    assert row == {"status": "active"}


# --- what is due --------------------------------------------------------------------------


def complete(admin: Connection, visit_id: UUID) -> None:
    """Done 20-odd days ago by a new technician, at 10am on a weekday."""
    day = datetime.now(NEW_YORK).date() - timedelta(days=20)
    while day.isoweekday() > 5:
        day -= timedelta(days=1)
    starts = datetime.combine(day, time(10), NEW_YORK)
    admin.execute(
        "update public.visits set status = 'scheduled', window_starts_at = %s,"
        " window_ends_at = %s where id = %s",
        [starts, starts + timedelta(hours=2), visit_id],
    )
    row = admin.execute("select tenant_id from public.visits where id = %s", [visit_id]).fetchone()
    assert row is not None
    tenant_id = row["tenant_id"]
    Factory(admin).assign(
        tenant_id, visit_id, Factory(admin).member(tenant_id, "technician").account_id
    )
    for status in ("en_route", "on_site", "completed"):
        admin.execute("update public.visits set status = %s where id = %s", [status, visit_id])


def test_the_list_shows_overdue_and_due_soon_tune_ups_and_every_plan(
    client: Client, make: Factory, admin: Connection, tenant: Tenant, home
):
    two_months_ago = first_of_month(today(), -2)
    this_month = first_of_month(today())
    in_four_months = first_of_month(today(), 4)
    # Generation starts with the current month; a tune-up two months old is one generated back
    # then, so its due month is moved back after generating.
    overdue = agreement(admin, tenant.id, home, [this_month.month], this_month, "Overdue Club")
    agreement(admin, tenant.id, home, [this_month.month], this_month, "Soon Club")
    agreement(admin, tenant.id, home, [in_four_months.month], today(), "Later Club")
    done = agreement(admin, tenant.id, home, [this_month.month], this_month, "Done Club")
    generate(admin, tenant.id, today() + timedelta(days=60))
    admin.execute(
        "update public.jobs set due_on = %s where agreement_id = any (%s)",
        [two_months_ago, [overdue, done]],
    )
    complete(admin, plan_jobs(admin, done)[0]["visit_id"])

    page = text(client.get("/agreements"))

    overdue_list, due, plans = (section(page, s) for s in ("overdue", "due", "plans"))
    assert "(Overdue Club)" in overdue_list
    assert "Soon Club" not in overdue_list and "Done Club" not in overdue_list
    assert "(Soon Club)" in due and "Overdue Club" not in due and "Later Club" not in due
    for name in ("Overdue Club", "Soon Club", "Later Club", "Done Club"):
        assert name in plans
    later_row = plans.split("Later Club")[1].split("</li>")[0]
    assert f"Next: due {in_four_months:%B %Y}" in later_row
    assert "4 plans." in page


def test_empty_lists_say_so(client: Client, tenant: Tenant):
    page = text(client.get("/agreements"))

    assert "Nothing overdue." in page
    assert "Nothing due in the next 30 days." in page
    assert "No maintenance plans yet." in page


def test_the_list_pages_by_fifty(client: Client, admin: Connection, tenant: Tenant, home):
    for n in range(51):
        agreement(admin, tenant.id, home, [1], today(), f"Plan {n:02d}")

    first = text(client.get("/agreements"))
    second = text(client.get("/agreements?page=2"))

    assert "Plan 49" in first and "Plan 50" not in first
    assert "Plan 50" in second and "Page 2 of 2" in second


# --- canceling a plan ---------------------------------------------------------------------


def test_canceling_a_plan_cancels_its_visits_not_yet_booked(
    client: Client, admin: Connection, tenant: Tenant, home
):
    this_month = first_of_month(today())
    next_month = first_of_month(today(), 1)
    plan = agreement(admin, tenant.id, home, [this_month.month, next_month.month], this_month)
    generate(admin, tenant.id, next_month)
    booked, waiting = plan_jobs(admin, plan)
    starts = datetime.now(NEW_YORK) + timedelta(days=3)
    admin.execute(
        "update public.visits set status = 'scheduled', window_starts_at = %s,"
        " window_ends_at = %s where id = %s",
        [starts, starts + timedelta(hours=2), booked["visit_id"]],
    )

    response = client.submit(f"/agreements/{plan}/cancel")

    assert response.status_code == 302
    row = admin.execute("select status from public.service_agreements where id = %s", [plan])
    assert row.fetchone() == {"status": "canceled"}
    after = {j["visit_id"]: (j["status"], j["cancel_reason"]) for j in plan_jobs(admin, plan)}
    assert after == {
        booked["visit_id"]: ("scheduled", ""),
        waiting["visit_id"]: ("canceled", "Plan canceled"),
    }
    assert generate(admin, tenant.id, today() + timedelta(days=400)) == 0
    assert "1 visit not yet booked canceled too." in text(client.get(f"/agreements/{plan}"))


def test_technicians_cannot_see_plans(app, make: Factory, admin: Connection, tenant, home):
    plan = agreement(admin, tenant.id, home, [4], today())
    phone: Client = app.test_client()
    phone.sign_in(make.member(tenant.id, "technician").email)

    assert phone.get("/agreements").status_code == 403
    assert phone.get(f"/agreements/{plan}").status_code == 403
    assert phone.submit(f"/agreements/{plan}/cancel").status_code == 403
