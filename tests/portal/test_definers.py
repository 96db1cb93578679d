"""The portal's definers answer only for the signed-in homeowner: staff claims, an ended
session, or another customer of the same company get nothing and change nothing (P-02)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from app.db import Connection
from tests.conftest import TestDatabase
from tests.factories import Factory
from tests.policies.identity import acting_as, claims_of
from tests.portal.documents_support import sent_estimate, sent_invoice
from tests.portal.support import homeowner_claims


@pytest.mark.promise("P-02")
def test_staff_and_ended_sessions_get_nothing_from_the_portal_definers(
    database: TestDatabase, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    me = make.customer(tenant.id)
    visit = make.visit(
        tenant.id,
        make.job(tenant.id, make.property(tenant.id, me)),
        datetime.now(UTC) + timedelta(days=9),
    )
    invoice = sent_invoice(make, tenant.id, me)
    ended = homeowner_claims(admin, tenant.id, me)
    admin.execute("update iam.portal_sessions set ended_at = now() where id = %s", [ended["sub"]])

    for claims in (claims_of(tenant.owner), ended):
        with acting_as(database, claims) as conn:
            assert conn.execute("select * from app.portal_visits()").fetchall() == []
            assert conn.execute("select * from app.portal_record_views()").fetchall() == []
            opened = conn.execute(
                "select app.portal_open_document('invoice', %s) as token", [invoice]
            ).fetchone()
            assert opened == {"token": None}
        for statement, values in (
            ("select app.portal_reschedule_visit(%s, now() + interval '20 days')", [visit]),
            ("select app.portal_cancel_visit(%s, 'x')", [visit]),
            (
                "select app.portal_update_details('A', 'B', '', '', 'phone', true, false, false)",
                [],
            ),
            ("select app.portal_record_access('portal data download', 'json')", []),
        ):
            with acting_as(database, claims) as conn, pytest.raises(psycopg.Error):
                conn.execute(statement, values)
    count = admin.execute(
        "select count(*) as n from public.invoice_links where invoice_id = %s", [invoice]
    ).fetchone()
    assert count == {"n": 0}


@pytest.mark.promise("P-02")
def test_another_customers_documents_and_visits_are_not_mine(
    database: TestDatabase, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    me, neighbour = make.customer(tenant.id), make.customer(tenant.id)
    estimate = sent_estimate(make, tenant.id, neighbour)
    visit = make.visit(
        tenant.id,
        make.job(tenant.id, make.property(tenant.id, neighbour)),
        datetime.now(UTC) + timedelta(days=9),
    )
    claims = homeowner_claims(admin, tenant.id, me)

    with acting_as(database, claims) as conn:
        assert conn.execute("select * from app.portal_visits()").fetchall() == []
        opened = conn.execute(
            "select app.portal_open_document('estimate', %s) as token", [estimate]
        ).fetchone()
        assert opened == {"token": None}
    with acting_as(database, claims) as conn, pytest.raises(psycopg.errors.CheckViolation) as e:
        conn.execute("select app.portal_cancel_visit(%s, 'x')", [visit])
    assert e.value.diag.constraint_name == "portal_visits_own_only"
