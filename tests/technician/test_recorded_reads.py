"""Sensitive reads are recorded in the audit log (P-07): customer lists and search results
(one entry per page naming the customers shown), customer and job pages, the dispatch board,
the technician's day, photo and signature downloads, calendar feed reads and exports. The
database records a read only of rows the caller can read."""

from __future__ import annotations

import json
import re
from typing import Any
from uuid import UUID

import psycopg
import pytest

from app.db import Connection
from tests.audit.support import committing
from tests.conftest import Client, TestDatabase
from tests.factories import Factory
from tests.imports.support import make_import
from tests.policies.identity import acting_as, claims_of
from tests.technician.support import JPEG, Day, files_of, html, upload


def reads_since(admin: Connection, tenant_id: UUID, after: int) -> list[dict[str, Any]]:
    return admin.execute(
        "select table_name, row_key, new_values from audit.changes"
        " where tenant_id = %s and operation = 'access' and id > %s order by id",
        [tenant_id, after],
    ).fetchall()


def mark(admin: Connection) -> int:
    row = admin.execute("select coalesce(max(id), 0) as n from audit.changes").fetchone()
    assert row is not None
    return int(row["n"])


@pytest.fixture
def office(app, day: Day, make: Factory) -> Client:
    signed_in: Client = app.test_client()
    signed_in.sign_in(make.member(day.tenant.id, "dispatcher").email)
    return signed_in


def read_by(client: Client, admin: Connection, day: Day, url: str) -> list[dict[str, Any]]:
    before = mark(admin)
    response = client.get(url)
    assert response.status_code == 200, html(response)
    return reads_since(admin, day.tenant.id, before)


@pytest.mark.promise("P-07")
@pytest.mark.parametrize("url", ["/customers", "/customers?q=Dana", "/customers?sort=newest"])
def test_a_page_of_customers_is_one_entry_naming_those_shown(office, admin, day: Day, url):
    [entry] = read_by(office, admin, day, url)
    assert (entry["table_name"], entry["row_key"]) == ("public.customers", "list")
    shown = set(entry["new_values"]["ids"])
    assert str(day.customer) in shown
    assert len(shown) == (1 if "q=" in url else 2)  # Dana, and Sam for the whole list


@pytest.mark.promise("P-07")
def test_a_search_that_finds_nobody_records_nothing(office, admin, day: Day):
    assert read_by(office, admin, day, "/customers?q=Nobody+Here") == []


@pytest.mark.promise("P-07")
def test_customer_and_job_pages_are_recorded(office, admin, day: Day):
    [customer] = read_by(office, admin, day, f"/customers/{day.customer}")
    assert (customer["table_name"], customer["row_key"]) == ("public.customers", str(day.customer))
    [job] = read_by(office, admin, day, f"/jobs/{day.job}")
    assert (job["table_name"], job["row_key"]) == ("public.jobs", str(day.job))


@pytest.mark.promise("P-07")
@pytest.mark.parametrize("url", ["/dispatch", "/dispatch/week"])
def test_the_dispatch_board_records_the_visits_it_shows(office, admin, day: Day, url):
    [entry] = read_by(office, admin, day, url)
    assert (entry["table_name"], entry["row_key"]) == ("public.visits", "list")
    assert set(entry["new_values"]["ids"]) >= {str(day.first), str(day.second), str(day.others)}


@pytest.mark.promise("P-07")
def test_the_technicians_day_records_their_visits(tech, admin, day: Day):
    [entry] = read_by(tech, admin, day, "/my-day")
    assert sorted(entry["new_values"]["ids"]) == sorted([str(day.first), str(day.second)])


