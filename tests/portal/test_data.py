"""My data (P-10): the download holds the homeowner's own rows only, as valid JSON and CSV, and
is itself recorded in the access log; "who looked at my record" shows the office member who
opened the customer's page, by first name and role, and nothing of another customer's views."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from uuid import UUID

import pytest
from flask import Flask

from app.db import Connection
from tests.conftest import Client, TestDatabase
from tests.factories import Factory
from tests.policies.identity import acting_as
from tests.portal.support import homeowner_claims, sign_in


def with_history(make: Factory, tenant_id: UUID, customer: UUID, street: str) -> None:
    """A property with a furnace, a job with a visit, a sent invoice and a sent message."""
    place = make.property(tenant_id, customer, street=street)
    furnace = make.equipment(tenant_id, place)
    make.visit(tenant_id, make.job(tenant_id, place, summary=f"Job at {street}"))
    make.conn.execute(
        "insert into public.customer_contacts (tenant_id, customer_id, full_name)"
        " values (%s, %s, %s)",
        [tenant_id, customer, f"Contact at {street}"],
    )
    make.conn.execute(
        "update public.equipment set serial = %s where id = %s", [f"SN-{street}", furnace]
    )
    make.invoice(tenant_id, place, lines=("150.00",), status="sent")


@pytest.mark.promise("P-10")
def test_the_json_download_holds_my_rows_only(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    me = make.customer(tenant.id, "Dana", email="dana@homes.example")
    neighbour = make.customer(tenant.id, "Lee", email="lee@homes.example")
    with_history(make, tenant.id, me, "12 Elm Street")
    with_history(make, tenant.id, neighbour, "14 Elm Street")
    sign_in(client, admin, tenant.id, me)

    response = client.get("/portal/data/my-data.json")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="my-data.json"'
    data = json.loads(response.get_data(as_text=True))
    assert [c["email"] for c in data["customer"]] == ["dana@homes.example"]
    assert [p["street"] for p in data["properties"]] == ["12 Elm Street"]
    assert [e["serial"] for e in data["equipment"]] == ["SN-12 Elm Street"]
    assert [j["summary"] for j in data["jobs"]] == ["Job at 12 Elm Street"]
    assert [c["full_name"] for c in data["contacts"]] == ["Contact at 12 Elm Street"]
    assert len(data["visits"]) == 1 and len(data["invoices"]) == 1
    assert {i["customer_id"] for i in data["invoices"]} == {str(me)}
    assert "search_text" not in data["customer"][0]
    assert "14 Elm Street" not in response.get_data(as_text=True)
    assert "lee@homes.example" not in response.get_data(as_text=True)


@pytest.mark.promise("P-10")
def test_the_csv_download_is_a_zip_of_one_valid_csv_per_section_of_my_rows(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    me, neighbour = make.customer(tenant.id, "Dana"), make.customer(tenant.id, "Lee")
    with_history(make, tenant.id, me, "12 Elm Street")
    with_history(make, tenant.id, neighbour, "14 Elm Street")
    sign_in(client, admin, tenant.id, me)

    response = client.get("/portal/data/my-data.zip")

    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert {"customer.csv", "properties.csv", "invoices.csv", "messages.csv"} <= set(
        archive.namelist()
    )
    properties = list(csv.DictReader(io.StringIO(archive.read("properties.csv").decode())))
    assert [p["street"] for p in properties] == ["12 Elm Street"]
    everything = "".join(archive.read(name).decode() for name in archive.namelist())
    assert "14 Elm Street" not in everything and "Lee" not in everything


@pytest.mark.promise("P-07")
def test_each_download_is_recorded_in_the_access_log(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    me = make.customer(tenant.id)
    session_id = sign_in(client, admin, tenant.id, me)

    client.get("/portal/data/my-data.json")
    client.get("/portal/data/my-data.zip")

    entries = admin.execute(
        "select actor_id, new_values from audit.changes where tenant_id = %s"
        " and operation = 'access' and table_name = 'public.customers' and row_key = %s"
        " order by id",
        [tenant.id, str(me)],
    ).fetchall()
    assert [e["new_values"]["format"] for e in entries] == ["json", "csv"]
    assert {e["actor_id"] for e in entries} == {session_id}
    assert entries[0]["new_values"]["view"] == "portal data download"


@pytest.mark.promise("P-07")
def test_who_looked_at_my_record_shows_the_office_members_first_name_and_role(
    app: Flask, client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    member = make.member(tenant.id, "dispatcher")
    admin.execute(
        "update public.memberships set full_name = 'Morgan Quill' where id = %s",
        [member.membership_id],
    )
    me, neighbour = make.customer(tenant.id, "Dana"), make.customer(tenant.id, "Lee")
    office: Client = app.test_client()  # type: ignore[assignment]
    office.sign_in(member.email)
    assert office.get(f"/customers/{neighbour}").status_code == 200
    sign_in(client, admin, tenant.id, me)

    before = client.get("/portal/data").get_data(as_text=True)
    assert office.get(f"/customers/{me}").status_code == 200
    after = client.get("/portal/data").get_data(as_text=True)

    assert "Morgan" not in before
    assert "Morgan (Dispatcher)" in after and "Quill" not in after
    assert after.count("Morgan") == 1  # the neighbour's page is not mine
    assert "your record" in after


def test_another_companys_homeowner_sees_no_views_of_my_record(
    app: Flask, client: Client, admin: Connection, make: Factory
) -> None:
    mine, theirs = make.tenant(), make.tenant()
    me = make.customer(mine.id)
    office: Client = app.test_client()  # type: ignore[assignment]
    office.sign_in(mine.owner.email)
    office.get(f"/customers/{me}")
    sign_in(client, admin, theirs.id, make.customer(theirs.id))

    page = client.get("/portal/data").get_data(as_text=True)

    assert "has opened your record" in page


def test_who_looked_is_paged_newest_first(
    app: Flask, database: TestDatabase, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    me = make.customer(tenant.id)
    office: Client = app.test_client()  # type: ignore[assignment]
    office.sign_in(tenant.owner.email)
    for _ in range(3):
        assert office.get(f"/customers/{me}").status_code == 200
    claims = homeowner_claims(admin, tenant.id, me)

    with acting_as(database, claims) as conn:
        first = conn.execute("select * from app.portal_record_views(null, 2)").fetchall()
        rest = conn.execute(
            "select * from app.portal_record_views(%s, 2)", [first[-1]["viewed_at"]]
        ).fetchall()

    assert len(first) == 2 and len(rest) == 1
    assert first[0]["viewed_at"] > first[1]["viewed_at"] > rest[0]["viewed_at"]
    assert {r["role"] for r in first + rest} == {"owner"}
