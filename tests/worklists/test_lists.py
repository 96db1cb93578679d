"""The office's lists: jobs filtered by status, technician, kind, date and priority, sorted and
paged, with the filters in the URL; today's and this week's visits in the company's time zone;
each with a CSV export of the same rows (safe from formulas) and every read recorded (P-07)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from app.db import Connection
from tests.conftest import Client
from tests.factories import Factory, Member, Tenant

NEW_YORK = ZoneInfo("America/New_York")  # a new company's time zone


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def rows_of(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text(response).lstrip("\ufeff"))))


def summaries(response: Any) -> list[str]:
    """The jobs (or visits' jobs) listed, in order, by their summaries."""
    return re.findall(r'data-label="Job"><a href="[^"]+">([^<]+)</a>', text(response))


@dataclass
class Office:
    tenant: Tenant
    terry: Member
    tina: Member
    property_id: UUID
    jobs: dict[str, UUID]
    visits: dict[str, UUID]


def today_at(hour: int, minute: int = 0, days: int = 0) -> datetime:
    day = datetime.now(NEW_YORK).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=NEW_YORK)


@pytest.fixture
def office(client: Client, make: Factory, admin: Connection) -> Office:
    """Three jobs: a furnace repair booked today on Terry (emergency), an install booked on
    Tina tomorrow, a tune-up not booked; a dispatcher signed in."""
    tenant = make.tenant()
    terry = make.member(tenant.id, "technician", make.account(full_name="Terry Tech"))
    tina = make.member(tenant.id, "technician", make.account(full_name="Tina Tech"))
    for member in (terry, tina):  # around the clock, so that any hour of the test can be booked
        admin.execute(
            "insert into public.working_hours (tenant_id, technician_id, weekday, starts_at,"
            " ends_at) select %s, %s, d, '00:00', '23:59' from generate_series(1, 7) d",
            [tenant.id, member.account_id],
        )
    customer = make.customer(tenant.id, "Ruth", "Alvarez")
    prop = make.property(tenant.id, customer, street="12 Elm St")
    repair = make.job(tenant.id, prop, "repair", "Furnace out")
    install = make.job(tenant.id, prop, "install", "New heat pump")
    tune_up = make.job(tenant.id, prop, "maintenance", "Spring tune-up")
    admin.execute("update public.jobs set priority = 'emergency' where id = %s", [repair])
    visits = {
        "repair": make.visit(tenant.id, repair, today_at(0, 30), technicians=(terry.account_id,)),
        "install": make.visit(
            tenant.id, install, today_at(9, days=1), technicians=(tina.account_id,)
        ),
        "tune_up": make.visit(tenant.id, tune_up),
    }
    client.sign_in(make.member(tenant.id, "dispatcher").email)
    return Office(
        tenant,
        terry,
        tina,
        prop,
        {"repair": repair, "install": install, "tune_up": tune_up},
        visits,
    )


def test_the_jobs_list_filters_by_status_technician_kind_and_priority(client, office):
    assert set(summaries(client.get("/jobs"))) == {"Furnace out", "New heat pump", "Spring tune-up"}
    assert summaries(client.get("/jobs?status=unscheduled")) == ["Spring tune-up"]
    assert summaries(client.get(f"/jobs?technician={office.tina.account_id}")) == ["New heat pump"]
    assert summaries(client.get("/jobs?kind=repair")) == ["Furnace out"]
    assert summaries(client.get("/jobs?priority=emergency")) == ["Furnace out"]
    assert summaries(client.get("/jobs?kind=install&priority=emergency")) == []


def test_the_jobs_list_filters_by_date_in_the_company_time_zone(client, office):
    today = datetime.now(NEW_YORK).date()
    tomorrow = today + timedelta(days=1)
    # The repair at 00:30 New York time is today there, whatever the day is in UTC.
    dated = summaries(client.get(f"/jobs?starts={today}&ends={today}"))
    assert "Furnace out" in dated and "New heat pump" not in dated
    assert summaries(client.get(f"/jobs?starts={tomorrow}&ends={tomorrow}")) == ["New heat pump"]


def test_the_jobs_list_sorts_by_the_column_chosen(client, office):
    by_priority = summaries(client.get("/jobs?sort=priority&direction=asc"))
    assert by_priority[0] == "Furnace out"
    by_kind = summaries(client.get("/jobs?sort=kind&direction=asc"))
    assert by_kind == ["New heat pump", "Spring tune-up", "Furnace out"]  # install, maint., repair
    assert summaries(client.get("/jobs?sort=kind&direction=desc")) == list(reversed(by_kind))
    # The head of the sorted column offers the other direction and keeps the filters.
    page = text(client.get("/jobs?sort=kind&direction=asc&kind=repair"))
    assert 'aria-sort="ascending"' in page
    heads = re.findall(r'<th scope="col"[^>]*>\s*<a href="([^"]+)"', page.replace("&amp;", "&"))
    kind_head = next(h for h in heads if "sort=kind" in h)
    assert "direction=desc" in kind_head and "kind=repair" in kind_head


