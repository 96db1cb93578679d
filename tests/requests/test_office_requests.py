"""The office's Requests queue (P-02): tabs and pages, newest activity first; a request's page
with its thread; reply, assign, close and reopen, turn into a job; another company's request is
a 404 and bad input saves nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from app.db import Connection
from tests.conftest import Client
from tests.factories import Factory, Member, Tenant
from tests.requests.support import make_photo, make_request

pytestmark = pytest.mark.promise("P-02")


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def subjects(response: Any) -> list[str]:
    return re.findall(r'/requests/[0-9a-f-]{36}"><strong>([^<]+)</strong>', text(response))


@dataclass
class Office:
    tenant: Tenant
    dispatcher: Member
    customer: UUID
    property_id: UUID


@pytest.fixture
def office(client: Client, make: Factory) -> Office:
    tenant = make.tenant()
    dispatcher = make.member(tenant.id, "dispatcher", make.account(full_name="Dana Dispatch"))
    customer = make.customer(tenant.id, "Ruth", "Alvarez")
    property_id = make.property(tenant.id, customer, street="12 Elm St")
    client.sign_in(dispatcher.email)
    return Office(tenant, dispatcher, customer, property_id)


def test_the_tabs_sort_requests_by_where_they_stand(
    client: Client, admin: Connection, office: Office
) -> None:
    t, c = office.tenant.id, office.customer
    now = datetime.now(UTC)
    make_request(admin, t, c, "Older unassigned", at=now - timedelta(hours=2))
    make_request(admin, t, c, "Newer unassigned", at=now - timedelta(hours=1))
    make_request(admin, t, c, "Assigned", assigned_to=office.dispatcher.account_id)
    make_request(admin, t, c, "Waiting", status="waiting_on_customer")
    make_request(admin, t, c, "Done", status="closed")

    assert subjects(client.get("/requests")) == ["Waiting", "Newer unassigned", "Older unassigned"]
    assert subjects(client.get("/requests?tab=open")) == [
        "Assigned",
        "Newer unassigned",
        "Older unassigned",
    ]
    assert subjects(client.get("/requests?tab=waiting_on_customer")) == ["Waiting"]
    assert subjects(client.get("/requests?tab=closed")) == ["Done"]
    assert client.get("/requests?tab=everything").status_code == 404


def test_the_queue_is_paged(client: Client, admin: Connection, office: Office) -> None:
    start = datetime(2026, 12, 1, tzinfo=UTC)
    for n in range(51):
        make_request(
            admin,
            office.tenant.id,
            office.customer,
            f"Request {n:02}",
            at=start + timedelta(minutes=n),
        )
    first = subjects(client.get("/requests?tab=open"))
    assert len(first) == 50 and first[0] == "Request 50" and first[-1] == "Request 01"
    assert 'rel="next"' in text(client.get("/requests?tab=open"))
    assert subjects(client.get("/requests?tab=open&page=2")) == ["Request 00"]
    assert subjects(client.get("/requests?tab=open&page=x")) == first


def test_a_reply_joins_the_thread_and_waits_on_the_customer(
    client: Client, admin: Connection, office: Office
) -> None:
    request_id = make_request(admin, office.tenant.id, office.customer)
    page = client.get(f"/requests/{request_id}")
    assert page.status_code == 200 and "It goes back to 60 every night." in text(page)

    response = client.submit(
        f"/requests/{request_id}/reply",
        {"body": "Try new batteries first."},  # waiting on the customer unless chosen otherwise
    )
    assert response.status_code == 302
    row = admin.execute(
        "select r.status, m.author_kind, m.author_id from public.service_requests r"
        " join public.service_request_messages m on m.request_id = r.id and m.body = %s"
        " where r.id = %s",
        ["Try new batteries first.", request_id],
    ).fetchone()
    assert row == {
        "status": "waiting_on_customer",
        "author_kind": "staff",
        "author_id": office.dispatcher.account_id,
    }
    assert "Dana Dispatch" in text(client.get(f"/requests/{request_id}"))

    client.submit(f"/requests/{request_id}/reply", {"body": "Booking you.", "becomes": "open"})
    assert status_of(admin, request_id) == "open"


def status_of(admin: Connection, request_id: UUID) -> str:
    row = admin.execute(
        "select status from public.service_requests where id = %s", [request_id]
    ).fetchone()
    assert row is not None
    return str(row["status"])


def messages_of(admin: Connection, request_id: UUID) -> int:
    row = admin.execute(
        "select count(*) as n from public.service_request_messages where request_id = %s",
        [request_id],
    ).fetchone()
    assert row is not None
    return int(row["n"])


def test_an_empty_or_long_reply_is_refused_and_nothing_is_saved(
    client: Client, admin: Connection, office: Office
) -> None:
    request_id = make_request(admin, office.tenant.id, office.customer)
    empty = client.submit(f"/requests/{request_id}/reply", {"body": "  ", "becomes": "open"})
    assert empty.status_code == 422 and "Write the reply first." in text(empty)
    long = client.submit(f"/requests/{request_id}/reply", {"body": "x" * 5001, "becomes": "open"})
    assert long.status_code == 422 and "under 5,000 characters" in text(long)
    odd = client.submit(f"/requests/{request_id}/reply", {"body": "Hi", "becomes": "lost"})
    assert odd.status_code == 422
    assert messages_of(admin, request_id) == 1
    assert status_of(admin, request_id) == "open"


def test_a_request_is_assigned_closed_and_reopened(
    client: Client, admin: Connection, make: Factory, office: Office
) -> None:
    request_id = make_request(admin, office.tenant.id, office.customer)
    who = office.dispatcher.account_id
    assert (
        client.submit(f"/requests/{request_id}/assign", {"assigned_to": str(who)}).status_code
        == 302
    )
    assert subjects(client.get("/requests")) == []
    stranger = make.member(make.tenant().id, "office")
    refused = client.submit(
        f"/requests/{request_id}/assign", {"assigned_to": str(stranger.account_id)}
    )
    assert refused.status_code == 422
    assigned = admin.execute(
        "select assigned_to from public.service_requests where id = %s", [request_id]
    ).fetchone()
    assert assigned == {"assigned_to": who}

    client.submit(f"/requests/{request_id}/close")
    assert status_of(admin, request_id) == "closed"
    assert subjects(client.get("/requests?tab=closed")) == ["Thermostat keeps resetting"]
    client.submit(f"/requests/{request_id}/reopen")
    assert status_of(admin, request_id) == "open"
    row = admin.execute(
        "select closed_at from public.service_requests where id = %s", [request_id]
    ).fetchone()
    assert row == {"closed_at": None}


def test_a_request_turns_into_a_job_at_the_customers_property(
    client: Client, admin: Connection, office: Office
) -> None:
    request_id = make_request(admin, office.tenant.id, office.customer)
    response = client.submit(f"/requests/{request_id}/job", {"job_kind": "repair"})
    assert response.status_code == 302
    job = admin.execute(
        "select j.id, j.property_id, j.summary, j.description, j.kind"
        " from public.jobs j join public.service_requests r on r.job_id = j.id"
        " where r.id = %s",
        [request_id],
    ).fetchone()
    assert job is not None
    assert response.headers["Location"].endswith(f"/jobs/{job['id']}")
    assert (job["property_id"], job["summary"], job["description"], job["kind"]) == (
        office.property_id,
        "Thermostat keeps resetting",
        "It goes back to 60 every night.",
        "repair",
    )
    again = client.submit(f"/requests/{request_id}/job", {"job_kind": "repair"})
    assert again.status_code == 404 or "already a job" in text(again)
    count = admin.execute(
        "select count(*) as n from public.jobs where tenant_id = %s", [office.tenant.id]
    ).fetchone()
    assert count == {"n": 1}


def test_a_customer_without_a_property_is_told_what_to_do(
    client: Client, admin: Connection, make: Factory, office: Office
) -> None:
    homeless = make.customer(office.tenant.id, "Nora", "Nowhere")
    request_id = make_request(admin, office.tenant.id, homeless)
    response = client.submit(f"/requests/{request_id}/job", {"job_kind": "repair"})
    assert response.status_code == 422 and "no property yet" in text(response)
    assert admin.execute(
        "select job_id from public.service_requests where id = %s", [request_id]
    ).fetchone() == {"job_id": None}


def test_another_companys_request_is_a_404(
    client: Client, admin: Connection, make: Factory, office: Office
) -> None:
    other = make.tenant()
    theirs = make_request(admin, other.id, make.customer(other.id))
    assert client.get(f"/requests/{theirs}").status_code == 404
    for action, data in (
        ("reply", {"body": "Hello", "becomes": "open"}),
        ("assign", {"assigned_to": ""}),
        ("close", {}),
        ("reopen", {}),
        ("job", {"job_kind": "repair"}),
    ):
        assert client.submit(f"/requests/{theirs}/{action}", data).status_code == 404
    assert messages_of(admin, theirs) == 1
    assert status_of(admin, theirs) == "open"
    assert subjects(client.get("/requests")) == []


def test_technicians_have_no_queue(client: Client, admin: Connection, make: Factory) -> None:
    tenant = make.tenant()
    request_id = make_request(admin, tenant.id, make.customer(tenant.id))
    client.sign_in(make.member(tenant.id, "technician").email)
    assert client.get("/requests").status_code == 403
    assert client.get(f"/requests/{request_id}").status_code == 403


def test_the_office_sees_a_requests_photos_and_no_other_companys(
    client: Client, admin: Connection, make: Factory, office: Office
) -> None:
    request_id = make_request(admin, office.tenant.id, office.customer)
    photo = make_photo(admin, office.tenant.id, request_id)
    page = text(client.get(f"/requests/{request_id}"))
    assert f"/requests/photos/{photo}?size=thumb" in page
    shown = client.get(f"/requests/photos/{photo}")
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    assert shown.headers["Cache-Control"] == "private, no-store"
    other = make.tenant()
    theirs = make_photo(admin, other.id, make_request(admin, other.id, make.customer(other.id)))
    assert client.get(f"/requests/photos/{theirs}").status_code == 404


def test_the_homeowner_is_told_of_a_reply_with_a_link_to_the_portal(
    client: Client, admin: Connection, make: Factory, office: Office
) -> None:
    reachable = make.customer(office.tenant.id, "Pat", "Lee", email="pat@example.com")
    request_id = make_request(admin, office.tenant.id, reachable)
    client.submit(f"/requests/{request_id}/reply", {"body": "We can come Tuesday."})
    sent = admin.execute(
        "select channel, kind, to_address, body, customer_id, status from public.messages"
        " where tenant_id = %s",
        [office.tenant.id],
    ).fetchall()
    assert len(sent) == 1
    assert (sent[0]["channel"], sent[0]["kind"], sent[0]["to_address"]) == (
        "email",
        "request_reply",
        "pat@example.com",
    )
    assert f"http://plenum.test/portal/requests/{request_id}" in sent[0]["body"]
    assert "We can come Tuesday." not in sent[0]["body"]  # the reply itself stays in the portal

    unreachable = make_request(admin, office.tenant.id, office.customer)
    response = client.submit(
        f"/requests/{unreachable}/reply", {"body": "Hello"}, follow_redirects=True
    )
    assert "Not sent to the customer" in text(response)
