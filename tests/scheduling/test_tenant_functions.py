"""The scheduling helpers that take a company id (`app.company_time_zone`,
`app.technician_shift`, `app.visit_booking`) run as their caller: another company's id gives
nothing of that company (P-01), while the booking triggers that use them still work."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest

from tests.conftest import TestDatabase
from tests.factories import Factory
from tests.policies.identity import acting_as, claims_of

CHICAGO = ZoneInfo("America/Chicago")


def a_monday_ahead() -> date:
    day = date.today() + timedelta(days=14)
    return day - timedelta(days=day.weekday())


def company_a(make: Factory, admin) -> dict:
    """Company A in Chicago with a technician working 6 to 14 on Mondays and a booked visit."""
    a = make.tenant("Company A")
    admin.execute("update public.tenants set time_zone = 'America/Chicago' where id = %s", [a.id])
    technician = make.member(a.id, "technician").account_id
    admin.execute(
        "insert into public.working_hours (tenant_id, technician_id, weekday, starts_at, ends_at)"
        " values (%s, %s, 1, '06:00', '14:00')",
        [a.id, technician],
    )
    starts = datetime.combine(a_monday_ahead(), time(7), CHICAGO)
    job = make.job(a.id, make.property(a.id, make.customer(a.id)))
    visit = make.visit(a.id, job, starts, technicians=(technician,))
    return {"tenant": a, "technician": technician, "visit": visit, "starts": starts}


CALLS = {
    "company_time_zone": "select app.company_time_zone(%(tenant)s) as v",
    "technician_shift": "select app.technician_shift(%(tenant)s, %(technician)s, %(day)s) as v",
    "visit_booking": "select app.visit_booking(%(tenant)s, %(visit)s) as v",
}


def call(conn, name: str, a: dict):
    params = {
        "tenant": a["tenant"].id,
        "technician": a["technician"],
        "visit": a["visit"],
        "day": a_monday_ahead(),
    }
    return conn.execute(CALLS[name], params).fetchone()["v"]


@pytest.mark.promise("P-01")
@pytest.mark.parametrize("name", CALLS)
def test_another_companys_owner_gets_nothing_of_company_a(
    database: TestDatabase, make: Factory, admin, name: str
):
    a = company_a(make, admin)
    b = make.tenant("Company B")

    with acting_as(database, claims_of(b.owner)) as conn:
        assert call(conn, name, a) is None
    # Control: the same call as A's owner answers with A's data.
    with acting_as(database, claims_of(a["tenant"].owner)) as conn:
        assert call(conn, name, a) is not None


@pytest.mark.promise("P-01")
def test_company_a_sees_its_own_zone_shift_and_booking(
    database: TestDatabase, make: Factory, admin
):
    a = company_a(make, admin)
    with acting_as(database, claims_of(a["tenant"].owner)) as conn:
        assert call(conn, "company_time_zone", a) == "America/Chicago"
        shift = call(conn, "technician_shift", a)
        assert shift.lower == datetime.combine(a_monday_ahead(), time(6), CHICAGO)
        assert call(conn, "visit_booking", a).lower == a["starts"]


@pytest.mark.promise("P-01")
def test_none_of_the_three_is_a_security_definer(admin):
    rows = admin.execute(
        "select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
        " where n.nspname = 'app' and p.prosecdef and p.proname = any(%s)",
        [list(CALLS)],
    ).fetchall()
    assert rows == []


def test_the_booking_trigger_still_checks_working_hours_as_a_dispatcher(
    database: TestDatabase, make: Factory, admin
):
    """The trigger reads the technician's hours (invisible to nobody it runs for) as before."""
    a = company_a(make, admin)
    dispatcher = make.member(a["tenant"].id, "dispatcher")
    job = make.job(a["tenant"].id, make.property(a["tenant"].id, make.customer(a["tenant"].id)))
    late = datetime.combine(a_monday_ahead(), time(15), CHICAGO)  # after the 14:00 shift end
    visit = make.visit(a["tenant"].id, job, late)
    with acting_as(database, claims_of(dispatcher)) as conn:
        with pytest.raises(psycopg.errors.CheckViolation) as refused:
            conn.execute(
                "insert into public.visit_assignments (tenant_id, visit_id, technician_id)"
                " values (%s, %s, %s)",
                [a["tenant"].id, visit, a["technician"]],
            )
        assert refused.value.diag.constraint_name == "visit_assignments_within_working_hours"