def test_the_jobs_list_is_paged_with_a_capped_page_size(client, office, make):
    for n in range(27):
        make.job(office.tenant.id, office.property_id, "repair", f"Extra job {n:02d}")
    first = client.get("/jobs?per=25&kind=repair&sort=created")
    assert len(summaries(first)) == 25
    assert "1\N{EN DASH}25 of 28 jobs" in text(first)
    next_link = re.search(r'href="([^"]+)" rel="next"', text(first))
    assert next_link is not None
    target = next_link.group(1).replace("&amp;", "&")
    assert "kind=repair" in target and "per=25" in target  # the filters stay in the URL
    second = client.get(target)
    assert len(summaries(second)) == 3
    assert 'rel="next"' not in text(second)
    assert len(summaries(client.get("/jobs?per=100000&kind=repair"))) == 28  # capped, not refused
    beyond = client.get("/jobs?page=9&kind=repair")
    assert beyond.status_code == 200 and "No more jobs" in text(beyond)


def test_bad_filters_are_explained_and_nothing_is_listed(client, office):
    response = client.get("/jobs?status=lost&starts=2026-12-10&ends=2026-12-01")
    assert response.status_code == 422
    assert "The end date is before the start date." in text(response)
    assert "Not a valid choice" in text(response)
    assert summaries(response) == []


def test_empty_states_say_what_to_do(client, make):
    tenant = make.tenant()
    client.sign_in(make.member(tenant.id, "office").email)
    assert "No jobs yet" in text(client.get("/jobs"))
    assert "No visits booked today" in text(client.get("/visits/today"))
    assert "No job matches these filters" not in text(client.get("/jobs"))


def test_todays_and_this_weeks_visits_follow_the_company_day(client, office, make):
    late = make.job(office.tenant.id, office.property_id, "repair", "Late call")
    make.visit(office.tenant.id, late, today_at(23, 30), hours=0.5)
    next_week = make.job(office.tenant.id, office.property_id, "repair", "Next week")
    make.visit(office.tenant.id, next_week, today_at(9, days=8))
    today = summaries(client.get("/visits/today"))
    assert today == ["Furnace out", "Late call"]
    week = summaries(client.get("/visits/week"))
    assert "Furnace out" in week and "Next week" not in week
    assert "Spring tune-up" not in week  # not booked
    assert summaries(client.get(f"/visits/today?technician={office.terry.account_id}")) == [
        "Furnace out"
    ]


def test_the_csv_exports_have_the_same_rows_and_no_formulas(client, office, make):
    make.job(office.tenant.id, office.property_id, "repair", '=HYPERLINK("http://x")')
    rows = rows_of(client.get("/jobs/export.csv?kind=repair&sort=created&direction=asc"))
    assert rows[0][:5] == ["Job ID", "Summary", "Kind", "Priority", "Status"]
    assert [r[1] for r in rows[1:]] == ["Furnace out", '\'=HYPERLINK("http://x")']
    assert rows[1][3:5] == ["Emergency", "Scheduled"]
    assert rows[1][9].startswith(today_at(0, 30).date().isoformat() + "T00:30:00-0")  # ISO, local
    visits = rows_of(client.get("/visits/today/export.csv"))
    assert [r[6] for r in visits[1:]] == ["Furnace out"]
    assert visits[1][0] == str(office.visits["repair"])
    response = client.get("/visits/week/export.csv?status=lost")
    assert response.status_code == 422


@pytest.mark.promise("P-07")
def test_every_list_and_export_is_a_recorded_read(client, office, admin):
    def reads() -> list[dict[str, Any]]:
        return admin.execute(
            "select table_name, row_key, new_values from audit.changes"
            " where tenant_id = %s and operation = 'access' order by id",
            [office.tenant.id],
        ).fetchall()

    client.get("/jobs")
    client.get("/visits/today")
    client.get("/jobs/export.csv")
    jobs, visits, export = reads()
    assert (jobs["table_name"], jobs["row_key"]) == ("public.jobs", "list")
    assert set(jobs["new_values"]["ids"]) == {str(j) for j in office.jobs.values()}
    assert (visits["table_name"], visits["row_key"]) == ("public.visits", "list")
    assert visits["new_values"]["ids"] == [str(office.visits["repair"])]
    assert (export["table_name"], export["row_key"]) == ("public.jobs", "export")
    assert export["new_values"]["rows"] == 3


@pytest.mark.promise("P-02")
@pytest.mark.parametrize(
    "url", ["/jobs", "/jobs/export.csv", "/visits/today", "/visits/week/export.csv"]
)
def test_technicians_cannot_see_the_office_lists(app, office, url):
    technician: Client = app.test_client()
    technician.sign_in(office.terry.email)
    assert technician.get(url).status_code == 403


@pytest.mark.promise("P-01")
def test_another_companys_jobs_are_never_listed(client, office, make):
    other = make.tenant()
    customer = make.customer(other.id, "Olga", "Other")
    make.job(other.id, make.property(other.id, customer), "repair", "Their job")
    assert "Their job" not in text(client.get("/jobs"))
    assert "Their job" not in text(client.get("/jobs/export.csv"))
