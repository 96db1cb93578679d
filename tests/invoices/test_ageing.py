"""What the office is owed, by how late it is: unpaid invoices in buckets by days past due on
the company's day (current, 1-30, 31-60, 61-90, over 90), paid, draft and void ones left out,
a partly paid one by its balance; a recorded read; the office's only."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from app.db import Connection
from tests.conftest import Client
from tests.factories import Factory


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def issued(make: Factory, admin: Connection, tenant_id: UUID, days_ago: int, price: str) -> UUID:
    """A sent invoice due on receipt, issued `days_ago` days before the company's today."""
    invoice = make.invoice(tenant_id, lines=(price,))
    admin.execute(
        "update public.invoices set issued_on = (now() at time zone t.time_zone)::date - %s,"
        " terms = 'due_on_receipt' from public.tenants t where t.id = invoices.tenant_id"
        " and invoices.id = %s",
        [days_ago, invoice],
    )
    admin.execute(
        "update public.invoices set status = 'sent', sent_at = now() where id = %s", [invoice]
    )
    return invoice


def test_unpaid_invoices_are_bucketed_by_how_late_they_are(
    client: Client, make: Factory, admin: Connection
) -> None:
    tenant = make.tenant()
    for days, price in ((0, "100.00"), (10, "200.00"), (45, "300.00"), (75, "400.00")):
        issued(make, admin, tenant.id, days, price)
    late = issued(make, admin, tenant.id, 120, "500.00")
    admin.execute(
        "insert into public.payments (tenant_id, invoice_id, amount, method, received_on)"
        " values (%s, %s, 150, 'cash', current_date)",
        [tenant.id, late],
    )
    settled = issued(make, admin, tenant.id, 50, "80.00")
    admin.execute(
        "insert into public.payments (tenant_id, invoice_id, amount, method, received_on)"
        " values (%s, %s, 80, 'cheque', current_date)",
        [tenant.id, settled],
    )
    make.invoice(tenant.id, lines=("999.00",))  # a draft: not owed
    client.sign_in(make.member(tenant.id, "office").email)
    page = text(client.get("/invoices/ageing"))
    rows = re.findall(
        r'<td data-label="Age">(?:<a [^>]+>)?([^<]+)(?:</a>)?</td>\s*'
        r'<td data-label="Invoices" class="num">(\d+)</td>\s*'
        r'<td data-label="Balance" class="num">([^<]+)</td>',
        page,
    )
    assert rows == [
        ("Not yet due", "1", "$100.00"),
        ("1\N{EN DASH}30 days late", "1", "$200.00"),
        ("31\N{EN DASH}60 days late", "1", "$300.00"),
        ("61\N{EN DASH}90 days late", "1", "$400.00"),
        ("Over 90 days late", "1", "$350.00"),
    ]
    assert "5 unpaid invoices, $1,350.00 due in all." in page
    recorded = admin.execute(
        "select new_values from audit.changes where table_name = 'public.invoices'"
        " and operation = 'access' and row_key = 'list' order by id desc limit 1"
    ).fetchone()
    assert recorded is not None


def test_nothing_owed_says_so_and_technicians_are_refused(
    app: Any, client: Client, make: Factory
) -> None:
    tenant = make.tenant()
    client.sign_in(make.member(tenant.id, "dispatcher").email)
    assert "Nothing is owed" in text(client.get("/invoices/ageing"))
    technician = app.test_client()
    technician.sign_in(make.member(tenant.id, "technician").email)
    assert technician.get("/invoices/ageing").status_code in (403, 404)


def test_one_buckets_invoices_a_page_at_a_time_most_overdue_first(
    client: Client, make: Factory, admin: Connection
) -> None:
    tenant = make.tenant()
    for days in range(31, 31 + 52):  # 52 invoices 31 to 82 days late
        issued(make, admin, tenant.id, days, "10.00")
    issued(make, admin, tenant.id, 5, "999.00")  # 1-30: not in the bucket asked for
    client.sign_in(make.member(tenant.id, "office").email)
    first = text(client.get("/invoices/ageing?bucket=61-90"))
    late = [int(d) for d in re.findall(r'<td data-label="Days late" class="num">(\d+)</td>', first)]
    assert late == list(range(82, 60, -1))  # 61-90 days late: 22 of them, most overdue first
    assert 'rel="next"' not in first
    every = text(client.get("/invoices/ageing"))
    assert len(re.findall(r'data-label="Days late"', every)) == 50
    assert "bucket=None" not in every and 'rel="next"' in every
    second = text(client.get("/invoices/ageing?page=2"))
    late = [
        int(d) for d in re.findall(r'<td data-label="Days late" class="num">(\d+)</td>', second)
    ]
    assert late == [32, 31, 5]
    assert "53 unpaid invoices, $1,519.00 due in all." in second


def test_a_bucket_or_page_that_does_not_exist_is_explained(client: Client, make: Factory) -> None:
    tenant = make.tenant()
    client.sign_in(make.member(tenant.id, "office").email)
    for url in ("/invoices/ageing?bucket=forever", "/invoices/ageing?page=zero"):
        response = client.get(url)
        assert response.status_code == 422
        assert "That page of unpaid invoices does not exist." in text(response)
