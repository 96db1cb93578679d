"""A company's time zone is checked by the database (issue 10): only zone names every page can
turn into local days, whoever writes it, with a message for the form."""

from __future__ import annotations

import psycopg
import pytest

from app import db
from tests.conftest import TestDatabase
from tests.factories import Factory
from tests.policies.identity import acting_as, claims_of


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "UTC+5", "PST", "", "america/chicago"])
def test_an_unknown_zone_is_refused_with_a_message(
    database: TestDatabase, make: Factory, zone: str
):
    company = make.tenant()
    with (
        acting_as(database, claims_of(company.owner)) as conn,
        pytest.raises(psycopg.errors.IntegrityError) as refused,
    ):
        conn.execute("update public.tenants set time_zone = %s where id = %s", [zone, company.id])
    violation = db.translate(refused.value)
    assert violation.constraint == "tenants_time_zone_known"
    assert (violation.field, violation.message) == (
        "time_zone",
        "Choose a time zone from the list.",
    )


def test_a_new_company_with_an_unknown_zone_is_refused_even_for_the_owner_role(admin):
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        admin.execute("insert into public.tenants (name, time_zone) values ('X', 'Nowhere/City')")


@pytest.mark.parametrize("zone", ["America/Chicago", "Europe/Berlin", "UTC", "Etc/GMT+5"])
def test_a_known_zone_is_accepted(database: TestDatabase, make: Factory, zone: str):
    company = make.tenant()
    with acting_as(database, claims_of(company.owner)) as conn:
        conn.execute("update public.tenants set time_zone = %s where id = %s", [zone, company.id])
        assert conn.execute("select app.company_time_zone(%s) as z", [company.id]).fetchone() == {
            "z": zone
        }


def test_every_zone_the_database_accepts_is_one_python_can_use(admin):
    from zoneinfo import available_timezones

    names = {row["name"] for row in admin.execute("select name from app.time_zones")}
    assert "America/New_York" in names
    assert names <= available_timezones()


def test_the_check_covers_existing_rows(admin):
    row = admin.execute(
        "select convalidated from pg_constraint where conname = 'tenants_time_zone_known'"
    ).fetchone()
    assert row == {"convalidated": True}
