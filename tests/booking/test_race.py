"""Two homeowners race for the last free window: the database decides. The second booking
waits for the first to commit, then finds the window gone and is refused with
`online_bookings_window_open`; the next window is still offered to it."""

from __future__ import annotations

import threading
import time
from typing import Any

import psycopg
from psycopg.rows import dict_row

from app import db
from tests.booking.support import MONDAY, at, book_public, company, on, public_windows
from tests.conftest import TestDatabase
from tests.factories import Factory


def _connect(database: TestDatabase, client_addr: str) -> psycopg.Connection[Any]:
    conn = psycopg.connect(database.app_url, row_factory=dict_row)
    db.begin(conn, db.SIGN_IN, {"client_addr": client_addr})
    return conn


def _waiting_for_a_lock(admin: psycopg.Connection[Any], pid: int) -> bool:
    row = admin.execute(
        "select wait_event_type from pg_stat_activity where pid = %s", [pid]
    ).fetchone()
    return row is not None and row["wait_event_type"] == "Lock"


def test_the_last_window_is_booked_once_and_the_loser_is_offered_the_next(
    database: TestDatabase, admin: psycopg.Connection[Any], make: Factory
) -> None:
    firm = company(make)  # one technician: 8 and 10 on Monday
    first = _connect(database, "198.51.100.1")
    second = _connect(database, "198.51.100.2")
    outcome: dict[str, Any] = {}

    def race() -> None:
        try:
            outcome["booked"] = book_public(second, firm.slug, at(MONDAY, 8), first_name="Sam")
            second.commit()
        except psycopg.errors.CheckViolation as refusal:
            second.rollback()
            outcome["refused"] = refusal.diag.constraint_name

    try:
        won = book_public(first, firm.slug, at(MONDAY, 8), first_name="Alex")
        rival = threading.Thread(target=race)
        rival.start()
        deadline = time.monotonic() + 10
        while not _waiting_for_a_lock(admin, second.info.backend_pid):
            assert time.monotonic() < deadline, "the second booking never waited"
            time.sleep(0.02)
        first.commit()
        rival.join(10)
        assert not rival.is_alive()
        assert won["status"] == "booked"
        assert outcome == {"refused": "online_bookings_window_open"}
        db.begin(second, db.SIGN_IN, {"client_addr": "198.51.100.2"})
        assert on(public_windows(second, firm.slug), MONDAY) == [10]
        second.rollback()
    finally:
        first.close()
        second.close()
    rows = admin.execute(
        "select c.first_name, a.technician_id from public.online_bookings b"
        " join public.customers c on c.tenant_id = b.tenant_id and c.id = b.customer_id"
        " join public.visit_assignments a on a.tenant_id = b.tenant_id and a.visit_id = b.visit_id"
        " where b.tenant_id = %s",
        [firm.tenant.id],
    ).fetchall()
    assert rows == [{"first_name": "Alex", "technician_id": firm.technicians[0].account_id}]
    customers = admin.execute(
        "select count(*) as n from public.customers where tenant_id = %s", [firm.tenant.id]
    ).fetchone()
    assert customers == {"n": 1}  # the loser's customer went with its refused booking


def test_two_technicians_take_two_bookings_of_the_same_window(
    database: TestDatabase, admin: psycopg.Connection[Any], make: Factory
) -> None:
    firm = company(make, technicians=2)
    for name, address in (("Alex", "198.51.100.1"), ("Sam", "198.51.100.2")):
        conn = _connect(database, address)
        try:
            assert book_public(conn, firm.slug, at(MONDAY, 8), first_name=name)["status"] == (
                "booked"
            )
            conn.commit()
        finally:
            conn.close()
    rows = admin.execute(
        "select technician_id from public.visit_assignments where tenant_id = %s"
        " order by technician_id",
        [firm.tenant.id],
    ).fetchall()
    assert [r["technician_id"] for r in rows] == sorted(t.account_id for t in firm.technicians)
