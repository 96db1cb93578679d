"""The estimates and invoices lists' filters (status, customer or number, technician, days)
and their CSV files: exactly the filtered list, every page of it, amounts as plain decimals and
days as ISO dates; another company's technician cannot be chosen; paging and empty states stay."""

from __future__ import annotations

from typing import Any

from app.db import Connection
from tests.conftest import Client
from tests.factories import Factory
from tests.invoices.support import RANGE, book, csv_rows, technician

HEADER = [
    "Invoice", "Status", "Billed to", "Issued on", "Due on", "Currency", "Total", "Paid",
    "Balance due", "Technicians",
]  # fmt: skip


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def test_the_invoices_list_and_its_csv_follow_the_filters(
    client: Client, make: Factory, admin: Connection
) -> None:
    mine = book(make, admin)
    theirs = book(make, admin, "Beta Heat")
    client.sign_in(mine.tenant.owner.email)
    alice = f"technician={mine.alice.account_id}"
    page = text(client.get(f"/invoices?{alice}"))
    assert page.count('<td data-label="Invoice">') == 5  # repair, install, draft, void, October
    assert '<td data-label="Technicians">Alice Able, Bob Best</td>' in page
    rows = csv_rows(client.get(f"/invoices/export.csv?{alice}&{RANGE}&status=sent"))
    assert rows[0] == HEADER
    assert [row[1:] for row in rows[1:]] == [
        [
            "Sent",
            "Billed Customer",
            "2026-11-10",
            "2026-11-10",
            "USD",
            "220.00",
            "0.00",
            "220.00",
            "Alice Able",
        ],
        [
            "Sent",
            "Billed Customer",
            "2026-11-10",
            "2026-11-10",
            "USD",
            "100.01",
            "0.00",
            "100.01",
            "Alice Able, Bob Best",
        ],
    ]  # fmt: skip  (newest first, as the list; Bob's canceled visit does not count)
    bob = text(client.get(f"/invoices/export.csv?technician={mine.bob.account_id}&status=void"))
    assert bob.count("Void") == 1
    october = csv_rows(client.get("/invoices/export.csv?starts=2026-10-01&ends=2026-10-31"))
    assert [row[3] for row in october[1:]] == ["2026-10-31"]
    # Another company's technician is not one to choose: the list says so, nothing is sent.
    foreign = f"technician={theirs.alice.account_id}"
    refused = client.get(f"/invoices?{foreign}")
    assert refused.status_code == 422
    assert "Alice Able" not in text(refused).split("</select>")[-1]
    redirected = client.get(f"/invoices/export.csv?{foreign}")
    assert redirected.status_code == 302
    assert redirected.headers["Location"].startswith("/invoices?")


def test_the_csv_holds_every_page_of_the_list(
    client: Client, make: Factory, admin: Connection
) -> None:
    tenant = make.tenant()
    place = make.property(tenant.id, make.customer(tenant.id))
    for _ in range(53):
        make.invoice(tenant.id, place, lines=("12.50",), status="sent")
    other = make.tenant()
    make.invoice(other.id, lines=("999.00",), status="sent")
    client.sign_in(make.member(tenant.id, "office").email)
    first = text(client.get("/invoices"))
    assert first.count('<td data-label="Invoice">') == 50
    assert 'rel="next"' in first
    rows = csv_rows(client.get("/invoices/export.csv"))
    assert len(rows) == 1 + 53
    assert {row[6] for row in rows[1:]} == {"12.50"}
    assert text(client.get("/invoices?q=nobody")).count("No invoice matches.") == 1
    recorded = admin.execute(
        "select count(*) as n from audit.changes where table_name = 'public.invoices'"
        " and operation = 'access' and row_key = 'export' and tenant_id = %s",
        [tenant.id],
    ).fetchone()
    assert recorded is not None and recorded["n"] == 1


def test_the_estimates_list_and_its_csv_follow_the_filters(
    client: Client, make: Factory, admin: Connection
) -> None:
    tenant = make.tenant()
    t = tenant.id
    alice = technician(make, t, "Alice Able")
    bob = technician(make, t, "Bob Best")
    place = make.property(t, make.customer(t))
    job = make.job(t, place)
    make.visit(t, job, technicians=(alice.account_id,))
    worked = make.estimate(t, place, job, title="New furnace")
    make.estimate_option(t, worked)
    alone = make.estimate(t, place, title="Duct cleaning")
    admin.execute(
        "update public.estimates set created_at = '2026-10-15 12:00+00' where id = %s", [alone]
    )
    other = make.tenant()
    make.estimate(other.id, title="Their estimate")
    client.sign_in(make.member(t, "office").email)
    assert text(client.get("/estimates")).count('<td data-label="Estimate">') == 2
    page = text(client.get(f"/estimates?technician={alice.account_id}"))
    assert "New furnace" in page and "Duct cleaning" not in page
    nobody = text(client.get(f"/estimates?technician={bob.account_id}"))
    assert nobody.count('<td data-label="Estimate">') == 0
    assert "No estimate matches." in nobody
    rows = csv_rows(client.get("/estimates/export.csv?starts=2026-10-01&ends=2026-10-31"))
    assert rows[0][:6] == ["Estimate", "Revision", "Title", "Status", "Customer", "Made on"]
    assert [(row[2], row[3], row[5]) for row in rows[1:]] == [
        ("Duct cleaning", "Draft", "2026-10-15")
    ]
    everything = csv_rows(client.get("/estimates/export.csv"))
    assert sorted(row[2] for row in everything[1:]) == ["Duct cleaning", "New furnace"]
    by_title = {row[2]: row for row in everything[1:]}
    assert by_title["New furnace"][12] == "Alice Able"
