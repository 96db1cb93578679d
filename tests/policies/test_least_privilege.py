"""P-02: within a company, each role reaches only what its work needs, enforced by the database.

Every test acts as the app does (login role, then `app.db.begin` with the member's claims) on one
company shared by the module; every write runs in a transaction that is rolled back.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row

from app import db
from app.db import Connection
from tests.conftest import TestDatabase as Database
from tests.factories import Factory, Member, Tenant
from tests.policies.identity import (
    ROLES,
    acting_as,
    claims_of,
    rows_changed,
    rows_counted,
    table_name,
)

pytestmark = pytest.mark.promise("P-02")

KEEPS_AN_OWNER = "memberships_company_keeps_an_owner"


@dataclass(frozen=True)
class Company:
    tenant: Tenant
    staff: dict[str, Member]  # one member of each role


@pytest.fixture(scope="module")
def company(shared_make: Factory) -> Company:
    """A company with one member of each role, an open invitation and a message in its outbox."""
    tenant = shared_make.tenant()
    staff = {"owner": tenant.owner} | {
        role: shared_make.member(tenant.id, role) for role in ROLES if role != "owner"
    }
    shared_make.invitation(tenant.id)
    shared_make.outbox_message(tenant.id)
    return Company(tenant, staff)


def visible(database: Database, member: Member, table: str) -> int | None:
    with acting_as(database, claims_of(member)) as conn:
        return rows_counted(
            conn,
            sql.SQL("select count(*) as n from {} where tenant_id = %(t)s").format(
                table_name(table)
            ),
            {"t": member.tenant_id},
        )


def change_role(conn: Connection, member: Member, role: str) -> int | None:
    return rows_changed(
        conn,
        "update public.memberships set role = %(role)s where id = %(id)s",
        {"role": role, "id": member.membership_id},
    )


# --- what each role can see -------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_office_roles_see_the_team(
    shared_database: Database, company: Company, role: str
) -> None:
    member = company.staff[role]
    with acting_as(shared_database, claims_of(member)) as conn:
        seen = {
            row["id"]
            for row in conn.execute(
                "select id from public.memberships where tenant_id = %(t)s",
                {"t": company.tenant.id},
            ).fetchall()
        }
    everyone = {m.membership_id for m in company.staff.values()}
    assert seen == ({member.membership_id} if role == "technician" else everyone)


@pytest.mark.parametrize("role", ROLES)
def test_only_owners_and_admins_see_invitations(
    shared_database: Database, company: Company, role: str
) -> None:
    seen = visible(shared_database, company.staff[role], "public.invitations")
    assert seen == (1 if role in ("owner", "admin") else 0)


@pytest.mark.parametrize("role", ROLES)
def test_only_owners_read_the_outbox(
    shared_database: Database, company: Company, role: str
) -> None:
    assert visible(shared_database, company.staff[role], "outbox.messages") == (
        1 if role == "owner" else 0
    )


# --- who can change whom ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_owners_and_admins_change_members(
    shared_database: Database, company: Company, role: str
) -> None:
    with acting_as(shared_database, claims_of(company.staff[role])) as conn:
        changed = change_role(conn, company.staff["technician"], "office")
    assert changed == (1 if role in ("owner", "admin") else 0)


def test_an_admin_cannot_change_an_owner(shared_database: Database, company: Company) -> None:
    owner = company.staff["owner"]
    with acting_as(shared_database, claims_of(company.staff["admin"])) as conn:
        assert change_role(conn, owner, "technician") == 0
        assert (
            rows_changed(
                conn,
                "update public.memberships set status = 'removed' where id = %(id)s",
                {"id": owner.membership_id},
            )
            == 0
        )


@pytest.mark.parametrize("promoted", ["dispatcher", "admin"])
def test_an_admin_cannot_make_anyone_an_owner(
    shared_database: Database, company: Company, promoted: str
) -> None:
    with acting_as(shared_database, claims_of(company.staff["admin"])) as conn:
        assert change_role(conn, company.staff[promoted], "owner") is None


@pytest.mark.parametrize(
    ("role", "invited_role", "allowed"),
    [
        ("owner", "owner", True),
        ("admin", "dispatcher", True),
        ("admin", "owner", False),
        ("dispatcher", "technician", False),
        ("office", "technician", False),
        ("technician", "technician", False),
    ],
)
def test_who_can_invite_with_which_role(
    shared_database: Database, company: Company, role: str, invited_role: str, allowed: bool
) -> None:
    with acting_as(shared_database, claims_of(company.staff[role])) as conn:
        added = rows_changed(
            conn,
            "insert into public.invitations (tenant_id, email, role, token_hash, expires_at)"
            " values (%(t)s, 'new.hire@example.com', %(role)s, %(hash)s, %(expires)s)",
            {
                "t": company.tenant.id,
                "role": invited_role,
                "hash": f"{role}{invited_role}".encode(),
                "expires": datetime.now(UTC) + timedelta(days=7),
            },
        )
    assert added == (1 if allowed else None)


# --- a company always keeps an owner --------------------------------------------------------


@pytest.mark.parametrize(("column", "value"), [("role", "admin"), ("status", "removed")])
def test_the_last_owner_cannot_step_down(
    shared_database: Database, company: Company, column: str, value: str
) -> None:
    owner = company.staff["owner"]
    with (
        acting_as(shared_database, claims_of(owner)) as conn,
        pytest.raises(psycopg.errors.CheckViolation) as refused,
    ):
        conn.execute(
            sql.SQL("update public.memberships set {} = %(value)s where id = %(id)s").format(
                sql.Identifier(column)
            ),
            {"value": value, "id": owner.membership_id},
        )
    assert refused.value.diag.constraint_name == KEEPS_AN_OWNER


def test_not_even_the_database_owner_can_leave_a_company_without_owner(
    shared_admin: Connection, company: Company
) -> None:
    with (
        pytest.raises(psycopg.errors.CheckViolation) as refused,
        shared_admin.transaction(force_rollback=True),
    ):
        shared_admin.execute(
            "update public.memberships set role = 'office' where id = %(id)s",
            {"id": company.staff["owner"].membership_id},
        )
    assert refused.value.diag.constraint_name == KEEPS_AN_OWNER


def test_one_of_two_owners_may_step_down_but_not_both(
    shared_database: Database, shared_make: Factory
) -> None:
    tenant = shared_make.tenant()
    second = shared_make.member(tenant.id, "owner")
    with acting_as(shared_database, claims_of(tenant.owner)) as conn:
        demoted = conn.execute(
            "update public.memberships set role = 'admin' where id = %(id)s",
            {"id": second.membership_id},
        )
        assert demoted.rowcount == 1
        with pytest.raises(psycopg.errors.CheckViolation) as refused:
            change_role(conn, tenant.owner, "admin")
    assert refused.value.diag.constraint_name == KEEPS_AN_OWNER


def wait_until_finished_or_blocked(thread: threading.Thread, admin: Connection, name: str) -> None:
    """Until the thread's transaction is done, or waits for a lock held by another."""
    deadline = time.monotonic() + 10
    while thread.is_alive() and time.monotonic() < deadline:
        waiting = admin.execute(
            "select count(*) as n from pg_stat_activity where datname = %(db)s"
            " and wait_event_type = 'Lock'",
            {"db": name},
        ).fetchone()
        if waiting and waiting["n"]:
            return
        time.sleep(0.01)


