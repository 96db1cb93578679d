"""P-10: the company's owners and admins are reminded of an open privacy request 7 days and 1 day
before it is due, each once, by the database clock in the company's time zone; an answered
request is not reminded, and other staff get nothing."""

from __future__ import annotations

from datetime import date, datetime, time
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from psycopg_pool import ConnectionPool

from app.db import Connection
from jobs import REGISTRY
from jobs.privacy_reminders import sweep
from tests.factories import Factory, Tenant
from tests.requests.support import make_privacy_request

pytestmark = pytest.mark.promise("P-10")
NEW_YORK = ZoneInfo("America/New_York")  # a new company's time zone
FILED = date(2026, 3, 2)  # due on April 1


def at(admin: Connection, day: date, hour: int = 9) -> None:
    """The database clock at `hour` o'clock of `day` in the company's time zone."""
    moment = datetime.combine(day, time(hour), NEW_YORK)
    admin.execute("delete from app.clock")
    admin.execute("insert into app.clock (at) values (%s)", [moment])


def reminders(admin: Connection, tenant: Tenant) -> list[tuple[str, str]]:
    rows = admin.execute(
        "select to_address, subject from outbox.messages where tenant_id = %s"
        " and kind = 'privacy_request_due' order by created_at, to_address",
        [tenant.id],
    ).fetchall()
    return [(r["to_address"], r["subject"]) for r in rows]


def filed(admin: Connection, make: Factory) -> tuple[Tenant, UUID, str]:
    tenant = make.tenant()
    admin_member = make.member(tenant.id, "admin")
    make.member(tenant.id, "office")
    make.member(tenant.id, "technician")
    at(admin, FILED)
    request = make_privacy_request(admin, tenant.id, make.customer(tenant.id), "access")
    due = admin.execute("select due_on from public.privacy_requests where id = %s", [request])
    assert due.fetchone() == {"due_on": date(2026, 4, 1)}
    return tenant, request, admin_member.email


def test_owners_and_admins_are_reminded_a_week_and_a_day_before_each_once(
    pool: ConnectionPool, admin: Connection, make: Factory
) -> None:
    tenant, _request, admin_email = filed(admin, make)
    managers = sorted([tenant.owner.email, admin_email])

    at(admin, date(2026, 3, 24), 23)  # 8 days before, late evening
    assert sweep(pool) == 0
    at(admin, date(2026, 3, 25), 0)  # 7 days before, just after midnight
    assert sweep(pool) == 1
    assert sweep(pool) == 0  # once
    week = reminders(admin, tenant)
    assert sorted(to for to, _ in week) == managers
    assert {subject for _, subject in week} == {"A privacy request is due in 7 days"}
    at(admin, date(2026, 3, 30), 23)  # 2 days before
    assert sweep(pool) == 0
    at(admin, date(2026, 3, 31), 0)  # the day before
    assert sweep(pool) == 1
    assert sweep(pool) == 0
    day = reminders(admin, tenant)[2:]
    assert sorted(to for to, _ in day) == managers
    assert {subject for _, subject in day} == {"A privacy request is due tomorrow"}
    at(admin, date(2026, 4, 5))
    assert sweep(pool) == 0
    assert len(reminders(admin, tenant)) == 4


def test_an_answered_request_is_not_reminded(
    pool: ConnectionPool, admin: Connection, make: Factory
) -> None:
    tenant, request, _email = filed(admin, make)
    admin.execute(
        "update public.privacy_requests set status = 'done', answer = 'Sent.',"
        " answered_at = now() where id = %s",
        [request],
    )
    at(admin, date(2026, 3, 31))

    assert sweep(pool) == 0
    assert reminders(admin, tenant) == []


def test_a_request_first_seen_the_day_before_gets_one_reminder(
    pool: ConnectionPool, admin: Connection, make: Factory
) -> None:
    tenant, _request, _email = filed(admin, make)
    at(admin, date(2026, 3, 31))

    assert sweep(pool) == 1
    assert sweep(pool) == 0
    assert {subject for _, subject in reminders(admin, tenant)} == {
        "A privacy request is due tomorrow"
    }
    assert REGISTRY["privacy_reminders"].sweep is sweep
