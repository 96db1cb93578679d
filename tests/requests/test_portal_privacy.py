"""P-10 from the homeowner's side: from the portal they ask the company to correct or delete
their data, see the request's due date (30 days, the database's) and the company's answer, and
see no one else's requests. Bad input is a clear message and saves nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
import pytest

from app.db import Connection
from tests.conftest import Client, TestDatabase
from tests.factories import Factory
from tests.policies.identity import acting_as
from tests.portal.support import homeowner_claims, sign_in
from tests.requests.support import make_privacy_request

pytestmark = pytest.mark.promise("P-10")
NEW_YORK = ZoneInfo("America/New_York")  # a new company's time zone


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def requests_of(admin: Connection, customer_id: UUID) -> list[dict[str, Any]]:
    return admin.execute(
        "select kind, details, source, status, due_on from public.privacy_requests"
        " where customer_id = %s order by created_at",
        [customer_id],
    ).fetchall()


def test_a_homeowner_asks_for_deletion_due_in_30_days(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    customer = make.customer(tenant.id, "Dana", "Reyes")
    sign_in(client, admin, tenant.id, customer)
    response = client.submit("/portal/data/requests", {"kind": "deletion", "details": ""})
    assert response.status_code == 302
    due = datetime.now(NEW_YORK).date() + timedelta(days=30)
    assert requests_of(admin, customer) == [
        {"kind": "deletion", "details": "", "source": "portal", "status": "open", "due_on": due}
    ]
    page = text(client.get("/portal/data/requests"))
    assert "Delete my data" in page and "answer due by" in page

    client.sign_in(tenant.owner.email)
    assert "Delete my data" in text(client.get("/privacy-requests"))


def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_saved(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    customer = make.customer(tenant.id)
    sign_in(client, admin, tenant.id, customer)
    no_details = client.submit("/portal/data/requests", {"kind": "correction", "details": ""})
    assert no_details.status_code == 422 and "Say what should be corrected." in text(no_details)
    no_kind = client.submit("/portal/data/requests", {"details": "Hello"})
    assert no_kind.status_code == 422 and "Choose what you would like us to do." in text(no_kind)
    other_kind = client.submit("/portal/data/requests", {"kind": "access"})
    assert other_kind.status_code == 422
    long = client.submit("/portal/data/requests", {"kind": "deletion", "details": "x" * 5001})
    assert long.status_code == 422 and "under 5,000 characters" in text(long)
    assert requests_of(admin, customer) == []


def test_a_homeowner_sees_their_answer_and_no_one_elses_requests(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    mine, theirs = make.customer(tenant.id), make.customer(tenant.id)
    answered = make_privacy_request(admin, tenant.id, mine, "correction")
    admin.execute(
        "update public.privacy_requests set status = 'done', answer = 'Your email is fixed.',"
        " answered_at = now() where id = %s",
        [answered],
    )
    admin.execute(
        "update public.privacy_requests set details = 'Neighbour secret' where id = %s",
        [make_privacy_request(admin, tenant.id, theirs)],
    )
    sign_in(client, admin, tenant.id, mine)
    page = text(client.get("/portal/data/requests"))
    assert "Your email is fixed." in page and "Neighbour secret" not in page


def test_the_portal_cannot_set_the_due_date_source_or_customer(
    database: TestDatabase, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    mine, theirs = make.customer(tenant.id), make.customer(tenant.id)
    with acting_as(database, homeowner_claims(admin, tenant.id, mine)) as conn:
        for statement, values in (
            # the office's policy refuses them whatever the customer; no grant names due_on
            (
                "insert into public.privacy_requests (tenant_id, customer_id, kind, source)"
                " values (%s, %s, 'deletion', 'portal')",
                [tenant.id, mine],
            ),
            (
                "insert into public.privacy_requests (tenant_id, customer_id, kind, source)"
                " values (%s, %s, 'deletion', 'phone')",
                [tenant.id, theirs],
            ),
            (
                "insert into public.privacy_requests (tenant_id, customer_id, kind, source,"
                " due_on) values (%s, %s, 'deletion', 'portal', '2099-01-01')",
                [tenant.id, mine],
            ),
        ):
            with (
                conn.transaction(force_rollback=True),
                pytest.raises(psycopg.errors.InsufficientPrivilege),
            ):
                conn.execute(statement, values)
        made = conn.execute(
            "select app.portal_file_privacy_request('deletion', 'Please') as id"
        ).fetchone()
        assert made is not None
        seen = conn.execute("select customer_id, source from public.privacy_requests").fetchall()
        assert seen == [{"customer_id": mine, "source": "portal"}]
        for _ in range(4):
            conn.execute("select app.portal_file_privacy_request('deletion', '')")
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("select app.portal_file_privacy_request('deletion', '')")