def test_two_owners_stepping_down_at_once_leave_one_owner(
    database: Database, make: Factory, admin: Connection
) -> None:
    """Each sees the other still an owner; whichever commits second must still be refused."""
    tenant = make.tenant()
    first, second = tenant.owner, make.member(tenant.id, "owner")
    refusals: list[psycopg.Error] = []

    def step_down(member: Member, conn: Connection) -> None:
        db.begin(conn, claims_of(member))
        conn.execute(
            "update public.memberships set role = 'admin' where id = %(id)s",
            {"id": member.membership_id},
        )

    def second_steps_down() -> None:
        with psycopg.connect(database.app_url, row_factory=dict_row) as conn:
            try:
                step_down(second, conn)
                conn.commit()
            except psycopg.Error as error:
                refusals.append(error)

    with psycopg.connect(database.app_url, row_factory=dict_row) as conn:
        step_down(first, conn)
        other = threading.Thread(target=second_steps_down)
        other.start()
        wait_until_finished_or_blocked(other, admin, database.name)
        conn.commit()
    other.join(timeout=10)
    owners = admin.execute(
        "select count(*) as n from public.memberships where tenant_id = %(t)s"
        " and role = 'owner' and status = 'active'",
        {"t": tenant.id},
    ).fetchone()
    assert owners == {"n": 1}
    assert [error.diag.constraint_name for error in refusals] == [KEEPS_AN_OWNER]


# --- planning the technicians' time -----------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_and_dispatchers_set_working_hours_and_time_off(
    shared_database: Database, company: Company, role: str
) -> None:
    params = {"t": company.tenant.id, "tech": company.staff["technician"].account_id}
    with acting_as(shared_database, claims_of(company.staff[role])) as conn:
        hours = rows_changed(
            conn,
            "insert into public.working_hours (tenant_id, technician_id, weekday, starts_at,"
            " ends_at) values (%(t)s, %(tech)s, 6, '09:00', '13:00')",
            params,
        )
        time_off = rows_changed(
            conn,
            "insert into public.time_off (tenant_id, technician_id, during) values (%(t)s,"
            " %(tech)s, tstzrange(now() + interval '1 day', now() + interval '2 days'))",
            params,
        )
    planner = role in ("owner", "admin", "dispatcher")
    assert (hours, time_off) == ((1, 1) if planner else (None, None))


@pytest.mark.parametrize("role", ROLES)
def test_only_office_staff_make_jobs_and_service_agreements(
    shared_database: Database, shared_make: Factory, company: Company, role: str
) -> None:
    customer = shared_make.customer(company.tenant.id)
    params = {
        "t": company.tenant.id,
        "c": customer,
        "p": shared_make.property(company.tenant.id, customer),
    }
    with acting_as(shared_database, claims_of(company.staff[role])) as conn:
        job = rows_changed(
            conn,
            "insert into public.jobs (tenant_id, customer_id, property_id, kind, summary)"
            " values (%(t)s, %(c)s, %(p)s, 'repair', 'No heat')",
            params,
        )
        agreement = rows_changed(
            conn,
            "insert into public.service_agreements (tenant_id, customer_id, property_id, name,"
            " months, starts_on) values (%(t)s, %(c)s, %(p)s, 'Comfort Club', '{4,10}',"
            " current_date)",
            params,
        )
    assert (job, agreement) == ((None, None) if role == "technician" else (1, 1))
