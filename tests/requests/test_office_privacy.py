"""P-10: the office records a homeowner's privacy request taken by phone or email, sees the open
ones by due date (overdue marked) and answers each, done or refused. The due date is 30 days
from the day it is filed, set by the database: no caller can choose it. Bad input is a clear
message and saves nothing."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
import pytest

from app.db import Connection
from tests.conftest import Client
from tests.conftest import TestDatabase as Database
from tests.factories import Factory, Member, Tenant
from tests.policies.identity import acting_as, claims_of
from tests.requests.support import make_photo, make_privacy_request, make_request

pytestmark = pytest.mark.promise("P-10")
NEW_YORK = ZoneInfo("America/New_York")  # a new company's time zone


def text(response: Any) -> str:
    return response.get_data(as_text=True)


@dataclass
class Office:
    tenant: Tenant
    clerk: Member
    customer: UUID


@pytest.fixture
def office(client: Client, make: Factory) -> Office:
    tenant = make.tenant()
    clerk = make.member(tenant.id, "office", make.account(full_name="Olive Office"))
    customer = make.customer(tenant.id, "Ruth", "Alvarez")
    client.sign_in(clerk.email)
    return Office(tenant, clerk, customer)


def requests_of(admin: Connection, tenant_id: UUID) -> list[dict[str, Any]]:
    return admin.execute(
        "select id, kind, source, details, status, due_on, recorded_by, answered_by, answer,"
        " answered_at from public.privacy_requests where tenant_id = %s order by created_at",
        [tenant_id],
    ).fetchall()


def test_the_office_records_a_request_from_a_call_due_in_30_days(
    client: Client, admin: Connection, office: Office
) -> None:
    found = client.get("/privacy-requests/new?q=Alvarez")
    assert f"/privacy-requests/new?customer_id={office.customer}" in text(found)
    response = client.submit(
        f"/privacy-requests/new?customer_id={office.customer}",
        {"kind": "correction", "source": "phone", "details": "The email is wrong."},
    )
    assert response.status_code == 302
    (saved,) = requests_of(admin, office.tenant.id)
    today = datetime.now(NEW_YORK).date()
    assert saved["due_on"] == today + timedelta(days=30)
    assert (saved["kind"], saved["source"], saved["status"], saved["recorded_by"]) == (
        "correction",
        "phone",
        "open",
        office.clerk.account_id,
    )
    listed = text(client.get("/privacy-requests"))
    assert "Correct my data" in listed and f"Due {saved['due_on'].isoformat()}" in listed


def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_saved(
    client: Client, admin: Connection, make: Factory, office: Office
) -> None:
    url = f"/privacy-requests/new?customer_id={office.customer}"
    no_details = client.submit(url, {"kind": "correction", "source": "email", "details": " "})
    assert no_details.status_code == 422 and "Say what should be corrected." in text(no_details)
    odd_kind = client.submit(url, {"kind": "objection", "source": "email"})
    assert odd_kind.status_code == 422
    from_portal = client.submit(url, {"kind": "access", "source": "portal"})
    assert from_portal.status_code == 422
    too_long = client.submit(url, {"kind": "access", "source": "email", "details": "x" * 5001})
    assert too_long.status_code == 422 and "under 5,000 characters" in text(too_long)
    other = make.tenant()
    stranger = make.customer(other.id)
    theirs = client.submit(
        f"/privacy-requests/new?customer_id={stranger}", {"kind": "access", "source": "email"}
    )
    assert theirs.status_code == 404
    assert requests_of(admin, office.tenant.id) == []
    assert requests_of(admin, other.id) == []


def test_the_due_date_is_the_databases_to_set(
    database: Database, admin: Connection, make: Factory, office: Office
) -> None:
    # The member's own insert may not name it: no grant covers the column.
    with (
        acting_as(database, claims_of(office.clerk)) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(
            "insert into public.privacy_requests (tenant_id, customer_id, kind, source,"
            " due_on) values (%s, %s, 'access', 'phone', '2099-01-01')",
            [office.tenant.id, office.customer],
        )
    # Even the owner of the database gets the date of the database's clock, then it stays.
    admin.execute("insert into app.clock (at) values ('2026-03-01 15:00+00')")
    admin.execute(
        "insert into public.privacy_requests (tenant_id, customer_id, kind, source, due_on,"
        " created_at) values (%s, %s, 'access', 'phone', '2099-01-01', '2000-01-01')",
        [office.tenant.id, office.customer],
    )
    admin.execute("delete from app.clock")
    admin.execute(
        "update public.privacy_requests set due_on = '2099-01-01', created_at = now()"
        " where tenant_id = %s",
        [office.tenant.id],
    )
    row = admin.execute(
        "select due_on, created_at from public.privacy_requests where tenant_id = %s",
        [office.tenant.id],
    ).fetchone()
    assert row == {
        "due_on": date(2026, 3, 31),
        "created_at": datetime(2026, 3, 1, 15, 0, tzinfo=UTC),
    }


def test_an_overdue_request_is_marked(client: Client, admin: Connection, office: Office) -> None:
    admin.execute("insert into app.clock (at) values (now() - interval '40 days')")
    late = make_privacy_request(admin, office.tenant.id, office.customer)
    admin.execute("delete from app.clock")
    make_privacy_request(admin, office.tenant.id, office.customer, "access")
    listed = text(client.get("/privacy-requests"))
    assert listed.count("Overdue since") == 1
    assert listed.index("Delete my data") < listed.index("See my data")  # soonest due first
    assert "Overdue since" in text(client.get(f"/privacy-requests/{late}"))


def test_the_office_answers_a_request_once(
    client: Client, admin: Connection, office: Office
) -> None:
    request_id = make_privacy_request(admin, office.tenant.id, office.customer)
    empty = client.submit(
        f"/privacy-requests/{request_id}/answer", {"outcome": "done", "answer": ""}
    )
    assert empty.status_code == 422 and "Write the answer the homeowner gets." in text(empty)
    no_status = client.submit(f"/privacy-requests/{request_id}/answer", {"answer": "Done."})
    assert no_status.status_code == 422
    assert requests_of(admin, office.tenant.id)[0]["status"] == "open"

    done = client.submit(
        f"/privacy-requests/{request_id}/answer",
        {"outcome": "done", "answer": "We erased your record on 3 March."},
    )
    assert done.status_code == 302
    (saved,) = requests_of(admin, office.tenant.id)
    assert (saved["status"], saved["answer"], saved["answered_by"]) == (
        "done",
        "We erased your record on 3 March.",
        office.clerk.account_id,
    )
    assert saved["answered_at"] is not None
    again = client.submit(
        f"/privacy-requests/{request_id}/answer", {"outcome": "refused", "answer": "No."}
    )
    assert again.status_code == 409
    assert requests_of(admin, office.tenant.id)[0]["status"] == "done"
    assert "Olive Office" in text(client.get(f"/privacy-requests/{request_id}"))
    answered = text(client.get("/privacy-requests?show=answered"))
    assert re.search(r"Delete my data.*Done", answered, re.DOTALL)


def test_another_companys_request_is_a_404(
    client: Client, admin: Connection, make: Factory, office: Office
) -> None:
    other = make.tenant()
    theirs = make_privacy_request(admin, other.id, make.customer(other.id))
    assert client.get(f"/privacy-requests/{theirs}").status_code == 404
    answer = client.submit(f"/privacy-requests/{theirs}/answer", {"outcome": "done", "answer": "x"})
    assert answer.status_code == 404
    assert requests_of(admin, other.id)[0]["status"] == "open"
    assert "Delete my data" not in text(client.get("/privacy-requests"))


def test_erasing_the_customer_keeps_the_answered_request_without_their_words(
    admin: Connection, office: Office
) -> None:
    request_id = make_privacy_request(admin, office.tenant.id, office.customer)
    admin.execute("delete from public.customers where id = %s", [office.customer])
    row = admin.execute(
        "select customer_id, details from public.privacy_requests where id = %s", [request_id]
    ).fetchone()
    assert row == {"customer_id": None, "details": ""}


def test_the_dashboard_lists_the_requests_due_next(
    client: Client, admin: Connection, office: Office
) -> None:
    assert "No open privacy requests." in text(client.get("/"))  # the card's empty state
    admin.execute("insert into app.clock (at) values (now() - interval '40 days')")
    make_privacy_request(admin, office.tenant.id, office.customer)
    admin.execute("delete from app.clock")
    page = text(client.get("/"))
    assert "Privacy requests</a></h2>" in page and "1 open" in page
    assert "Overdue since" in page and "Ruth Alvarez" in page


def test_erasure_takes_the_homeowners_requests_and_photos_and_keeps_the_answer(
    admin: Connection, office: Office
) -> None:
    service_request = make_request(admin, office.tenant.id, office.customer)
    make_photo(admin, office.tenant.id, service_request)
    make_privacy_request(admin, office.tenant.id, office.customer)
    with admin.transaction():  # as the owner, who may erase a customer
        admin.execute(
            "select set_config('request.jwt.claims', %s, true)",
            [json.dumps(claims_of(office.tenant.owner))],
        )
        admin.execute("select app.erase_customer(%s)", [office.customer])
    left = admin.execute(
        "select (select count(*) from public.service_requests where tenant_id = %(t)s)"
        " as requests,"
        " (select count(*) from public.service_request_photos where tenant_id = %(t)s) as photos,"
        " (select count(*) from public.privacy_requests where tenant_id = %(t)s"
        "   and customer_id is null and details = '') as kept,"
        " (select count(*) from app.discarded_files where storage_key like %(key)s) as discarded",
        {"t": office.tenant.id, "key": f"{office.tenant.id}/requests/{service_request}/%"},
    ).fetchone()
    assert left == {"requests": 0, "photos": 0, "kept": 1, "discarded": 1}
