"""Who a portal request is: an open session for one customer of one company, checked again by
the database on every statement (P-02, P-03 for homeowners)."""

from __future__ import annotations

import pytest

from app.db import Connection
from tests.conftest import Client, TestDatabase
from tests.factories import Factory
from tests.policies.identity import acting_as
from tests.portal.support import homeowner_claims, open_session, sign_in


def test_a_signed_in_homeowner_sees_their_company_and_name(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant("Cool Breeze HVAC")
    customer = make.customer(tenant.id, "Dana", "Reyes")
    sign_in(client, admin, tenant.id, customer)

    page = client.get("/portal/").get_data(as_text=True)

    assert "Cool Breeze HVAC" in page
    assert "Hello, Dana Reyes" in page


def test_without_a_session_the_portal_sends_to_sign_in(client: Client) -> None:
    response = client.get("/portal/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/portal/sign-in")


def test_sign_out_ends_the_session_in_the_database(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    customer = make.customer(tenant.id)
    session_id = sign_in(client, admin, tenant.id, customer)
    client.get("/portal/")

    client.submit("/portal/sign-out")

    ended = admin.execute(
        "select ended_at from iam.portal_sessions where id = %s", [session_id]
    ).fetchone()
    assert ended is not None and ended["ended_at"] is not None
    assert client.get("/portal/").status_code == 302


def test_a_removed_customer_sees_nothing_on_the_next_request(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    customer = make.customer(tenant.id, "Dana")
    sign_in(client, admin, tenant.id, customer)
    assert client.get("/portal/").status_code == 200

    admin.execute("delete from public.customers where id = %s", [customer])

    assert client.get("/portal/").status_code == 302


@pytest.mark.promise("P-02")
def test_homeowner_claims_read_only_their_own_customer(
    database: TestDatabase, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    mine, theirs = make.customer(tenant.id, "Dana"), make.customer(tenant.id, "Lee")
    claims = homeowner_claims(admin, tenant.id, mine)

    with acting_as(database, claims) as conn:
        seen = [r["id"] for r in conn.execute("select id from public.customers")]
        company = conn.execute("select app.tenant_id() as staff, app.portal_customer_id() as me")

        assert seen == [mine]
        assert company.fetchone() == {"staff": None, "me": mine}
    assert theirs not in seen


@pytest.mark.promise("P-02")
def test_an_ended_or_expired_session_reads_nothing(
    database: TestDatabase, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    customer = make.customer(tenant.id)
    ended = homeowner_claims(admin, tenant.id, customer)
    admin.execute("update iam.portal_sessions set ended_at = now() where id = %s", [ended["sub"]])
    expired = homeowner_claims(admin, tenant.id, customer)
    admin.execute(
        "update iam.portal_sessions set expires_at = now() - interval '1 second' where id = %s",
        [expired["sub"]],
    )
    session_id, _ = open_session(admin, tenant.id, customer)
    other = make.customer(tenant.id)
    forged = {**ended, "sub": str(session_id), "customer_id": str(other)}

    for claims in (ended, expired, forged):
        with acting_as(database, claims) as conn:
            assert conn.execute("select count(*) as n from public.customers").fetchone() == {"n": 0}
