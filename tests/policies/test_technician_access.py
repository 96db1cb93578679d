"""P-02 for technicians, at the SQL level: a technician reaches the visits they are booked on
(open, or finished within 30 days) and the job, customer, property and equipment of those
visits, and nothing else of the company. Every read runs as the app runs it (the login role,
then `app.db.begin` with the member's claims); every write is rolled back."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from psycopg import sql

from app.db import SIGN_IN, Connection
from tests.conftest import TestDatabase as Database
from tests.factories import Factory, Member, Tenant
from tests.policies.identity import ROLES, acting_as, claims_of, rows_changed, table_name

pytestmark = pytest.mark.promise("P-02")

NEW_YORK = ZoneInfo("America/New_York")
OPEN_FEED, REVOKED_FEED = "open-feed-token", "revoked-feed-token"


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, clock(hour), tzinfo=NEW_YORK)


def weekday_near(days_from_today: int) -> date:
    """A working day about that many days from today (the weekday at or before it)."""
    day = datetime.now(NEW_YORK).date() + timedelta(days=days_from_today)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def complete(admin: Connection, visit: UUID) -> None:
    """Move a scheduled visit to completed, one legal step at a time, and date the completion
    at the end of its window's first hour."""
    for status in ("en_route", "on_site", "completed"):
        admin.execute("update public.visits set status = %s where id = %s", [status, visit])
    admin.execute(
        "update public.visits set completed_at = window_starts_at + interval '1 hour'"
        " where id = %s",
        [visit],
    )


@dataclass(frozen=True)
class House:
    customer: UUID
    property: UUID
    equipment: list[UUID]


@dataclass(frozen=True)
class World:
    tenant: Tenant
    staff: dict[str, Member]
    terry: Member
    tina: Member
    houses: dict[str, House]  # by customer's last name
    jobs: dict[str, UUID]
    visits: dict[str, UUID]


def house(make: Factory, tenant: UUID, last_name: str, *kinds: str) -> House:
    customer = make.customer(tenant, "Pat", last_name)
    prop = make.property(tenant, customer, street=f"1 {last_name} Way")
    return House(customer, prop, [make.equipment(tenant, prop, kind) for kind in kinds])


@pytest.fixture(scope="module")
def world(shared_admin: Connection, shared_make: Factory) -> World:
    """Terry has an upcoming tune-up at the Alvarez house and a repair at the Fontaine house
    finished some four weeks ago; Tina has an upcoming visit at the Brennans' and repaired the
    Alvarez and Brennan furnaces last week. The Castillos have no visit at all."""
    admin, make = shared_admin, shared_make
    tenant = make.tenant()
    staff = {"owner": tenant.owner} | {
        role: make.member(tenant.id, role) for role in ROLES if role != "owner"
    }
    terry, tina = staff["technician"], make.member(tenant.id, "technician")
    houses = {
        "Alvarez": house(make, tenant.id, "Alvarez", "furnace", "thermostat"),
        "Brennan": house(make, tenant.id, "Brennan", "furnace"),
        "Castillo": house(make, tenant.id, "Castillo", "boiler"),
        "Fontaine": house(make, tenant.id, "Fontaine", "air_conditioner"),
    }

    def job(name: str, kind: str, last_name: str) -> UUID:
        h = houses[last_name]
        return make.job(tenant.id, h.property, kind, name, equipment_ids=(h.equipment[0],))

    jobs = {
        "alvarez tune-up": job("Heating tune-up", "maintenance", "Alvarez"),
        "brennan tune-up": job("Heating tune-up", "maintenance", "Brennan"),
        "fontaine repair": job("AC not cooling", "repair", "Fontaine"),
        "alvarez repair": job("Furnace short-cycling", "repair", "Alvarez"),
        "brennan repair": job("No heat", "repair", "Brennan"),
    }
    ahead = weekday_near(8)
    visits = {
        "terry upcoming": make.visit(
            tenant.id, jobs["alvarez tune-up"], at(ahead, 9), technicians=(terry.account_id,)
        ),
        "tina upcoming": make.visit(
            tenant.id, jobs["brennan tune-up"], at(ahead, 9), technicians=(tina.account_id,)
        ),
        "terry 4 weeks ago": make.visit(
            tenant.id,
            jobs["fontaine repair"],
            at(weekday_near(-27), 9),
            technicians=(terry.account_id,),
        ),
        "tina at alvarez": make.visit(
            tenant.id,
            jobs["alvarez repair"],
            at(weekday_near(-6), 9),
            technicians=(tina.account_id,),
        ),
        "tina at brennan": make.visit(
            tenant.id,
            jobs["brennan repair"],
            at(weekday_near(-6), 13),
            technicians=(tina.account_id,),
        ),
    }
    for finished in ("terry 4 weeks ago", "tina at alvarez", "tina at brennan"):
        complete(admin, visits[finished])
    alvarez = houses["Alvarez"]
    admin.execute(
        "insert into public.service_agreements (tenant_id, customer_id, property_id, name,"
        " months, starts_on) values (%s, %s, %s, 'Comfort Club', '{4,10}', current_date)",
        [tenant.id, alvarez.customer, alvarez.property],
    )
    for who, token, revoked in ((terry, REVOKED_FEED, True), (terry, OPEN_FEED, False)):
        admin.execute(
            "insert into public.calendar_feeds (tenant_id, technician_id, token_hash, revoked_at)"
            " values (%s, %s, %s, case when %s then now() end)",
            [tenant.id, who.account_id, hashlib.sha256(token.encode()).digest(), revoked],
        )
    admin.execute(
        "insert into public.calendar_feeds (tenant_id, technician_id, token_hash)"
        " values (%s, %s, %s)",
        [tenant.id, tina.account_id, hashlib.sha256(b"tina").digest()],
    )
    for who in (terry, tina):
        admin.execute(
            "insert into public.time_off (tenant_id, technician_id, during)"
            " values (%s, %s, tstzrange(now() + interval '60 days', now() + interval '61 days'))",
            [tenant.id, who.account_id],
        )
    return World(tenant, staff, terry, tina, houses, jobs, visits)


