"""Booking in the portal: app.portal_bookable_windows and app.portal_book_visit as a signed-in
homeowner (only their own places; nothing about anyone else), and the page /portal/book."""

from __future__ import annotations

import io
import re
from typing import Any
from uuid import UUID

import psycopg
import pytest
from PIL import Image

from app.db import Connection
from tests.booking.support import MONDAY, Company, at, company, on
from tests.conftest import Client
from tests.conftest import TestDatabase as Database
from tests.factories import Factory
from tests.policies.identity import acting_as
from tests.portal.support import homeowner_claims, sign_in


def homeowner(make: Factory, firm: Company) -> tuple[UUID, UUID]:
    """A customer of the company with one place: (customer, property)."""
    customer = make.customer(firm.tenant.id)
    make.conn.execute(
        "update public.customers set phone = '+13125550142' where id = %s", [customer]
    )
    return customer, make.property(firm.tenant.id, customer)


def windows(conn: Connection, property_id: UUID, kind: str = "repair") -> list[dict[str, Any]]:
    cursor = conn.execute(
        "select * from app.portal_bookable_windows(%s, %s, %s)", [property_id, kind, MONDAY]
    )
    assert cursor.description is not None
    assert [c.name for c in cursor.description] == ["window_starts_at", "window_ends_at"]
    return [dict(r) for r in cursor.fetchall()]


def book(conn: Connection, property_id: UUID, starts: Any, kind: str = "repair") -> dict[str, Any]:
    row = conn.execute(
        "select * from app.portal_book_visit(%s, %s, 'No cooling', %s)",
        [property_id, kind, starts],
    ).fetchone()
    assert row is not None
    return dict(row)


def test_a_homeowner_sees_windows_only_at_their_own_places(
    database: Database, admin: Connection, make: Factory
) -> None:
    firm = company(make)
    me, mine = homeowner(make, firm)
    _, theirs = homeowner(make, firm)
    elsewhere = company(make)
    _, abroad = homeowner(make, elsewhere)
    with acting_as(database, homeowner_claims(admin, firm.tenant.id, me)) as conn:
        assert on([w["window_starts_at"] for w in windows(conn, mine)], MONDAY) == [8, 10]
        for other in (theirs, abroad):
            with pytest.raises(psycopg.errors.NoDataFound), conn.transaction():
                windows(conn, other)
            with pytest.raises(psycopg.errors.NoDataFound), conn.transaction():
                book(conn, other, at(MONDAY, 8))
    with (
        acting_as(database, {"role": "authenticated", "portal": True}) as conn,
        pytest.raises(psycopg.errors.NoDataFound),
    ):
        windows(conn, mine)


def test_another_customers_booking_only_takes_its_window_away(
    database: Database, admin: Connection, make: Factory
) -> None:
    """What one homeowner sees before and after another books: the same rows, less the window
    taken; no ids, names, places or counts in either."""
    firm = company(make)
    me, mine = homeowner(make, firm)
    neighbour, theirs = homeowner(make, firm)
    my_claims = homeowner_claims(admin, firm.tenant.id, me)
    with acting_as(database, my_claims) as conn:
        before = windows(conn, mine)
    with acting_as(database, homeowner_claims(admin, firm.tenant.id, neighbour)) as conn:
        booked = book(conn, theirs, at(MONDAY, 8))
        conn.execute("commit")
    with acting_as(database, my_claims) as conn:
        after = windows(conn, mine)
    assert booked["status"] == "booked"
    assert [w for w in before if w["window_starts_at"] != at(MONDAY, 8)] == after
    assert len(before) == len(after) + 1


def test_a_homeowners_booking_is_theirs_and_on_the_board(
    database: Database, admin: Connection, make: Factory
) -> None:
    firm = company(make)
    me, mine = homeowner(make, firm)
    with acting_as(database, homeowner_claims(admin, firm.tenant.id, me)) as conn:
        booked = book(conn, mine, at(MONDAY, 10), "maintenance")
        conn.execute("commit")
    row = admin.execute(
        "select j.customer_id, j.property_id, j.kind, v.status, v.window_starts_at,"
        " a.technician_id, b.source"
        " from public.visits v join public.jobs j on j.tenant_id = v.tenant_id and j.id = v.job_id"
        " join public.visit_assignments a on a.tenant_id = v.tenant_id and a.visit_id = v.id"
        " join public.online_bookings b on b.tenant_id = v.tenant_id and b.visit_id = v.id"
        " where v.id = %s",
        [booked["visit_id"]],
    ).fetchone()
    assert row == {
        "customer_id": me,
        "property_id": mine,
        "kind": "maintenance",
        "status": "scheduled",
        "window_starts_at": at(MONDAY, 10),
        "technician_id": firm.technicians[0].account_id,
        "source": "portal",
    }


WINDOW = re.compile(r'name="window" value="([^"]+)"')


