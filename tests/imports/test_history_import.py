"""Past jobs and visits from an old system's export become service history on the customers
they name; rows naming no known customer are left out with the reason, never a new customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from psycopg_pool import ConnectionPool

from app.db import Connection
from app.imports import csvfile, fields
from app.imports.kinds import KINDS
from tests.conftest import Client
from tests.conftest import TestDatabase as Database
from tests.factories import Factory, Tenant
from tests.imports.kinds_support import applied, file_text, imported, left_out, planned, undone
from tests.policies.identity import acting_as, claims_of

KIND = KINDS["history"]
FILE = "history_housecall_jobs.csv"
NEW_YORK = ZoneInfo("America/New_York")
MAPPING = [
    "source_id",
    "customer_source_id",
    "customer_name",
    "customer_email",
    "address",
    "occurred_on",
    "kind",
    "technician",
    "summary",
    "amount",
]


@dataclass
class Book:
    ada: UUID
    ada_home: UUID
    grace: UUID


@pytest.fixture
def book(make: Factory, admin: Connection, company: Tenant) -> Book:
    ada = make.customer(company.id, "Ada", "Lovelace", email="ada@example.com")
    grace = make.customer(company.id, "Grace", "Hopper", email="grace@example.com")
    admin.execute("update public.customers set source_id = 'HCP-100' where id = %s", [ada])
    admin.execute("update public.customers set source_id = 'HCP-200' where id = %s", [grace])
    home = make.property(company.id, ada, street="12 Elm St")
    make.property(company.id, grace, street="7 Pine Rd")
    return Book(ada, home, grace)


def history(admin: Connection, customer_id: UUID) -> list[dict[str, object]]:
    return admin.execute(
        "select occurred_on, kind, technician, summary, amount, source_id, property_id"
        " from public.service_history where customer_id = %s order by occurred_on",
        [customer_id],
    ).fetchall()


def test_the_columns_are_guessed_from_the_headers() -> None:
    headers, _ = csvfile.read(file_text(FILE), ",")
    assert fields.guess_mapping(headers, KIND.targets, KIND.synonyms) == MAPPING


def test_the_preview_reads_each_quirk_of_the_file(pool: ConnectionPool, company, book) -> None:
    plan = planned(pool, company, KIND, file_text(FILE), MAPPING)

    assert left_out(plan) == {
        5: "No customer matches 'Zed Unknown': import the customers first.",
        6: "No date: a past job or visit needs its day.",
        7: "'31/31/2026' is not a date.",
        8: "The same job or visit as line 2.",
    }
    by_line = {item.lines[0]: item for item in plan.items}
    assert sorted(by_line) == [2, 3, 4, 9]
    service_call = by_line[2].data
    assert (service_call["kind"], service_call["amount"]) == ("repair", "1245.00")
    assert service_call["property_id"] == str(book.ada_home)
    # Found by email alone, at the customer's only property.
    assert by_line[3].data["customer_id"] == str(book.ada)
    assert (by_line[3].data["kind"], by_line[3].data["occurred_on"]) == (
        "maintenance",
        "2026-04-15",
    )
    # A credit in parentheses is negative; a kind Plenum does not know is other work, flagged.
    assert (by_line[4].data["kind"], by_line[4].data["amount"]) == ("other", "-45.00")
    assert [f.note for f in by_line[4].flags] == ["Not a kind Plenum knows: kept as other work."]
    # A bad amount is left out of the row, not the row; an unknown street keeps it on the customer.
    install = by_line[9]
    assert (install.data["kind"], install.data["amount"]) == ("install", None)
    assert install.data["customer_id"] == str(book.grace)
    assert install.data["property_id"] is None
    assert {(f.field, f.kind) for f in install.flags} == {
        ("amount", "left_out"),
        ("property", "note"),
    }
    assert all(item.action == "new" for item in plan.items)


def test_a_location_id_alone_names_the_customer_and_the_property(
    pool: ConnectionPool, admin: Connection, company, book
) -> None:
    admin.execute("update public.properties set source_id = 'LOC-7' where id = %s", [book.ada_home])
    text = "Location ID,Date,Summary\nLOC-7,2026-04-15,Cleaned the condenser coils\n"

    plan = planned(pool, company, KIND, text)

    assert [(i.data["customer_id"], i.data["property_id"]) for i in plan.items] == [
        (str(book.ada), str(book.ada_home))
    ]


def test_applying_writes_the_history_and_nothing_else(
    pool: ConnectionPool, admin: Connection, company, book
) -> None:
    customers_before = admin.execute("select count(*) as n from public.customers").fetchone()
    written = applied(pool, company, KIND, planned(pool, company, KIND, file_text(FILE), MAPPING))

    assert len(written) == 4
    assert {w.table for w in written} == {"public.service_history"}
    assert [
        (r["occurred_on"], r["kind"], r["technician"], r["amount"])
        for r in history(admin, book.ada)
    ] == [
        (date(2025, 11, 3), "repair", "Marco Diaz", Decimal("1245.00")),
        (date(2026, 4, 15), "maintenance", "Marco Diaz", Decimal("89.00")),
        (date(2026, 4, 20), "other", "Dana Wu", Decimal("-45.00")),
    ]
    assert (
        admin.execute("select count(*) as n from public.customers").fetchone() == customers_before
    )


def test_the_same_file_again_changes_nothing(pool: ConnectionPool, company, book) -> None:
    applied(pool, company, KIND, planned(pool, company, KIND, file_text(FILE), MAPPING))

    again = planned(pool, company, KIND, file_text(FILE), MAPPING)

    assert [item.action for item in again.items] == ["unchanged"] * 4
    assert applied(pool, company, KIND, again) == []


def test_an_updated_file_updates_the_job_by_its_number(
    pool: ConnectionPool, admin: Connection, company, book
) -> None:
    applied(pool, company, KIND, planned(pool, company, KIND, file_text(FILE), MAPPING))
    changed = file_text(FILE).replace("Replaced the igniter", "Replaced the flame sensor")

    plan = planned(pool, company, KIND, changed, MAPPING)
    written = applied(pool, company, KIND, plan)

    assert [item.action for item in plan.items] == ["update", "unchanged", "unchanged", "unchanged"]
    assert [(w.action, w.before and w.before["summary"]) for w in written] == [
        ("updated", "Replaced the igniter and tested the furnace")
    ]
    assert (
        history(admin, book.ada)[0]["summary"] == "Replaced the flame sensor and tested the furnace"
    )


def test_without_numbers_the_same_day_and_summary_is_unchanged(
    pool: ConnectionPool, company, book
) -> None:
    text = "Customer,Date,Summary\nAda Lovelace,03/02/2024,Annual inspection\n"
    mapping = ["customer_name", "occurred_on", "summary"]
    applied(pool, company, KIND, planned(pool, company, KIND, text, mapping))

    again = planned(pool, company, KIND, text, mapping)

    assert [(i.action, i.data["kind"]) for i in again.items] == [("unchanged", "maintenance")]


def test_the_customer_page_shows_the_history(
    pool: ConnectionPool, office: Client, company, book
) -> None:
    applied(pool, company, KIND, planned(pool, company, KIND, file_text(FILE), MAPPING))

    page = office.get(f"/customers/{book.ada}").get_data(as_text=True)

    section = page[page.index('id="history"') : page.index('id="timeline"')]
    assert "Replaced the igniter and tested the furnace" in section
    assert section.index("Thermostat swapped") < section.index(
        "Replaced the igniter"
    )  # newest first
    assert "Marco Diaz" in section and "$1,245.00" in section
    timeline = page[page.index('id="timeline"') :]
    assert "Past repair: Replaced the igniter and tested the furnace" in timeline
    other = office.get(f"/customers/{book.grace}").get_data(as_text=True)
    assert "Replaced the igniter" not in other


def test_the_section_says_how_many_when_there_are_more(
    pool: ConnectionPool, office: Client, company, book
) -> None:
    rows = "".join(f"Ada Lovelace,01/{day:02d}/2025,Visit {day}\n" for day in range(1, 13))
    mapping = ["customer_name", "occurred_on", "summary"]
    plan = planned(pool, company, KIND, "Customer,Date,Summary\n" + rows, mapping)
    applied(pool, company, KIND, plan)

    page = office.get(f"/customers/{book.ada}").get_data(as_text=True)

    section = page[page.index('id="history"') : page.index('id="timeline"')]
    assert "The latest 10 of 12 past jobs and visits." in section
    assert "Visit 12<" in section and "Visit 2<" not in section


def test_a_technician_going_to_the_house_reads_its_past_work_only(
    pool: ConnectionPool, database: Database, make: Factory, company, book
) -> None:
    applied(pool, company, KIND, planned(pool, company, KIND, file_text(FILE), MAPPING))
    terry = make.member(company.id, "technician")
    job = make.job(company.id, book.ada_home)
    day = datetime.now(NEW_YORK).date() + timedelta(days=3)
    while day.weekday() >= 5:  # within the technician's working week
        day -= timedelta(days=1)
    starts = datetime.combine(day, time(9), tzinfo=NEW_YORK)
    make.visit(company.id, job, starts, technicians=(terry.account_id,))

    with acting_as(database, claims_of(terry)) as conn:
        seen = conn.execute(
            "select summary from public.service_history order by occurred_on"
        ).fetchall()

    # Ada's home, where Terry goes; not Grace's install, which names no property of hers.
    assert [row["summary"] for row in seen] == [
        "Replaced the igniter and tested the furnace",
        "Cleaned the condenser coils",
        "Thermostat swapped under warranty",
    ]


def test_an_import_of_history_is_undone_as_a_whole(
    pool: ConnectionPool, admin: Connection, company, book
) -> None:
    import_id = imported(pool, admin, company, KIND, file_text(FILE), MAPPING)
    assert len(history(admin, book.ada)) == 3

    assert undone(pool, company, import_id) is None
    assert history(admin, book.ada) == []