def seen(database: Database, member: Member, table: str, column: str = "id") -> set[UUID]:
    """The values of `column` in the rows of `table` the member can read."""
    with acting_as(database, claims_of(member)) as conn:
        rows = conn.execute(
            sql.SQL("select {} as v from {} where tenant_id = %(t)s").format(
                sql.Identifier(column), table_name(table)
            ),
            {"t": member.tenant_id},
        ).fetchall()
    return {row["v"] for row in rows}


# --- what Terry reads ---------------------------------------------------------------------------


def test_a_technician_sees_their_own_visits_only(shared_database: Database, world: World) -> None:
    assert seen(shared_database, world.terry, "public.visits") == {
        world.visits["terry upcoming"],
        world.visits["terry 4 weeks ago"],
    }
    assert seen(shared_database, world.terry, "public.visit_assignments", "visit_id") == {
        world.visits["terry upcoming"],
        world.visits["terry 4 weeks ago"],
    }


def test_a_technician_sees_the_jobs_and_customers_of_their_visits_only(
    shared_database: Database, world: World
) -> None:
    alvarez, fontaine = world.houses["Alvarez"], world.houses["Fontaine"]
    terry = world.terry
    assert seen(shared_database, terry, "public.jobs") == {
        world.jobs["alvarez tune-up"],
        world.jobs["fontaine repair"],
    }
    assert seen(shared_database, terry, "public.customers") == {
        alvarez.customer,
        fontaine.customer,
    }
    assert seen(shared_database, terry, "public.properties") == {
        alvarez.property,
        fontaine.property,
    }
    # All the equipment at those houses, not only the unit named on the job.
    assert seen(shared_database, terry, "public.equipment") == {
        *alvarez.equipment,
        *fontaine.equipment,
    }
    assert seen(shared_database, terry, "public.job_equipment", "job_id") == {
        world.jobs["alvarez tune-up"],
        world.jobs["fontaine repair"],
    }
    assert seen(shared_database, terry, "public.visit_checklist_items", "visit_id") == {
        world.visits["terry upcoming"]
    }


def test_a_technician_reads_the_history_of_the_units_in_front_of_them(
    shared_database: Database, world: World
) -> None:
    """The Alvarez furnace was repaired by Tina: Terry, going there, reads that record, but not
    the record of the Brennan furnace, nor Tina's visits themselves."""
    records = seen(shared_database, world.terry, "public.equipment_service_records", "equipment_id")
    assert records == {world.houses["Alvarez"].equipment[0], world.houses["Fontaine"].equipment[0]}
    assert world.visits["tina at alvarez"] not in seen(
        shared_database, world.terry, "public.visits"
    )


