"""The service agreements import: each plan or membership of the old system on its customer's
property, its tune-up months from the frequency and the next due date, its status in Plenum's
words; tune-up jobs start at the next due month, never in the past; a second import of the
same file changes nothing, an updated one updates the changed plan."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest

from app.imports.kinds import agreements
from tests.factories import Factory, Tenant
from tests.imports import kinds_support

KIND = agreements.KIND


@pytest.fixture
def book(make: Factory, company: Tenant) -> dict[str, UUID]:
    return kinds_support.make_book(make, company)


def company_today(admin: Any, tenant_id: UUID) -> date:
    row = admin.execute(
        "select (now() at time zone app.company_time_zone(%(t)s))::date as today",
        {"t": tenant_id},
    ).fetchone()
    return row["today"]


def plans(admin: Any, tenant_id: UUID) -> dict[str, dict[str, Any]]:
    found = admin.execute(
        "select a.name, c.display_name, a.property_id, a.months, a.starts_on, a.ends_on,"
        " a.status, a.notes, a.first_due_on from public.service_agreements a"
        " join public.customers c on c.tenant_id = a.tenant_id and c.id = a.customer_id"
        " where a.tenant_id = %(t)s",
        {"t": tenant_id},
    ).fetchall()
    return {f"{row['display_name']}: {row['name']}": row for row in found}


def test_planning_reads_each_quirk_and_writes_nothing(pool, admin, company, book) -> None:
    today = company_today(admin, company.id)

    found = kinds_support.plan_file(pool, company, KIND, "agreements_memberships.csv")

    items = kinds_support.by_line(found)
    assert sorted(items) == [2, 3, 4, 5, 7, 8, 11]
    assert kinds_support.actions(found) == ["new"] * 7
    values = {
        line: {k: v for k, v in item.data.items() if k not in ("customer_id", "property_id")}
        for line, item in items.items()
    }
    assert values[2] == {
        "name": "Comfort Club",
        "starts_on": "2019-05-03",
        "first_due_on": "2030-04-15",
        "months": [4, 10],  # semi-annual from April
        "status": "active",
        "notes": "Gate code 4411",
    }
    assert items[2].data["property_id"] == str(book["ann"])
    assert items[2].label == "Comfort Club — Ann Lee"
    assert values[3] | {} == {
        "name": "Gold Membership",
        "starts_on": "2019-05-03",
        "first_due_on": "2030-02-01",
        "months": [2, 5, 8, 11],
        "status": "paused",  # "On hold"
    }
    assert (values[4]["starts_on"], values[4]["months"], values[4]["status"]) == (
        "2019-05-03",  # an Excel serial number
        [4, 10],  # "Spring & Fall", next due October
        "active",
    )
    # lines 5 and 6: one expired plan
    assert items[5].lines == [5, 6] and found.merged_rows == 1
    assert values[5] == {
        "name": "Silver",
        "starts_on": "2018-01-10",
        "ends_on": "2024-05-02",
        "status": "canceled",
        "months": [1],
        "notes": "Renewed by phone",
    }
    assert values[7]["months"] == [1, 5, 9]  # 3 visits a year from January
    assert values[7]["starts_on"] == today.isoformat()
    assert kinds_support.flag_notes(items[7])["starts_on"] == [
        "left_out: Start date left out: '2020-02-30' is not a date.",
        f"note: No start date: saved as starting {today}.",
    ]
    assert values[8]["months"] == list(range(1, 13)) and values[8]["status"] == "active"
    assert "ends_on" not in values[8]
    assert kinds_support.flag_notes(items[8])["ends_on"] == [
        "left_out: End date left out: it is before the start (2021-06-01)."
    ]
    assert (values[11]["months"], values[11]["status"]) == ([5], "active")
    assert kinds_support.flag_notes(items[11]) == {
        "frequency": [
            "left_out: 'whenever' is not a frequency we know: left out.",
            "note: No frequency: one visit a year.",
        ],
        "status": ["left_out: 'Frozen solid' is not a status we know: left out."],
    }
    assert kinds_support.left_out(found) == {
        9: "No customer matches 'Erin Nobody': import the customers first.",
        10: "2 customers have this name; add their id.",
    }
    assert admin.execute("select count(*) as n from public.service_agreements").fetchone()["n"] == 0


def test_applying_creates_the_plans_and_a_second_import_changes_nothing(
    pool, admin, company, book
) -> None:
    found = kinds_support.plan_file(pool, company, KIND, "agreements_memberships.csv")
    written = kinds_support.applied(pool, company, KIND, found)

    assert [w.action for w in written] == ["created"] * 7
    saved = plans(admin, company.id)
    assert len(saved) == 7
    gold = saved["Bob Stone: Gold Membership"]
    assert (gold["property_id"], gold["months"], gold["status"]) == (
        book["bob"],
        [2, 5, 8, 11],
        "paused",
    )
    assert (gold["starts_on"], gold["first_due_on"]) == (date(2019, 5, 3), date(2030, 2, 1))
    assert saved["Dana Ruiz: Silver"]["ends_on"] == date(2024, 5, 2)
    # importing makes no job: the hourly sweep does, from the next due month
    assert admin.execute("select count(*) as n from public.jobs").fetchone()["n"] == 0

    again = kinds_support.plan_file(pool, company, KIND, "agreements_memberships.csv")
    assert kinds_support.actions(again) == ["unchanged"] * 7
    assert kinds_support.applied(pool, company, KIND, again) == []


def test_an_updated_file_updates_the_changed_plan(pool, admin, company, book) -> None:
    text = (
        "Customer,Service Address,Plan,Start Date,Next Due,Frequency,Status\n"
        "Ann Lee,12 Elm St,Comfort Club,2019-05-03,2030-04-15,Semi-annual,Active\n"
        "Ann Lee,4 Lake Rd,Comfort Club,2019-05-03,2030-04-15,Semi-annual,Active\n"
    )
    kinds_support.applied(pool, company, KIND, kinds_support.planned(pool, company, KIND, text))
    changed = text.replace(
        "4 Lake Rd,Comfort Club,2019-05-03,2030-04-15,Semi-annual,Active",
        "4 Lake Rd,Comfort Club,,2030-05-15,,On hold",
    )

    found = kinds_support.planned(pool, company, KIND, changed)

    items = kinds_support.by_line(found)
    assert items[2].action == "unchanged"
    assert (items[3].action, items[3].data["changed"]) == (
        "update",
        ["months", "status", "first_due_on"],
    )
    written = kinds_support.applied(pool, company, KIND, found)
    assert [(w.action, w.row_id) for w in written] == [("updated", items[3].target_id)]
    assert written[0].before is not None and written[0].before["status"] == "active"
    cabin = admin.execute(
        "select months, starts_on, status, first_due_on from public.service_agreements"
        " where id = %(id)s",
        {"id": items[3].target_id},
    ).fetchone()
    assert cabin == {
        "months": [5, 11],  # twice a year as before, from May
        "starts_on": date(2019, 5, 3),
        "status": "paused",
        "first_due_on": date(2030, 5, 15),
    }


def test_tune_up_jobs_start_at_the_next_due_month_never_in_the_past(
    pool, admin, make, company, book
) -> None:
    this_month = company_today(admin, company.id).replace(day=1)
    next_month = (this_month + timedelta(days=32)).replace(day=1)
    long_ago = (this_month - timedelta(days=70)).replace(day=1)
    text = (
        "Customer,Service Address,Plan,Start Date,Next Due,Frequency\n"
        f"Ann Lee,12 Elm St,Monthly Care,2019-05-03,{next_month},Monthly\n"
        f"Carl Moss,,Overdue Care,2019-05-03,{long_ago},Monthly\n"
    )
    found = kinds_support.planned(pool, company, KIND, text)
    assert kinds_support.flag_notes(kinds_support.by_line(found)[3])["next_due_on"] == [
        f"note: The next visit was due {long_ago}: tune-up jobs start from this month."
    ]
    kinds_support.applied(pool, company, KIND, found)
    made_here = make.agreement(company.id, book["bob"], tuple(range(1, 13)))

    admin.execute(
        "select app.generate_maintenance_jobs(%(t)s, current_date + 60)", {"t": company.id}
    )

    jobs = admin.execute(
        "select a.name, j.due_on from public.jobs j join public.service_agreements a"
        " on a.tenant_id = j.tenant_id and a.id = j.agreement_id where j.tenant_id = %(t)s",
        {"t": company.id},
    ).fetchall()
    first: dict[str, date] = {}
    for job in jobs:
        first[job["name"]] = min(first.get(job["name"], job["due_on"]), job["due_on"])
    assert first["Monthly Care"] == next_month  # not this month: the old system made it
    assert first["Overdue Care"] == this_month  # never a past month
    assert first["Comfort Club"] == this_month and made_here  # a plan made in Plenum: as before


def test_an_active_plan_past_its_end_date_is_saved_as_ended(pool, company, book) -> None:
    text = (
        "Customer,Plan,Start Date,Expires,Status,Frequency\n"
        "Bob Stone,Comfort Club,2019-05-03,2024-05-02,Active,Annual\n"
        "Carl Moss,Comfort Club,2019-05-03,2099-05-02,Active,Annual\n"
    )

    found = kinds_support.planned(pool, company, KIND, text)

    items = kinds_support.by_line(found)
    assert (items[2].data["status"], items[2].data["ends_on"]) == ("canceled", "2024-05-02")
    assert kinds_support.flag_notes(items[2])["status"] == [
        "repaired: The plan ended on 2024-05-02: saved as ended."
    ]
    assert (items[3].data["status"], items[3].flags) == ("active", [])


def test_two_plans_of_the_name_need_the_start_date(pool, make, company, book) -> None:
    for _ in range(2):
        make.agreement(company.id, book["bob"])  # "Comfort Club", starting today
    text = "Customer,Plan,Start Date\nBob Stone,Comfort Club,2019-05-03\nBob Stone,Comfort Club,\n"

    found = kinds_support.planned(pool, company, KIND, text)

    assert found.items == []
    assert kinds_support.left_out(found) == {
        2: "2 plans of this name on this property: add the start date.",
        3: "2 plans of this name on this property: add the start date.",
    }


def test_a_memberships_file_imported_and_undone_by_the_engine(pool, admin, company, book):
    def imported() -> None:
        assert len(plans(admin, company.id)) == 7

    refused = kinds_support.import_and_undo(
        admin, pool, company, KIND, "agreements_memberships.csv", imported
    )

    assert refused is None
    assert plans(admin, company.id) == {}