def test_the_booking_page_offers_live_windows_and_books_one(
    client: Client, admin: Connection, make: Factory
) -> None:
    firm = company(make)
    me, mine = homeowner(make, firm)
    _, theirs = homeowner(make, firm)
    sign_in(client, admin, firm.tenant.id, me)
    page = client.get("/portal/book")
    assert page.status_code == 200
    assert str(mine) in page.get_data(as_text=True)
    assert str(theirs) not in page.get_data(as_text=True)
    details = {"property_id": str(mine), "kind": "repair", "description": "No cooling"}
    offered = client.submit("/portal/book", details)
    assert offered.status_code == 200
    values = WINDOW.findall(offered.get_data(as_text=True))
    assert len(values) >= 2
    # Someone else takes the first window meanwhile: the page says so and offers the rest.
    neighbour, elsewhere = homeowner(make, firm)
    other = Client(client.application)
    sign_in(other, admin, firm.tenant.id, neighbour)
    taken = other.submit(
        "/portal/book",
        {
            "property_id": str(elsewhere),
            "kind": "repair",
            "description": "Leak",
            "window": values[0],
        },
    )
    assert taken.status_code == 303
    refused = client.submit("/portal/book", details | {"window": values[0]})
    assert refused.status_code == 409
    assert "That time was just taken" in refused.get_data(as_text=True)
    assert WINDOW.findall(refused.get_data(as_text=True)) == values[1:]
    done = client.submit("/portal/book", details | {"window": values[1]})
    assert done.status_code == 303
    shown = client.get(done.headers["Location"])
    assert shown.status_code == 200
    assert "Your visit is booked" in shown.get_data(as_text=True)


def test_a_foreign_place_is_not_a_choice(client: Client, admin: Connection, make: Factory) -> None:
    firm = company(make)
    me, _ = homeowner(make, firm)
    _, theirs = homeowner(make, firm)
    sign_in(client, admin, firm.tenant.id, me)
    response = client.submit(
        "/portal/book", {"property_id": str(theirs), "kind": "repair", "description": "x"}
    )
    assert response.status_code == 422
    jobs = admin.execute(
        "select count(*) as n from public.jobs where tenant_id = %s", [firm.tenant.id]
    ).fetchone()
    assert jobs == {"n": 0}


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "JPEG")
    return out.getvalue()


def test_photos_of_the_problem_go_with_the_booked_visit(
    client: Client, admin: Connection, make: Factory
) -> None:
    firm = company(make)
    me, mine = homeowner(make, firm)
    sign_in(client, admin, firm.tenant.id, me)
    details = {"property_id": str(mine), "kind": "repair", "description": "No cooling"}
    window = WINDOW.findall(client.submit("/portal/book", details).get_data(as_text=True))[0]
    assert client.submit("/portal/book", details | {"window": window}).status_code == 303
    for _ in range(5):
        sent = client.submit(
            "/portal/book/done/photos",
            {"photo": (io.BytesIO(jpeg()), "leak.jpg")},
            content_type="multipart/form-data",
        )
        assert sent.status_code == 303
    refused = client.submit(
        "/portal/book/done/photos",
        {"photo": (io.BytesIO(jpeg()), "leak.jpg")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert "At most 5 photos" in refused.get_data(as_text=True)
    not_a_photo = client.submit(
        "/portal/book/done/photos",
        {"photo": (io.BytesIO(b"%PDF-1.4"), "leak.pdf")},
        content_type="multipart/form-data",
    )
    assert not_a_photo.status_code == 422
    rows = admin.execute(
        "select f.kind, f.content_type from public.visit_files f"
        " join public.online_bookings b on b.tenant_id = f.tenant_id and b.visit_id = f.visit_id"
        " where b.customer_id = %s",
        [me],
    ).fetchall()
    assert [(r["kind"], r["content_type"]) for r in rows] == [("photo", "image/jpeg")] * 5


def test_a_photo_goes_only_to_the_homeowners_own_new_booking(
    database: Database, admin: Connection, make: Factory
) -> None:
    firm = company(make, technicians=2)
    me, mine = homeowner(make, firm)
    neighbour, theirs = homeowner(make, firm)
    with acting_as(database, homeowner_claims(admin, firm.tenant.id, neighbour)) as conn:
        their_visit = book(conn, theirs, at(MONDAY, 8))["visit_id"]
        conn.execute("commit")
    key = f"{firm.tenant.id}/visits/{their_visit}/photo.jpg"
    with (
        acting_as(database, homeowner_claims(admin, firm.tenant.id, me)) as conn,
        pytest.raises(psycopg.errors.NoDataFound),
    ):
        conn.execute(
            "select app.portal_add_booking_photo(%s, %s, 'image/jpeg', 100)", [their_visit, key]
        )
    with acting_as(database, homeowner_claims(admin, firm.tenant.id, me)) as conn:
        mine_visit = book(conn, mine, at(MONDAY, 8))["visit_id"]
        with pytest.raises(psycopg.errors.CheckViolation), conn.transaction():
            conn.execute(
                "select app.portal_add_booking_photo(%s, %s, 'image/jpeg', 100)",
                [mine_visit, key],  # a key under another visit
            )
