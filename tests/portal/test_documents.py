"""The homeowner's estimates, invoices and payments: their own only; opening one hands an
hour-long link of its own to this browser (no token in any URL), the emailed links stay open."""

from __future__ import annotations

from uuid import UUID

import pytest
from psycopg import sql

from app.db import Connection
from tests.conftest import Client
from tests.factories import Factory
from tests.portal.documents_support import sent_estimate, sent_invoice
from tests.portal.support import sign_in


def number_of(admin: Connection, table: str, row: UUID) -> int:
    statement = sql.SQL("select number from public.{} where id = %s").format(sql.Identifier(table))
    found = admin.execute(statement, [row]).fetchone()
    assert found is not None
    return int(found["number"])


def test_the_page_lists_my_estimates_invoices_and_payments_only(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    me, neighbour = make.customer(tenant.id), make.customer(tenant.id)
    sent_estimate(make, tenant.id, me, "New furnace for me", "4200.00")
    sent_estimate(make, tenant.id, neighbour, "Neighbour heat pump", "9100.00")
    mine = sent_invoice(make, tenant.id, me, "150.00")
    theirs = sent_invoice(make, tenant.id, neighbour, "777.00")
    admin.execute(
        "insert into public.payments (tenant_id, invoice_id, amount, method, received_on)"
        " values (%s, %s, 50, 'cash', current_date), (%s, %s, 70, 'cheque', current_date)",
        [tenant.id, mine, tenant.id, theirs],
    )
    sign_in(client, admin, tenant.id, me)

    page = client.get("/portal/documents").get_data(as_text=True)

    assert "New furnace for me" in page and "$4,200.00" in page
    assert f"INV-{number_of(admin, 'invoices', mine)}" in page
    assert "balance due $100.00" in page and "$50.00" in page and "Cash" in page
    assert "Neighbour heat pump" not in page and "$9,100.00" not in page
    assert f"INV-{number_of(admin, 'invoices', theirs)}" not in page
    assert "$777.00" not in page and "$70.00" not in page


def names(kind: str) -> tuple[sql.Identifier, sql.Identifier]:
    """The link table of a kind of document, and its document column."""
    return sql.Identifier(f"{kind}_links"), sql.Identifier(f"{kind}_id")


@pytest.mark.parametrize("kind", ["estimate", "invoice"])
def test_opening_my_document_hands_a_fresh_link_to_this_browser(
    client: Client, admin: Connection, make: Factory, kind: str
) -> None:
    tenant = make.tenant()
    me = make.customer(tenant.id)
    document = (
        sent_estimate(make, tenant.id, me, "New furnace", "4200.00")
        if kind == "estimate"
        else sent_invoice(make, tenant.id, me, "150.00")
    )
    emailed = admin.execute(
        sql.SQL(
            "insert into public.{} (tenant_id, {}, token_hash, sent_to)"
            " values (%s, %s, %s, 'me@example.com') returning id"
        ).format(*names(kind)),
        [tenant.id, document, b"x" * 32],
    ).fetchone()
    assert emailed is not None
    sign_in(client, admin, tenant.id, me)

    opened = client.submit(f"/portal/{kind}s/{document}/open")

    assert opened.status_code == 303
    assert opened.headers["Location"] == f"/{kind}/view/{document}"
    page = client.get(opened.headers["Location"])
    assert page.status_code == 200
    links = admin.execute(
        sql.SQL(
            "select id, revoked_at, closes_at - created_at as lasts from public.{}"
            " where {} = %s order by created_at"
        ).format(*names(kind)),
        [document],
    ).fetchall()
    assert len(links) == 2
    assert links[0]["id"] == emailed["id"] and links[0]["revoked_at"] is None
    assert links[1]["lasts"].total_seconds() == 3600


@pytest.mark.parametrize("kind", ["estimate", "invoice"])
def test_another_customers_document_is_404_and_mints_no_link(
    client: Client, admin: Connection, make: Factory, kind: str
) -> None:
    tenant = make.tenant()
    me, neighbour = make.customer(tenant.id), make.customer(tenant.id)
    theirs = (
        sent_estimate(make, tenant.id, neighbour, "New furnace", "4200.00")
        if kind == "estimate"
        else sent_invoice(make, tenant.id, neighbour, "150.00")
    )
    sign_in(client, admin, tenant.id, me)

    assert client.submit(f"/portal/{kind}s/{theirs}/open").status_code == 404
    assert client.get(f"/{kind}/view/{theirs}").status_code == 404
    count = admin.execute(
        sql.SQL("select count(*) as n from public.{} where {} = %s").format(*names(kind)),
        [theirs],
    ).fetchone()
    assert count is not None and count["n"] == 0


def test_a_portal_link_past_its_hour_opens_nothing(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    me = make.customer(tenant.id)
    invoice = sent_invoice(make, tenant.id, me, "150.00")
    sign_in(client, admin, tenant.id, me)
    opened = client.submit(f"/portal/invoices/{invoice}/open")
    admin.execute(
        "update public.invoice_links set closes_at = now() - interval '1 second'"
        " where invoice_id = %s",
        [invoice],
    )

    assert client.get(opened.headers["Location"]).status_code == 410
