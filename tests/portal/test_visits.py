"""The homeowner's visits: their own only, and moving or canceling one within the company's
rules (P-02 for homeowners)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from app.db import Connection
from tests.conftest import Client
from tests.factories import Factory, Tenant
from tests.portal.support import sign_in

NEW_YORK = ZoneInfo("America/New_York")  # the factories' companies


def weekday_ahead(days: int, hour: int) -> datetime:
    """`hour` o'clock in New York on the first weekday at least `days` days ahead."""
    day = datetime.now(NEW_YORK).date() + timedelta(days=days)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour), NEW_YORK)


def working_technician(make: Factory, tenant: Tenant, full_name: str = "Sam Ortiz") -> UUID:
    """A technician working 7:00-19:00 every day."""
    technician = make.member(tenant.id, "technician").account_id
    make.conn.execute(
        "update public.memberships set full_name = %s where tenant_id = %s and account_id = %s",
        [full_name, tenant.id, technician],
    )
    for weekday in range(1, 8):
        make.conn.execute(
            "insert into public.working_hours (tenant_id, technician_id, weekday, starts_at,"
            " ends_at) values (%s, %s, %s, '07:00', '19:00')",
            [tenant.id, technician, weekday],
        )
    return technician


def visit_of(
    make: Factory,
    tenant: Tenant,
    customer: UUID,
    starts: datetime,
    technician: UUID,
    summary: str = "No heat",
) -> UUID:
    job = make.job(tenant.id, make.property(tenant.id, customer), summary=summary)
    return make.visit(tenant.id, job, starts, technicians=(technician,))


def utc(moment: datetime) -> str:
    """A window's start as the page's radio buttons post it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def offered(client: Client, visit: UUID) -> list[str]:
    """The windows the visit's page offers to move it to."""
    page = client.get(f"/portal/visits/{visit}").get_data(as_text=True)
    return re.findall(r'name="window" value="([^"]+)"', page)


def window_of(admin: Connection, visit: UUID) -> tuple[str, datetime | None]:
    row = admin.execute(
        "select status, window_starts_at from public.visits where id = %s", [visit]
    ).fetchone()
    assert row is not None
    return row["status"], row["window_starts_at"]


