"""The homeowner's service requests in the portal (P-02 for homeowners): they open one with
photos, see only their own (another customer's or company's id is a 404), reply (which puts it
back in the office's open queue), and can neither write as the office nor for another
customer. A photo that is not one, or too large, is refused with a clear message and nothing
is saved."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest

from app.db import Connection
from tests.conftest import Client, TestDatabase
from tests.factories import Factory, Tenant
from tests.policies.identity import acting_as, claims_of
from tests.portal.support import homeowner_claims, sign_in
from tests.requests.support import files_root, jpeg, make_photo, make_request

pytestmark = pytest.mark.promise("P-02")
TEN_MB = 10 * 1024 * 1024


def text(response: Any) -> str:
    return response.get_data(as_text=True)


@dataclass
class Home:
    tenant: Tenant
    customer: UUID
    property_id: UUID
    neighbour: UUID


@pytest.fixture
def home(client: Client, admin: Connection, make: Factory) -> Home:
    tenant = make.tenant("Cool Breeze HVAC")
    customer = make.customer(tenant.id, "Dana", "Reyes")
    property_id = make.property(tenant.id, customer, street="4 Oak Ave")
    neighbour = make.customer(tenant.id, "Lee", "Park")
    sign_in(client, admin, tenant.id, customer)
    return Home(tenant, customer, property_id, neighbour)


def requests_of(admin: Connection, tenant_id: UUID) -> list[dict[str, Any]]:
    return admin.execute(
        "select id, customer_id, property_id, subject, status from public.service_requests"
        " where tenant_id = %s order by created_at",
        [tenant_id],
    ).fetchall()


def kept_files(admin: Connection, tenant_id: UUID) -> list[str]:
    root = Path(files_root(admin)) / str(tenant_id)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def photo(data: bytes, name: str = "furnace.jpg") -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name


def test_a_homeowner_opens_a_request_with_a_photo(
    client: Client, admin: Connection, make: Factory, home: Home
) -> None:
    form = client.get("/portal/requests/new")
    assert form.status_code == 200 and "4 Oak Ave" in text(form)
    response = client.submit(
        "/portal/requests/new",
        {
            "subject": "Thermostat keeps resetting",
            "property_id": str(home.property_id),
            "body": "It goes back to 60 every night.",
            "photos": [photo(jpeg())],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, text(response)
    (saved,) = requests_of(admin, home.tenant.id)
    assert (saved["customer_id"], saved["property_id"], saved["status"]) == (
        home.customer,
        home.property_id,
        "open",
    )
    message = admin.execute(
        "select author_kind, author_id, body from public.service_request_messages"
        " where request_id = %s",
        [saved["id"]],
    ).fetchone()
    assert message == {
        "author_kind": "homeowner",
        "author_id": None,
        "body": "It goes back to 60 every night.",
    }
    (kept,) = admin.execute(
        "select id, storage_key from public.service_request_photos where request_id = %s",
        [saved["id"]],
    ).fetchall()
    assert kept["storage_key"].startswith(f"{home.tenant.id}/requests/{saved['id']}/")
    assert len(kept_files(admin, home.tenant.id)) == 2  # the photo and its thumbnail

    page = client.get(response.headers["Location"])
    assert "It goes back to 60 every night." in text(page)
    shown = client.get(f"/portal/requests/photos/{kept['id']}")
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    assert "Thermostat keeps resetting" in text(client.get("/portal/requests"))


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (photo(b"just some text, not a picture", "note.jpg"), "That file is not a photo."),
        (photo(b"\xff\xd8\xff" + b"\0" * TEN_MB, "huge.jpg"), "The photo is larger than 10 MB."),
        (photo(b"\xff\xd8\xff\xe0 broken", "broken.jpg"), "That photo could not be read."),
    ],
)
def test_a_photo_that_cannot_be_kept_is_refused_and_nothing_is_saved(
    client: Client, admin: Connection, home: Home, upload: Any, message: str
) -> None:
    response = client.submit(
        "/portal/requests/new",
        {"subject": "No heat", "property_id": "", "body": "Cold.", "photos": [upload]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and message in text(response)
    assert requests_of(admin, home.tenant.id) == []
    assert kept_files(admin, home.tenant.id) == []


def test_too_many_photos_at_once_are_refused(client: Client, admin: Connection, home: Home) -> None:
    response = client.submit(
        "/portal/requests/new",
        {
            "subject": "No heat",
            "property_id": "",
            "body": "Cold.",
            "photos": [photo(jpeg(), f"{n}.jpg") for n in range(4)],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "at most 3 photos" in text(response)
    assert requests_of(admin, home.tenant.id) == []


def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_saved(
    client: Client, admin: Connection, make: Factory, home: Home
) -> None:
    empty = client.submit("/portal/requests/new", {"subject": " ", "body": " ", "property_id": ""})
    assert empty.status_code == 422
    assert "Say in a few words what it is about." in text(empty)
    assert "Describe the problem first." in text(empty)
    theirs = make.property(home.tenant.id, home.neighbour, street="9 Elm St")
    elsewhere = client.submit(
        "/portal/requests/new",
        {"subject": "No heat", "body": "Cold.", "property_id": str(theirs)},
    )
    assert elsewhere.status_code == 422 and "9 Elm St" not in text(elsewhere)
    assert requests_of(admin, home.tenant.id) == []


def test_a_homeowner_sees_only_their_own_requests(
    client: Client, admin: Connection, make: Factory, home: Home
) -> None:
    mine = make_request(admin, home.tenant.id, home.customer, "My furnace")
    neighbours = make_request(admin, home.tenant.id, home.neighbour, "Their boiler")
    other = make.tenant()
    elsewhere = make_request(admin, other.id, make.customer(other.id), "Far away")
    listed = text(client.get("/portal/requests"))
    assert "My furnace" in listed and "Their boiler" not in listed and "Far away" not in listed
    assert client.get(f"/portal/requests/{mine}").status_code == 200
    for foreign in (neighbours, elsewhere):
        assert client.get(f"/portal/requests/{foreign}").status_code == 404
        reply = client.submit(f"/portal/requests/{foreign}/reply", {"body": "Hello?"})
        assert reply.status_code == 404
    their_photo = make_photo(admin, home.tenant.id, neighbours)
    assert client.get(f"/portal/requests/photos/{their_photo}").status_code == 404
    replies = admin.execute(
        "select count(*) as n from public.service_request_messages where request_id = any(%s)",
        [[neighbours, elsewhere]],
    ).fetchone()
    assert replies == {"n": 2}  # each one's first message only


def test_a_homeowners_reply_reopens_the_request_for_the_office(
    client: Client, admin: Connection, make: Factory, home: Home
) -> None:
    request_id = make_request(admin, home.tenant.id, home.customer, status="waiting_on_customer")
    admin.execute(
        "insert into public.service_request_messages (tenant_id, request_id, customer_id,"
        " author_kind, author_id, body) values (%s, %s, %s, 'staff', %s, %s)",
        [
            home.tenant.id,
            request_id,
            home.customer,
            home.tenant.owner.account_id,
            "Try new batteries.",
        ],
    )
    page = text(client.get(f"/portal/requests/{request_id}"))
    assert "Try new batteries." in page and "Cool Breeze HVAC" in page
    empty = client.submit(f"/portal/requests/{request_id}/reply", {"body": ""})
    assert empty.status_code == 422 and "Write your reply first." in text(empty)
    sent = client.submit(f"/portal/requests/{request_id}/reply", {"body": "Still resetting."})
    assert sent.status_code == 302
    row = admin.execute(
        "select status from public.service_requests where id = %s", [request_id]
    ).fetchone()
    assert row == {"status": "open"}


def test_a_homeowner_cannot_write_as_the_office_or_for_another_customer(
    database: TestDatabase, admin: Connection, make: Factory, home: Home
) -> None:
    mine = make_request(admin, home.tenant.id, home.customer)
    neighbours = make_request(admin, home.tenant.id, home.neighbour)
    claims = homeowner_claims(admin, home.tenant.id, home.customer)
    with acting_as(database, claims) as conn:
        for author, request_id, customer in (
            ("staff", mine, home.customer),
            ("homeowner", mine, home.customer),
            ("homeowner", neighbours, home.neighbour),
        ):
            with (
                conn.transaction(force_rollback=True),
                pytest.raises(psycopg.errors.InsufficientPrivilege),
            ):
                conn.execute(
                    "insert into public.service_request_messages (tenant_id, request_id,"
                    " customer_id, author_kind, body) values (%s, %s, %s, %s, 'Forged')",
                    [home.tenant.id, request_id, customer, author],
                )
        with conn.transaction(force_rollback=True):
            changed = conn.execute(
                "update public.service_requests set status = 'closed', closed_at = now()"
            ).rowcount
            assert changed == 0
        # The definers take the customer from the session: another's request is nothing.
        reply = conn.execute(
            "select app.portal_reply_to_service_request(%s, 'Forged') as id", [neighbours]
        ).fetchone()
        assert reply == {"id": None}
        with (
            conn.transaction(force_rollback=True),
            pytest.raises(psycopg.errors.ForeignKeyViolation),
        ):
            theirs = make.property(home.tenant.id, home.neighbour)
            conn.execute("select app.portal_open_service_request(%s, 'Forged', 'Forged')", [theirs])
        with (
            conn.transaction(force_rollback=True),
            pytest.raises(psycopg.errors.CheckViolation),
        ):
            conn.execute(
                "select app.portal_add_service_request_photo(%s, null, %s, 'image/jpeg', 10)",
                [mine, f"{home.tenant.id}/requests/{neighbours}/x.jpg"],
            )
    assert admin.execute(
        "select count(*) as n from public.service_request_messages where body = 'Forged'"
    ).fetchone() == {"n": 0}


def test_staff_cannot_use_the_homeowners_definers(
    database: TestDatabase, admin: Connection, make: Factory, home: Home
) -> None:
    with acting_as(database, claims_of(home.tenant.owner)) as conn:
        for statement in (
            "select app.portal_open_service_request(null, 'Forged', 'Forged')",
            "select app.portal_file_privacy_request('deletion', '')",
        ):
            with (
                conn.transaction(force_rollback=True),
                pytest.raises(psycopg.errors.InsufficientPrivilege),
            ):
                conn.execute(statement)
    assert requests_of(admin, home.tenant.id) == []


def test_the_menu_offers_requests_and_my_data_the_data_requests(client: Client, home: Home) -> None:
    assert 'href="/portal/requests"' in text(client.get("/portal/"))
    assert 'href="/portal/data/requests"' in text(client.get("/portal/data"))