@pytest.mark.promise("P-07")
@pytest.mark.parametrize("size", ["", "?size=thumb"])
def test_a_photo_download_is_recorded(tech, office, admin, day: Day, size):
    response = tech.post(
        f"/my-day/visits/{day.first}/photos",
        data={"csrf_token": tech.csrf_token(), "photo": upload(JPEG)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    [stored] = files_of(admin, day.first)
    for client in (tech, office):
        [entry] = read_by(client, admin, day, f"/my-day/files/{stored['id']}{size}")
        assert (entry["table_name"], entry["row_key"]) == ("public.visit_files", str(stored["id"]))


@pytest.mark.promise("P-07")
def test_a_calendar_feed_read_is_recorded(app, tech, admin, day: Day):
    page = html(tech.submit("/my-day/calendar"))
    token = re.search(r"/calendar/([A-Za-z0-9_-]+)\.ics", page).group(1)  # type: ignore[union-attr]
    [entry] = read_by(app.test_client(), admin, day, f"/calendar/{token}.ics")
    feed = admin.execute(
        "select id from public.calendar_feeds where technician_id = %s and revoked_at is null",
        [day.tech.account_id],
    ).fetchone()
    assert (entry["table_name"], entry["row_key"]) == ("public.calendar_feeds", str(feed["id"]))
    assert entry["new_values"]["technician_id"] == str(day.tech.account_id)
    # Calendar apps poll: the next read within the quarter hour adds nothing to the log.
    assert read_by(app.test_client(), admin, day, f"/calendar/{token}.ics") == []


@pytest.mark.promise("P-07")
@pytest.mark.parametrize("table", ["customers", "properties", "equipment"])
def test_an_export_is_recorded(app, admin, day: Day, table):
    owner: Client = app.test_client()
    owner.sign_in(day.tenant.owner.email)
    [entry] = read_by(owner, admin, day, f"/{table}/export.csv")
    assert (entry["table_name"], entry["row_key"]) == (f"public.{table}", "export")


@pytest.mark.promise("P-07")
def test_the_skipped_rows_of_an_import_are_a_recorded_export(app, admin, day: Day):
    owner: Client = app.test_client()
    owner.sign_in(day.tenant.owner.email)
    import_id = make_import(admin, day.tenant.id)
    [entry] = read_by(owner, admin, day, f"/customers/import/{import_id}/skipped.csv")
    assert (entry["table_name"], entry["row_key"]) == ("public.customer_imports", str(import_id))


# --- only rows the caller can read --------------------------------------------------------


def record(conn, table: str, key: object, **details: Any) -> None:
    conn.execute(
        "select audit.record_access(%s, %s, %s::jsonb)",
        [table, str(key), json.dumps(details)],
    )


@pytest.mark.promise("P-07")
@pytest.mark.promise("P-10")
def test_a_recorded_read_keeps_no_free_text(database: TestDatabase, admin, day: Day):
    """Access entries are not sealed per homeowner, so they may hold which view and which rows,
    never words a caller chose (a search term names a person, and erasure could not reach it)."""
    before = mark(admin)
    with acting_as(database, claims_of(day.tenant.owner)) as conn:
        record(
            conn,
            "public.customers",
            day.customer,
            view="customer page",
            q="Dana Whitfield",
            ids=[str(day.customer), "Dana Whitfield"],
            shown_in="Dana's page",
            rows=3,
        )
        conn.execute("select 1")  # still usable: nothing was refused
        entries = conn.execute(
            "select new_values from audit.changes where operation = 'access' and id > %s",
            [before],
        ).fetchall()
    assert [entry["new_values"] for entry in entries] == [{"view": "customer page", "rows": 3}]


@pytest.mark.promise("P-07")
def test_ids_are_kept_only_for_a_list_whose_rows_were_checked(
    database: TestDatabase, admin, day: Day
):
    """A single row's entry names that row; ids beside it were never checked as readable, so
    they are not kept (they could name any row, of any company)."""
    before = mark(admin)
    with acting_as(database, claims_of(day.tenant.owner)) as conn:
        record(conn, "public.customers", day.customer, view="customer page", ids=[str(UUID(int=7))])
        entries = conn.execute(
            "select new_values from audit.changes where operation = 'access' and id > %s",
            [before],
        ).fetchall()
    assert [entry["new_values"] for entry in entries] == [{"view": "customer page"}]


@pytest.mark.promise("P-07")
@pytest.mark.parametrize(
    ("who", "table", "key"),
    [
        ("other company's owner", "public.customers", "customer"),
        ("other company's owner", "public.jobs", "job"),
        ("technician", "public.customers", "other customer"),  # not on their visits
        ("technician", "public.visits", "others"),
        ("owner", "public.customers", "unknown id"),
        ("owner", "public.customers", "not an id"),
        ("owner", "iam.accounts", "owner account"),  # not an audited table
        ("owner", "audit.changes", "1"),
        ("owner", "public.customers; drop table public.jobs", "customer"),
    ],
)
def test_a_read_of_a_row_the_caller_cannot_read_is_refused(
    database: TestDatabase, make: Factory, admin, day: Day, who, table, key
):
    other_customer = admin.execute(
        "select id from public.customers where tenant_id = %s and id <> %s",
        [day.tenant.id, day.customer],
    ).fetchone()["id"]
    keys = {
        "customer": day.customer,
        "job": day.job,
        "other customer": other_customer,
        "others": day.others,
        "unknown id": UUID(int=7),
        "not an id": "'; select 1; --",
        "owner account": day.tenant.owner.account_id,
        "1": 1,
    }
    actor = {
        "other company's owner": make.tenant().owner,
        "technician": day.tech,
        "owner": day.tenant.owner,
    }[who]
    before = mark(admin)
    with (
        acting_as(database, claims_of(actor)) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        record(conn, table, keys[key])
    assert reads_since(admin, day.tenant.id, before) == []


@pytest.mark.promise("P-07")
def test_a_list_with_one_row_the_caller_cannot_read_is_refused(database: TestDatabase, day: Day):
    with acting_as(database, claims_of(day.tech)) as conn:
        record(conn, "public.visits", "list", ids=[str(day.first)])  # control: their own
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            record(conn, "public.visits", "list", ids=[str(day.first), str(day.others)])


@pytest.mark.promise("P-07")
def test_writing_the_request_table_directly_goes_through_the_same_check(
    database: TestDatabase, make: Factory, day: Day
):
    stranger = make.tenant().owner
    with (
        acting_as(database, claims_of(stranger)) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(
            "insert into audit.access_requests (table_name, row_key)"
            " values ('public.customers', %s)",
            [str(day.customer)],
        )


@pytest.mark.promise("P-07")
def test_a_readable_row_is_recorded_and_nothing_is_left_behind(
    database: TestDatabase, admin, day: Day
):
    before = mark(admin)
    with committing(database, claims_of(day.tech)) as conn:
        record(conn, "public.customers", day.customer, view="test")
    assert reads_since(admin, day.tenant.id, before) == [
        {
            "table_name": "public.customers",
            "row_key": str(day.customer),
            "new_values": {"view": "test"},
        }
    ]
    assert admin.execute("select count(*) as n from audit.access_requests").fetchone() == {"n": 0}
