"""P-01: every function an API role may execute (anon, authenticated, the sign-in role), called
as an anonymous visitor, a token holder (plenum_signin) and company B's owner and technician
with company A's ids and values, returns nothing of A, and any error is a refusal.

The functions come from the catalog (tests/policies/functions.py), so a new function is called
the moment it exists; triggers and functions without an API grant are left out. Arguments are
made by type and name from A's real rows; see `functions.argument_for`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg import sql

from app import catalog, db
from app.db import ANON, SIGN_IN, Connection
from tests.conftest import TestDatabase as Database
from tests.factories import Factory, Member, Tenant
from tests.policies import functions
from tests.policies.functions import Values
from tests.policies.identity import acting_as, claims_of, table_name
from tests.policies.test_rls_matrix import AUDIT_LOG, ROW_BUILDERS, insert
from tests.portal.support import homeowner_claims

# Functions allowed to reveal something of company A, with the actors they may reveal it to:
# none. An entry here must say why, and the test fails for an entry that no longer leaks.
KNOWN_LEAKS: dict[str, set[str]] = {}


@dataclass(frozen=True)
class World:
    a: Tenant
    b: Tenant
    b_technician: Member
    b_homeowner: dict[str, Any]  # the claims of a signed-in homeowner of B (the portal)
    values: Values  # A's, for arguments
    secrets: frozenset[str]  # A's ids and personal values, none of them in B's rows
    # Homeowners signed in to the portal: a customer of B, and another customer of A (who may
    # read their own record and their company, so those values are no secret to them).
    homeowners: dict[str, dict[str, Any]]
    secrets_to: dict[str, frozenset[str]]  # the secrets, per homeowner actor


def next_weekday(weekday: int) -> date:
    """The next date with this ISO weekday (1 = Monday), at least a day away."""
    day = datetime.now(UTC).date() + timedelta(days=1)
    return day + timedelta(days=(weekday - day.isoweekday()) % 7)


def seed_company(
    make: Factory, name: str, surname: str, digits: str, time_zone: str
) -> tuple[Tenant, Values]:
    """A company with a row in every tenant table, and named rows for arguments: a customer,
    their property, equipment, a job with a scheduled visit, and a technician with hours."""
    tenant = make.tenant(name)
    for table, build in ROW_BUILDERS.items():
        if table not in AUDIT_LOG:  # written by the audited inserts themselves
            row = build(make, tenant.id)
            make.conn.execute(insert(table, row), row)
    make.conn.execute(
        "update public.tenants set time_zone = %(zone)s where id = %(t)s",
        {"zone": time_zone, "t": tenant.id},
    )
    technician = make.member(tenant.id, "technician")
    make.conn.execute(
        "insert into public.working_hours (tenant_id, technician_id, weekday, starts_at, ends_at)"
        " values (%(t)s, %(tech)s, 1, '06:15', '11:45')",
        {"t": tenant.id, "tech": technician.account_id},
    )
    customer = make.customer(
        tenant.id, "Zebediah", surname, email=f"{surname.lower()}@homes.example", phone=f"+{digits}"
    )
    street = f"77 {surname} Lane"
    property_id = make.property(tenant.id, customer, street=street)
    equipment = make.equipment(tenant.id, property_id)
    job = make.job(tenant.id, property_id, equipment_ids=(equipment,))
    visit = make.visit(tenant.id, job, datetime.combine(next_weekday(3), datetime.min.time(), UTC))
    invitation, _ = make.invitation(tenant.id)
    # A wrong password for the owner, counted by the address the functions are given.
    make.conn.execute(
        "insert into iam.sign_in_attempts (kind, subject, account_id, address)"
        " values ('password', %(email)s, %(account)s, '203.0.113.1')",
        {"email": tenant.owner.email, "account": tenant.owner.account_id},
    )
    ids = {
        "tenant": tenant.id,
        "customer": customer,
        "property": property_id,
        "equipment": equipment,
        "job": job,
        "visit": visit,
        "technician": technician.account_id,
        "invitation": invitation,
    }
    return tenant, Values(ids, tenant.owner.email, surname, digits, street, next_weekday(1))


def strings_of(admin: Connection, tenant: Tenant) -> set[str]:
    """Every string in the company's rows and its members' accounts."""
    found = set()
    for table in catalog.tenant_tables(admin):
        column = "id" if table == "public.tenants" else "tenant_id"
        found |= functions.rows_as_json(admin, table_name(table), column, tenant.id)
    rows = admin.execute(
        "select to_jsonb(a)::text as row from iam.accounts a join public.memberships m"
        " on m.account_id = a.id where m.tenant_id = %(t)s",
        {"t": tenant.id},
    ).fetchall()
    return found | {s for row in rows for s in functions.json_strings(json.loads(row["row"]))}


def strings_seen(database: Database, admin: Connection, claims: dict[str, Any]) -> set[str]:
    """Every string in the rows of any tenant table these claims may read."""
    found: set[str] = set()
    with acting_as(database, claims) as conn:
        for table in catalog.tenant_tables(admin):
            try:
                with conn.transaction():
                    rows = conn.execute(
                        sql.SQL("select to_jsonb(t)::text as row from {} t").format(
                            table_name(table)
                        )
                    ).fetchall()
            except psycopg.errors.InsufficientPrivilege:
                continue
            found |= {s for row in rows for s in functions.json_strings(json.loads(row["row"]))}
    return found


@pytest.fixture(scope="module")
def world(shared_database: Database, shared_admin: Connection, shared_make: Factory) -> World:
    a, a_values = seed_company(
        shared_make, "Company A", "Quixotic", "13125550147", "Pacific/Chatham"
    )
    b, _ = seed_company(shared_make, "Company B", "Bartleby", "13125550199", "America/New_York")
    b_technician = shared_make.member(b.id, "technician")
    b_homeowner = homeowner_claims(shared_admin, b.id, shared_make.customer(b.id, "Bea"))
    secrets = strings_of(shared_admin, a) - strings_of(shared_admin, b)
    secrets = {s for s in secrets if len(s) >= 6}
    homeowners = {
        "customer of company B": homeowner_claims(
            shared_admin, b.id, shared_make.customer(b.id, "Bea", "Bystander")
        ),
        "another customer of company A": homeowner_claims(
            shared_admin, a.id, shared_make.customer(a.id, "Olive", "Neighbour")
        ),
    }
    secrets_to = {
        actor: frozenset(secrets - strings_seen(shared_database, shared_admin, claims))
        for actor, claims in homeowners.items()
    }
    return World(
        a,
        b,
        b_technician,
        b_homeowner,
        a_values,
        frozenset(secrets),
        homeowners,
        secrets_to,
    )


Claims = Callable[[World], dict[str, str]]
ACTORS: dict[str, Claims] = {
    "anonymous visitor": lambda world: dict(ANON),
    # Holds a password, an emailed link's or a feed's token, not an identity (plenum_signin).
    "token holder": lambda world: dict(SIGN_IN),
    "owner of company B": lambda world: claims_of(world.b.owner),
    "technician of company B": lambda world: claims_of(world.b_technician),
    # Signed in to B's portal as one of B's customers (the portal's definers answer for them).
    "homeowner of company B": lambda world: dict(world.b_homeowner),
}
# Homeowners signed in to the portal (P-02), calling every function (the portal's definers
# among them) with the ids and values of A's customer Zebediah Quixotic: nothing of that
# customer may come back, nor change.
HOMEOWNERS = ("customer of company B", "another customer of company A")


def digest_of_a(conn: Connection, tables: list[str], world: World, customer: UUID) -> str:
    """One digest of A's rows in every tenant table, the actor's own (their customer's) aside,
    read as service_role."""
    parts = []
    for table in tables:
        tenant = sql.Identifier("id" if table == "public.tenants" else "tenant_id")
        theirs = (
            sql.SQL("t.id <> %(me)s")
            if table == "public.customers"
            else sql.SQL("t.customer_id is distinct from %(me)s")
            if table in CUSTOMER_TABLES
            else sql.SQL("true")
        )
        parts.append(
            sql.SQL(
                "select md5(coalesce(string_agg(t::text, ',' order by t::text), '')) as d"
                " from {} t where {} = %(a)s and {}"
            ).format(table_name(table), tenant, theirs)
        )
    row = conn.execute(
        sql.SQL("select md5(string_agg(d, ',')) as d from ({}) x").format(
            sql.SQL(" union all ").join(parts)
        ),
        {"a": world.a.id, "me": customer},
    ).fetchone()
    assert row is not None
    return str(row["d"])


CUSTOMER_TABLES: set[str] = set()  # tenant tables with a customer_id column (filled below)


def changed_a(
    conn: Connection, function: functions.Function, made: functions.Made, world: World,
    tables: list[str], customer: UUID, before: str,
) -> bool:  # fmt: skip
    """Whether the call with A's values changed any row of A not the actor's own (looked at in
    the same transaction, then rolled back)."""
    with conn.transaction(force_rollback=True):
        try:
            with conn.transaction():
                conn.execute("select set_config('statement_timeout', '10s', true)")
                conn.execute(functions.statement(function), [value for value, _ in made])
        except psycopg.Error:
            return False  # refused: the statement changed nothing
        db.begin(conn, {"role": "service_role"})  # undone with the savepoint
        return digest_of_a(conn, tables, world, customer) != before


def known_kept(made: functions.Made, secrets: frozenset[str]) -> functions.Made:
    """The call's arguments, with those A's values the actor may know (another customer of A
    reads their company's row: its id, time zone) kept rather than swapped for unknown ones:
    answering for them is no leak."""
    return [
        (value, unknown if {str(v) for v in (value if isinstance(value, list) else [value])}
         & secrets else None)
        for value, unknown in made
    ]  # fmt: skip


def reveals(
    database: Database,
    admin: Connection,
    world: World,
    claims: dict[str, Any],
    secrets: frozenset[str] | None = None,
) -> dict[str, list[str]]:
    """Per callable function, what its calls reveal of A to this actor (only what does); for a
    homeowner also whether a call changes anything of A."""
    revealed = {}
    homeowner = claims.get("portal") is True
    # What service_role may read of A (the worker's own bookkeeping tables aside).
    tables = [
        t
        for t in catalog.tenant_tables(admin)
        if t not in AUDIT_LOG
        and admin.execute(
            "select has_table_privilege('service_role', %s, 'SELECT') as ok", [t]
        ).fetchone()
        == {"ok": True}
    ]
    if homeowner:
        CUSTOMER_TABLES.update(
            row["t"]
            for row in admin.execute(
                "select format('%I.%I', table_schema, table_name) as t"
                " from information_schema.columns where column_name = 'customer_id'"
            )
        )
    with acting_as(database, claims, may_look_behind=homeowner) as conn:
        if homeowner:
            customer = UUID(claims["customer_id"])
            with conn.transaction(force_rollback=True):
                db.begin(conn, {"role": "service_role"})
                before = digest_of_a(conn, tables, world, customer)
        for function in functions.callable_functions(admin):
            calls = functions.arguments_for(function, world.values)
            if isinstance(calls, str):
                continue  # test_every_callable_function_can_be_called names it
            if secrets is not None:
                calls = [known_kept(made, secrets) for made in calls]
            found = [
                finding
                for made in calls
                for finding in functions.findings(
                    conn, function, made, world.secrets if secrets is None else secrets
                )
            ]
            if homeowner:
                found += [
                    "changed a row of A"
                    for made in calls
                    if changed_a(conn, function, made, world, tables, customer, before)
                ]
            if found:
                revealed[function.signature] = list(dict.fromkeys(found))
    return revealed


@pytest.mark.promise("P-01")
@pytest.mark.parametrize("actor", ACTORS)
def test_no_function_reveals_company_a(
    shared_database: Database, shared_admin: Connection, world: World, actor: str
) -> None:
    revealed = reveals(shared_database, shared_admin, world, ACTORS[actor](world))
    known = {signature for signature, actors in KNOWN_LEAKS.items() if actor in actors}
    unexpected = {f: found for f, found in revealed.items() if f not in known}
    assert unexpected == {}, f"to the {actor}:\n" + "\n".join(
        f"  {f}: {line}" for f, found in unexpected.items() for line in found
    )
    assert sorted(known - set(revealed)) == [], "fixed: remove these from KNOWN_LEAKS"


@pytest.mark.promise("P-02")
@pytest.mark.parametrize("actor", HOMEOWNERS)
def test_no_function_reveals_or_changes_company_as_homeowner(
    shared_database: Database, shared_admin: Connection, world: World, actor: str
) -> None:
    revealed = reveals(
        shared_database,
        shared_admin,
        world,
        world.homeowners[actor],
        world.secrets_to[actor],
    )
    assert revealed == {}, f"to the {actor}:\n" + "\n".join(
        f"  {f}: {line}" for f, found in revealed.items() for line in found
    )


def test_every_callable_function_can_be_called(shared_admin: Connection, world: World) -> None:
    """A function whose arguments cannot be made would escape the matrix: teach
    `functions.argument_for` its argument types."""
    uncallable = {
        function.signature: reason
        for function in functions.callable_functions(shared_admin)
        if isinstance(reason := functions.arguments_for(function, world.values), str)
    }
    assert uncallable == {}


def test_the_matrix_calls_what_anon_and_members_may_call(shared_admin: Connection) -> None:
    """The listing itself: API grants count, triggers and ungranted functions do not."""
    listed = {function.signature for function in functions.callable_functions(shared_admin)}
    assert {"app.tenant_id()", "app.now()", "audit.record_access(p_table text, p_row_key text,"
            " p_details jsonb)"} <= listed  # fmt: skip
    assert "audit.record_change()" not in listed  # a trigger
    assert "audit.append(p_tenant uuid, p_table text, p_row_key text, p_operation text," \
        " p_old jsonb, p_new jsonb)" not in listed  # no API grant  # fmt: skip


# Made-up functions for the control: three that reveal A (by value; only by answering
# differently; through an argument whose name does not say which id it is), one that does not.
LEAKY = """
create function app.customer_emails(p_tenant uuid) returns setof text
language sql stable security definer set search_path = ''
as 'select email from public.customers where tenant_id = p_tenant';
create function app.has_visits(p_tenant uuid) returns boolean
language sql stable security definer set search_path = ''
as 'select exists (select from public.visits where tenant_id = p_tenant)';
create function app.my_customer_emails(p_tenant uuid) returns setof text
language sql stable security definer set search_path = ''
as 'select email from public.customers
    where tenant_id = p_tenant and tenant_id = (select app.tenant_id())';
create function app.is_customer(p_id uuid) returns boolean
language sql stable security definer set search_path = ''
as 'select exists (select from public.customers where id = p_id)';
grant execute on function app.customer_emails(uuid), app.has_visits(uuid),
  app.my_customer_emails(uuid), app.is_customer(uuid) to authenticated;
"""


@pytest.mark.promise("P-01")
def test_the_matrix_catches_a_function_that_reveals_company_a(
    shared_database: Database, shared_admin: Connection, world: World
) -> None:
    shared_admin.execute(LEAKY)
    try:
        revealed = reveals(
            shared_database, shared_admin, world, ACTORS["owner of company B"](world)
        )
        anon = reveals(shared_database, shared_admin, world, dict(ANON))
    finally:
        shared_admin.execute(
            "drop function app.customer_emails(uuid), app.has_visits(uuid),"
            " app.my_customer_emails(uuid), app.is_customer(uuid)"
        )
    assert revealed["app.customer_emails(p_tenant uuid)"][0].startswith(
        "its answer holds A's quixotic@homes.example"
    )
    assert revealed["app.has_visits(p_tenant uuid)"] == [
        "answers differently for A's ids and values (('[true]', None)) than for unknown ones"
        " (('[false]', None))"
    ]
    assert revealed["app.is_customer(p_id uuid)"] == [
        "answers differently for A's ids and values (('[true]', None)) than for unknown ones"
        " (('[false]', None))"
    ]
    assert "app.my_customer_emails(p_tenant uuid)" not in revealed
    # As anon, a function granted to authenticated is refused: a refusal is not a finding.
    assert not {"app.customer_emails(p_tenant uuid)", "app.has_visits(p_tenant uuid)"} & set(anon)


# Made-up portal definers for the homeowners' control: one that trusts the visit it is given
# within the homeowner's company (so it answers another customer of A, not B's), one that
# changes any customer it is given.
LEAKY_PORTAL = """
create function app.portal_visit_window(p_visit uuid) returns text
language sql stable security definer set search_path = ''
as 'select v.id::text from public.visits v
    where v.id = p_visit and v.tenant_id = (select app.portal_tenant_id())';
create function app.portal_rename(p_customer uuid) returns void
language sql volatile security definer set search_path = ''
as 'update public.customers set first_name = ''Renamed'' where id = p_customer';
grant execute on function app.portal_visit_window(uuid), app.portal_rename(uuid)
  to authenticated;
"""


@pytest.mark.promise("P-02")
def test_the_matrix_catches_a_portal_definer_that_trusts_its_argument(
    shared_database: Database, shared_admin: Connection, world: World
) -> None:
    shared_admin.execute(LEAKY_PORTAL)
    try:
        found = {
            actor: reveals(
                shared_database,
                shared_admin,
                world,
                world.homeowners[actor],
                world.secrets_to[actor],
            )
            for actor in HOMEOWNERS
        }
    finally:
        shared_admin.execute("drop function app.portal_visit_window(uuid), app.portal_rename(uuid)")
    neighbour, stranger = found["another customer of company A"], found["customer of company B"]
    assert neighbour["app.portal_visit_window(p_visit uuid)"] == [
        "answers differently for A's ids and values (('[\"<argument 0>\"]', None)) than for"
        " unknown ones (('[null]', None))"
    ]
    assert "app.portal_visit_window(p_visit uuid)" not in stranger
    for revealed in (neighbour, stranger):
        assert revealed["app.portal_rename(p_customer uuid)"] == ["changed a row of A"]