def test_the_visits_page_shows_my_visits_with_the_technicians_first_name_only(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    technician = working_technician(make, tenant, "Sam Ortiz")
    me, neighbour = make.customer(tenant.id, "Dana"), make.customer(tenant.id, "Lee")
    visit_of(make, tenant, me, weekday_ahead(5, 9), technician, "Furnace makes a noise")
    visit_of(make, tenant, neighbour, weekday_ahead(6, 9), technician, "Neighbour's leak")
    sign_in(client, admin, tenant.id, me)

    page = client.get("/portal/visits").get_data(as_text=True)

    assert "Furnace makes a noise" in page
    assert "Sam" in page and "Ortiz" not in page
    assert "Neighbour&#39;s leak" not in page and "Neighbour's leak" not in page


def test_a_visit_en_route_reads_on_the_way(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    technician = working_technician(make, tenant)
    me = make.customer(tenant.id)
    visit = visit_of(make, tenant, me, weekday_ahead(1, 9), technician)
    admin.execute("update public.visits set status = 'en_route' where id = %s", [visit])
    sign_in(client, admin, tenant.id, me)

    assert "On the way" in client.get(f"/portal/visits/{visit}").get_data(as_text=True)


def test_another_customers_visit_is_404(client: Client, admin: Connection, make: Factory) -> None:
    tenant = make.tenant()
    technician = working_technician(make, tenant)
    me, neighbour = make.customer(tenant.id), make.customer(tenant.id)
    theirs = visit_of(make, tenant, neighbour, weekday_ahead(5, 9), technician)
    sign_in(client, admin, tenant.id, me)

    assert client.get(f"/portal/visits/{theirs}").status_code == 404
    moved = client.submit(
        f"/portal/visits/{theirs}/reschedule", {"window": utc(weekday_ahead(8, 13))}
    )
    canceled = client.submit(f"/portal/visits/{theirs}/cancel", {"reason": ""})
    assert (moved.status_code, canceled.status_code) == (404, 404)
    assert window_of(admin, theirs)[0] == "scheduled"


def test_moving_a_visit_outside_the_cutoff_works_and_frees_the_old_time(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    technician = working_technician(make, tenant)
    me = make.customer(tenant.id)
    visit = visit_of(make, tenant, me, weekday_ahead(5, 9), technician)
    new_start = weekday_ahead(8, 13)
    sign_in(client, admin, tenant.id, me)

    assert utc(new_start) in offered(client, visit)

    response = client.submit(f"/portal/visits/{visit}/reschedule", {"window": utc(new_start)})

    assert response.status_code == 303
    assert window_of(admin, visit) == ("scheduled", new_start)
    booked = admin.execute(
        "select lower(booked) as starts from public.visit_assignments where visit_id = %s",
        [visit],
    ).fetchone()
    assert booked is not None and booked["starts"] == new_start
    change = admin.execute(
        "select actor_label from audit.changes where table_name = 'public.visits'"
        " and row_key = %s and operation = 'update' order by id desc limit 1",
        [str(visit)],
    ).fetchone()
    assert change is not None and change["actor_label"] == "authenticated"


def test_inside_the_cutoff_a_visit_cannot_be_moved_or_canceled(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    me = make.customer(tenant.id)
    soon = datetime.now(UTC) + timedelta(hours=20)
    # No technician: the hour of the test run may fall outside working hours; the rule is
    # about time only.
    visit = make.visit(tenant.id, make.job(tenant.id, make.property(tenant.id, me)), soon)
    sign_in(client, admin, tenant.id, me)
    later = weekday_ahead(8, 13)

    assert offered(client, visit) == []
    moved = client.submit(f"/portal/visits/{visit}/reschedule", {"window": utc(later)})
    canceled = client.submit(f"/portal/visits/{visit}/cancel", {"reason": "Away"})

    for response in (moved, canceled):
        assert response.status_code == 422
        assert "too close to this visit to change it online" in response.get_data(as_text=True)
    assert window_of(admin, visit) == ("scheduled", soon)


def test_a_new_time_inside_the_cutoff_is_refused(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    technician = working_technician(make, tenant)
    me = make.customer(tenant.id)
    starts = weekday_ahead(5, 9)
    visit = visit_of(make, tenant, me, starts, technician)
    sign_in(client, admin, tenant.id, me)
    today = datetime.now(UTC) + timedelta(hours=2)

    response = client.submit(f"/portal/visits/{visit}/reschedule", {"window": utc(today)})

    assert response.status_code == 422
    assert "Choose a time further ahead." in response.get_data(as_text=True)
    assert window_of(admin, visit) == ("scheduled", starts)


def test_a_time_already_taken_is_refused(client: Client, admin: Connection, make: Factory) -> None:
    tenant = make.tenant()
    technician = working_technician(make, tenant)
    me, neighbour = make.customer(tenant.id), make.customer(tenant.id)
    starts, taken = weekday_ahead(5, 9), weekday_ahead(8, 13)
    visit = visit_of(make, tenant, me, starts, technician)
    visit_of(make, tenant, neighbour, taken, technician)
    sign_in(client, admin, tenant.id, me)

    assert utc(taken) not in offered(client, visit)

    response = client.submit(f"/portal/visits/{visit}/reschedule", {"window": utc(taken)})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "That time was just taken" in page
    assert window_of(admin, visit) == ("scheduled", starts)


def test_canceling_outside_the_cutoff_works_with_my_reason(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    technician = working_technician(make, tenant)
    me = make.customer(tenant.id)
    visit = visit_of(make, tenant, me, weekday_ahead(5, 9), technician)
    sign_in(client, admin, tenant.id, me)

    response = client.submit(f"/portal/visits/{visit}/cancel", {"reason": "Fixed it myself"})

    assert response.status_code == 303
    row = admin.execute(
        "select v.status, v.cancel_reason, a.booked from public.visits v"
        " join public.visit_assignments a on a.visit_id = v.id where v.id = %s",
        [visit],
    ).fetchone()
    assert row is not None
    assert (row["status"], row["cancel_reason"], row["booked"]) == (
        "canceled",
        "Fixed it myself",
        None,
    )


def test_a_visit_moves_to_a_free_technician_when_its_own_is_busy_then(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    mine, other = working_technician(make, tenant), working_technician(make, tenant, "Ana Lee")
    me, neighbour = make.customer(tenant.id), make.customer(tenant.id)
    visit = visit_of(make, tenant, me, weekday_ahead(5, 9), mine)
    new_start = weekday_ahead(8, 13)
    visit_of(make, tenant, neighbour, new_start, mine)  # busy then; the other is free
    sign_in(client, admin, tenant.id, me)

    assert utc(new_start) in offered(client, visit)
    response = client.submit(f"/portal/visits/{visit}/reschedule", {"window": utc(new_start)})

    assert response.status_code == 303
    assert window_of(admin, visit) == ("scheduled", new_start)
    assigned = admin.execute(
        "select technician_id from public.visit_assignments where visit_id = %s", [visit]
    ).fetchall()
    assert [row["technician_id"] for row in assigned] == [other]


def test_the_companys_cutoff_setting_decides_until_when_a_visit_changes_online(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    technician = working_technician(make, tenant)
    me = make.customer(tenant.id)
    starts = weekday_ahead(5, 9)  # 4 to 7 days ahead
    visit = visit_of(make, tenant, me, starts, technician)
    admin.execute(
        "update public.online_booking_settings set portal_change_cutoff_hours = 200"
        " where tenant_id = %s",
        [tenant.id],
    )
    sign_in(client, admin, tenant.id, me)

    canceled = client.submit(f"/portal/visits/{visit}/cancel", {"reason": "Away"})

    assert canceled.status_code == 422
    assert window_of(admin, visit) == ("scheduled", starts)
    admin.execute(
        "update public.online_booking_settings set portal_change_cutoff_hours = 24"
        " where tenant_id = %s",
        [tenant.id],
    )
    assert client.submit(f"/portal/visits/{visit}/cancel", {"reason": "Away"}).status_code == 303
    assert window_of(admin, visit)[0] == "canceled"
