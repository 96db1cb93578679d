"""Attribution columns (who wrote, uploaded, started, confirmed or ticked) are stamped by the
database from the request's identity: a forged id from the client is overwritten (issue 10)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import TestDatabase
from tests.factories import Factory, Member
from tests.imports.support import make_import
from tests.policies.identity import acting_as, claims_of

NEW_YORK = ZoneInfo("America/New_York")  # the factories' companies


def a_weekday_at_nine() -> datetime:
    day = datetime.now(NEW_YORK).date() + timedelta(days=7)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(9), NEW_YORK)


@pytest.fixture
def company(make: Factory):
    tenant = make.tenant()
    technician = make.member(tenant.id, "technician")
    customer = make.customer(tenant.id)
    job = make.job(tenant.id, make.property(tenant.id, customer), kind="maintenance")
    visit = make.visit(tenant.id, job, a_weekday_at_nine(), technicians=(technician.account_id,))
    return {
        "tenant": tenant,
        "office": make.member(tenant.id, "office"),
        "technician": technician,
        "customer": customer,
        "visit": visit,
    }


# (who acts, statement inserting a row with %(forged)s as its author, the column)
INSERTS = {
    "customer note": (
        "office",
        "insert into public.customer_notes (tenant_id, customer_id, author_id, body)"
        " values (%(tenant)s, %(customer)s, %(forged)s, 'Hello') returning author_id as who",
    ),
    "visit note": (
        "technician",
        "insert into public.visit_notes (tenant_id, visit_id, author_id, body)"
        " values (%(tenant)s, %(visit)s, %(forged)s, 'Done') returning author_id as who",
    ),
    "visit photo": (
        "technician",
        "insert into public.visit_files (tenant_id, visit_id, kind, storage_key, content_type,"
        " byte_size, uploaded_by) values (%(tenant)s, %(visit)s, 'photo',"
        " %(tenant)s || '/' || gen_random_uuid() || '.jpg', 'image/jpeg', 10, %(forged)s)"
        " returning uploaded_by as who",
    ),
    "customer import": (
        "office",
        "insert into public.customer_imports (tenant_id, status, file_name, source_text,"
        " encoding, delimiter, headers, mapping, total_rows, valid_rows, created_by)"
        " values (%(tenant)s, 'previewed', 'a.csv', 'x', 'utf-8', ',', '[]', '[]', 0, 0,"
        " %(forged)s) returning created_by as who",
    ),
}


def one(conn, statement: str, params: Any) -> dict[str, Any]:
    row = conn.execute(statement, params).fetchone()
    assert row is not None
    return row


def params(company, forged) -> dict:
    return {
        "tenant": company["tenant"].id,
        "customer": company["customer"],
        "visit": company["visit"],
        "forged": forged,
    }


@pytest.mark.promise("P-07")
@pytest.mark.parametrize("kind", INSERTS)
def test_a_forged_author_is_replaced_by_the_one_who_acts(
    database: TestDatabase, company, kind: str
):
    actor, statement = INSERTS[kind]
    member: Member = company[actor]
    forged = company["tenant"].owner.account_id
    with acting_as(database, claims_of(member)) as conn:
        row = one(conn, statement, params(company, forged))
        assert row["who"] == member.account_id
        # Leaving it out does not leave the row unattributed either.
        row = one(conn, statement, params(company, None))
        assert row["who"] == member.account_id


@pytest.mark.promise("P-07")
def test_an_author_cannot_be_changed_afterwards(database: TestDatabase, make: Factory, company):
    office = company["office"]
    import_id = make_import(make.conn, company["tenant"].id)
    with acting_as(database, claims_of(office)) as conn:
        row = one(
            conn,
            "update public.customer_imports set created_by = %s where id = %s returning created_by",
            [office.account_id, import_id],
        )
    assert row["created_by"] is None  # as made by the factory (the owner's connection)


@pytest.mark.promise("P-07")
def test_confirming_and_ticking_are_stamped_when_set(
    database: TestDatabase, make: Factory, company
):
    office, technician = company["office"], company["technician"]
    forged = company["tenant"].owner.account_id
    import_id = make_import(make.conn, company["tenant"].id)
    with acting_as(database, claims_of(office)) as conn:
        row = one(
            conn,
            "update public.customer_imports set confirmed_by = %s where id = %s"
            " returning confirmed_by",
            [forged, import_id],
        )
        assert row["confirmed_by"] == office.account_id
    with acting_as(database, claims_of(technician)) as conn:
        item = one(
            conn,
            "update public.visit_checklist_items set done_at = now(), done_by = %s"
            " where visit_id = %s and position = 1 returning id, done_by",
            [forged, company["visit"]],
        )
        assert item["done_by"] == technician.account_id
        row = one(
            conn,
            "update public.visit_checklist_items set done_at = null, done_by = null"
            " where id = %s returning done_by",
            [item["id"]],
        )
        assert row["done_by"] is None


def test_code_running_as_the_owner_names_its_own_actor(make: Factory, company):
    """Control: seeding and security-definer triggers (not an API role) keep what they set."""
    note = one(
        make.conn,
        "insert into public.customer_notes (tenant_id, customer_id, author_id, body)"
        " values (%s, %s, %s, 'Seeded') returning author_id",
        [company["tenant"].id, company["customer"], company["office"].account_id],
    )
    assert note["author_id"] == company["office"].account_id
