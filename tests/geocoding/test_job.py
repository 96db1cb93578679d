"""The geocoding job, through the worker's entry (`jobs.geocoding.sweep`) with the offline
adapter: every company's waiting properties placed or failed once, audited as
`system:geocoding`, safe to run twice and on two workers at once."""

from __future__ import annotations

import threading
from decimal import Decimal

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from app.db import Connection
from jobs import REGISTRY
from jobs.geocoding import ACTOR, sweep
from tests.conftest import TestDatabase
from tests.factories import Factory
from tests.geocoding.conftest import add_property, place_of


def test_every_companys_properties_are_placed_and_a_second_run_changes_nothing(
    pool: ConnectionPool, admin: Connection, make: Factory
):
    ours, theirs = make.tenant(), make.tenant("Beta Boilers")
    customer, other = make.customer(ours.id), make.customer(theirs.id)
    shrewsbury = add_property(admin, ours.id, customer, "01545")
    lost_zero = add_property(admin, ours.id, customer, "1545")
    chicago = add_property(admin, theirs.id, other, "60614-2201")
    phoenix = add_property(admin, theirs.id, other, "85004")
    nowhere = add_property(admin, theirs.id, other, "99999")
    changes = "select count(*) as n from audit.changes where table_name = 'public.properties'"
    logged = admin.execute(changes).fetchone()
    assert logged is not None

    assert sweep(pool) == 5
    assert sweep(pool) == 0
    assert admin.execute(changes).fetchone() == {"n": logged["n"] + 5}  # nothing the 2nd time

    for place in (shrewsbury, lost_zero):
        assert place_of(admin, place) | {"geocoded_at": None} == {
            "status": "done",
            "latitude": Decimal("42.284800"),
            "longitude": Decimal("-71.720500"),
            "time_zone": "America/New_York",
            "failure": None,
            "attempts": 0,
            "retry_at": None,
            "geocoded_at": None,
        }
        assert place_of(admin, place)["geocoded_at"] is not None
    assert place_of(admin, chicago)["time_zone"] == "America/Chicago"
    assert place_of(admin, phoenix)["time_zone"] == "America/Phoenix"
    failed = place_of(admin, nowhere)
    assert (failed["status"], failed["latitude"], failed["time_zone"]) == ("failed", None, None)
    assert failed["failure"].startswith("No place is known for ZIP 99999")


@pytest.mark.promise("P-07")
def test_the_audit_log_names_the_job_as_the_author(
    pool: ConnectionPool, admin: Connection, make: Factory
):
    tenant = make.tenant()
    place = add_property(admin, tenant.id, make.customer(tenant.id), "60614")

    sweep(pool)

    entries = admin.execute(
        "select operation, actor_id, actor_label, new_values from audit.changes"
        " where table_name = 'public.properties' and row_key = %s and operation = 'update'",
        [str(place)],
    ).fetchall()
    assert len(entries) == 1
    assert (entries[0]["actor_id"], entries[0]["actor_label"]) == (None, ACTOR)
    assert entries[0]["new_values"]["geocode_status"] == "done"
    assert entries[0]["new_values"]["time_zone"] == "America/Chicago"
    # The coordinates lead to the homeowner: sealed with their key, not in clear.
    assert "41.9229" not in str(entries[0]["new_values"])


def test_a_property_a_request_holds_is_left_for_the_next_pass(
    pool: ConnectionPool, admin: Connection, make: Factory, database: TestDatabase
):
    tenant = make.tenant()
    customer = make.customer(tenant.id)
    held, free = (add_property(admin, tenant.id, customer, zip_) for zip_ in ("01545", "60614"))

    with psycopg.connect(database.admin_url) as other, other.transaction():
        other.execute("select 1 from public.properties where id = %s for update", [held])
        assert sweep(pool) == 1
        assert place_of(admin, held)["status"] == "pending"
    assert place_of(admin, free)["status"] == "done"

    assert sweep(pool) == 1
    assert place_of(admin, held)["status"] == "done"


def test_two_workers_at_once_place_each_property_once(
    pool: ConnectionPool, admin: Connection, make: Factory
):
    tenant = make.tenant()
    customer = make.customer(tenant.id)
    admin.execute(
        "insert into public.properties (tenant_id, customer_id, street, city, postal_code)"
        " select %s, %s, n || ' Elm St', 'Chicago', (60601 + n %% 50)::text"
        " from generate_series(1, 1800) n",
        [tenant.id, customer],
    )
    counts: list[int] = []
    workers = [threading.Thread(target=lambda: counts.append(sweep(pool))) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sum(counts) == 1800
    row = admin.execute(
        "select count(*) filter (where geocode_status = 'pending') as pending,"
        " (select count(*) from audit.changes where operation = 'update'"
        "   and table_name = 'public.properties') as updates,"
        " (select count(distinct row_key) from audit.changes where operation = 'update'"
        "   and table_name = 'public.properties') as rows"
        " from public.properties"
    ).fetchone()
    assert row == {"pending": 0, "updates": 1800, "rows": 1800}


def test_the_job_is_registered_with_the_worker():
    assert REGISTRY["geocoding"].sweep is sweep