def test_a_technician_sees_no_service_agreements(shared_database: Database, world: World) -> None:
    assert seen(shared_database, world.terry, "public.service_agreements") == set()
    assert len(seen(shared_database, world.staff["office"], "public.service_agreements")) == 1


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("public.time_off", "technician_id"),
        ("public.calendar_feeds", "technician_id"),
    ],
)
def test_a_technician_sees_only_their_own_time_off_and_feeds(
    shared_database: Database, world: World, table: str, column: str
) -> None:
    assert seen(shared_database, world.terry, table, column) == {world.terry.account_id}


@pytest.mark.parametrize("role", ["owner", "admin", "dispatcher", "office"])
def test_office_staff_see_every_visit_and_customer(
    shared_database: Database, world: World, role: str
) -> None:
    staff = world.staff[role]
    assert seen(shared_database, staff, "public.visits") == set(world.visits.values())
    assert seen(shared_database, staff, "public.customers") == {
        h.customer for h in world.houses.values()
    }
    assert len(seen(shared_database, staff, "public.equipment_service_records")) == 3


def test_customer_search_finds_only_the_technicians_customers(
    shared_database: Database, world: World
) -> None:
    def search(member: Member, term: str) -> set[UUID]:
        with acting_as(shared_database, claims_of(member)) as conn:
            rows = conn.execute(
                "select app.customer_ids_matching(%(p)s, %(p)s, %(p)s, 50) as id",
                {"p": f"%{term}%"},
            ).fetchall()
        return {row["id"] for row in rows}

    alvarez, brennan = world.houses["Alvarez"], world.houses["Brennan"]
    assert search(world.terry, "alvarez") == {alvarez.customer}
    assert search(world.terry, "1 alvarez way") == {alvarez.customer}  # by address
    assert search(world.terry, "brennan") == set()
    assert search(world.terry, "castillo") == set()
    assert search(world.staff["office"], "brennan") == {brennan.customer}


# --- what Terry may write -----------------------------------------------------------------------


def test_a_technician_cannot_add_jobs_or_visits(shared_database: Database, world: World) -> None:
    castillo = world.houses["Castillo"]
    with acting_as(shared_database, claims_of(world.terry)) as conn:
        job = rows_changed(
            conn,
            "insert into public.jobs (tenant_id, customer_id, property_id, kind, summary)"
            " values (%(t)s, %(c)s, %(p)s, 'repair', 'Side job')",
            {"t": world.tenant.id, "c": castillo.customer, "p": castillo.property},
        )
        visit = rows_changed(
            conn,
            "insert into public.visits (tenant_id, job_id) values (%(t)s, %(j)s)",
            {"t": world.tenant.id, "j": world.jobs["alvarez tune-up"]},
        )
        assignment = rows_changed(
            conn,
            "insert into public.visit_assignments (tenant_id, visit_id, technician_id)"
            " values (%(t)s, %(v)s, %(me)s)",
            {
                "t": world.tenant.id,
                "v": world.visits["tina upcoming"],
                "me": world.terry.account_id,
            },
        )
    assert (job, visit, assignment) == (None, None, None)


@pytest.mark.parametrize(
    ("whose", "added"), [("terry upcoming", 1), ("tina upcoming", None)], ids=["own", "tina's"]
)
def test_a_technician_adds_notes_and_photos_to_their_own_visit_only(
    shared_database: Database, world: World, whose: str, added: int | None
) -> None:
    params = {"t": world.tenant.id, "v": world.visits[whose], "key": f"{world.tenant.id}/{uuid4()}"}
    with acting_as(shared_database, claims_of(world.terry)) as conn:
        note = rows_changed(
            conn,
            "insert into public.visit_notes (tenant_id, visit_id, body)"
            " values (%(t)s, %(v)s, 'Filter was clogged')",
            params,
        )
        photo = rows_changed(
            conn,
            "insert into public.visit_files (tenant_id, visit_id, kind, storage_key,"
            " content_type, byte_size) values (%(t)s, %(v)s, 'photo', %(key)s, 'image/jpeg', 900)",
            params,
        )
        ticked = rows_changed(
            conn,
            "update public.visit_checklist_items set done_at = now(), done_by = auth.uid()"
            " where tenant_id = %(t)s and visit_id = %(v)s",
            params,
        )
    assert (note, photo) == (added, added)
    assert ticked == (7 if added else 0)  # the seven tasks of a heating tune-up


# --- a visit leaves the technician's view -------------------------------------------------------


@pytest.fixture
def terrys_repair(make: Factory) -> tuple[Tenant, Member, UUID, UUID]:
    """A company where Terry has one repair booked, at the Dube house: (company, Terry, the
    visit, the Dubes)."""
    tenant = make.tenant()
    terry = make.member(tenant.id, "technician")
    dubes = house(make, tenant.id, "Dube", "furnace")
    job = make.job(tenant.id, dubes.property, equipment_ids=(dubes.equipment[0],))
    visit = make.visit(tenant.id, job, at(weekday_near(-20), 9), technicians=(terry.account_id,))
    return tenant, terry, visit, dubes.customer


def test_a_finished_visit_leaves_the_technicians_view_after_30_days(
    database: Database, admin: Connection, terrys_repair: tuple[Tenant, Member, UUID, UUID]
) -> None:
    _, terry, visit, customer = terrys_repair
    complete(admin, visit)
    for days_ago, visible in ((29, True), (31, False)):
        admin.execute(
            "update public.visits set completed_at = now() - make_interval(days => %s)"
            " where id = %s",
            [days_ago, visit],
        )
        assert seen(database, terry, "public.visits") == ({visit} if visible else set())
        assert seen(database, terry, "public.customers") == ({customer} if visible else set())
        assert len(seen(database, terry, "public.equipment_service_records")) == int(visible)


def test_a_canceled_visit_leaves_the_technicians_view_at_once(
    database: Database, admin: Connection, terrys_repair: tuple[Tenant, Member, UUID, UUID]
) -> None:
    _, terry, visit, customer = terrys_repair
    assert seen(database, terry, "public.customers") == {customer}
    admin.execute(
        "update public.visits set status = 'canceled', cancel_reason = 'Sold the house'"
        " where id = %s",
        [visit],
    )
    assert seen(database, terry, "public.visits") == set()
    assert seen(database, terry, "public.customers") == set()


# --- the calendar feed --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "expected"),
    [(OPEN_FEED, ["terry 4 weeks ago", "terry upcoming"]), (REVOKED_FEED, []), ("guess", [])],
    ids=["open", "revoked", "unknown"],
)
def test_a_calendar_feed_shows_its_technicians_visits_until_revoked(
    shared_database: Database, world: World, token: str, expected: list[str]
) -> None:
    with acting_as(shared_database, SIGN_IN) as conn:
        rows = conn.execute(
            "select visit_id, city from app.calendar_feed_visits(%s)", [token]
        ).fetchall()
    assert [row["visit_id"] for row in rows] == [world.visits[name] for name in expected]


# --- gaps found and closed: status times, and revoked feeds ------------------------------------


def test_a_technician_cannot_keep_a_finished_visit_in_view_by_moving_its_time(
    database: Database, admin: Connection, terrys_repair: tuple[Tenant, Member, UUID, UUID]
) -> None:
    _, terry, visit, _ = terrys_repair
    complete(admin, visit)
    admin.execute(
        "update public.visits set completed_at = now() - interval '1 day' where id = %s", [visit]
    )
    with acting_as(database, claims_of(terry)) as conn:
        moved = rows_changed(
            conn,
            "update public.visits set completed_at = now() + interval '10 years' where id = %(v)s",
            {"v": visit},
        )
    assert moved is None  # refused, so the visit still leaves their view 30 days after


def test_a_revoked_calendar_feed_stays_revoked(
    database: Database, admin: Connection, terrys_repair: tuple[Tenant, Member, UUID, UUID]
) -> None:
    """A manager revoked Terry's only feed (a lost phone): Terry cannot reopen it."""
    tenant, terry, _, _ = terrys_repair
    admin.execute(
        "insert into public.calendar_feeds (tenant_id, technician_id, token_hash, revoked_at)"
        " values (%s, %s, %s, now())",
        [tenant.id, terry.account_id, hashlib.sha256(b"lost phone").digest()],
    )
    with acting_as(database, claims_of(terry)) as conn:
        reopened = rows_changed(
            conn,
            "update public.calendar_feeds set revoked_at = null where tenant_id = %(t)s",
            {"t": tenant.id},
        )
    assert not reopened


def test_a_visit_booked_more_than_31_days_ago_leaves_the_technicians_view(
    database: Database, make: Factory, terrys_repair: tuple[Tenant, Member, UUID, UUID]
) -> None:
    """Even one never closed: what a technician sees is bounded by the booking's date, so a
    year of history is never read on their pages."""
    tenant, terry, recent, _ = terrys_repair
    job = make.job(tenant.id, make.property(tenant.id, make.customer(tenant.id)))
    old = make.visit(tenant.id, job, at(weekday_near(-40), 9), technicians=(terry.account_id,))

    visible = seen(database, terry, "public.visits")

    assert recent in visible
    assert old not in visible
