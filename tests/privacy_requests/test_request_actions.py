"""P-10: each kind of request is carried out from its page. Access: the customer's data as a zip
of JSON and CSV. Correction: the customer's edit page, whose changes the audit log ties to the
request. Deletion: the erasure (owners and admins, confirmed), refused with its reason under a
legal hold. Restriction: restricting and lifting it. Another company's request is a 404."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any
from uuid import UUID

import pytest
from flask import Flask

from app.db import Connection
from tests.factories import Factory
from tests.privacy_requests.support import signed_in
from tests.requests.support import make_privacy_request

pytestmark = pytest.mark.promise("P-10")


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def test_an_access_request_downloads_the_customers_data_and_records_the_read(
    app: Flask, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    customer = make.customer(tenant.id, "Ada", "Access", email="ada@access.example")
    make.note(tenant.id, customer, "Ada likes mornings.")
    make.customer(tenant.id, "Otto", "Other")
    request = make_privacy_request(admin, tenant.id, customer, "access")
    office = signed_in(app, make.member(tenant.id, "office").email)

    page = text(office.get(f"/privacy-requests/{request}"))
    response = office.get(f"/privacy-requests/{request}/data.zip")

    assert "Download their data" in page
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("data.json"))
    assert data["tables"]["public.customers"][0]["email"] == "ada@access.example"
    assert data["tables"]["public.customer_notes"][0]["body"] == "Ada likes mornings."
    assert "Ada likes mornings." in archive.read("public.customer_notes.csv").decode()
    assert "Otto" not in json.dumps(data)
    recorded = admin.execute(
        "select new_values from audit.changes where operation = 'access'"
        " and table_name = 'public.customers' and row_key = %s",
        [str(customer)],
    ).fetchall()
    assert [r["new_values"]["view"] for r in recorded] == ["access request copy"]


def test_a_correction_is_tied_to_its_request_in_the_audit_log(
    app: Flask, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    customer = make.customer(tenant.id, "Cora", "Correct", email="old@correct.example")
    request = admin.execute(
        "insert into public.privacy_requests (tenant_id, customer_id, kind, details, source)"
        " values (%s, %s, 'correction', 'My email is new@correct.example', 'email')"
        " returning id",
        [tenant.id, customer],
    ).fetchone()["id"]  # type: ignore[index]
    office = signed_in(app, make.member(tenant.id, "office").email)
    edit = f"/customers/{customer}/edit?privacy_request={request}"
    form = {
        "kind": "residential",
        "first_name": "Cora",
        "last_name": "Correct",
        "email": "new@correct.example",
        "preferred_contact": "email",
        "transactional_messages": "y",
    }

    assert "Correcting this record" in text(office.get(edit))
    response = office.submit(edit, form)

    assert response.status_code == 302, text(response)
    assert response.headers["Location"].endswith(f"/privacy-requests/{request}")
    change = admin.execute(
        "select request_id from audit.changes where table_name = 'public.customers'"
        " and operation = 'update' and row_key = %s",
        [str(customer)],
    ).fetchone()
    assert change is not None and f"privacy-request:{request}" in change["request_id"]
    plain = office.submit(f"/customers/{customer}/edit", form | {"first_name": "Corrie"})
    assert plain.status_code == 302
    other = make.tenant()
    stranger = make.customer(other.id)
    foreign = office.submit(f"/customers/{customer}/edit?privacy_request={UUID(int=1)}", form)
    assert foreign.status_code == 404 and stranger


def test_an_erasure_request_erases_the_customer_once_confirmed(
    app: Flask, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    customer = make.customer(tenant.id, "Del", "Deleted", email="del@deleted.example")
    request = make_privacy_request(admin, tenant.id, customer, "deletion")
    clerk = signed_in(app, make.member(tenant.id, "office").email)
    owner = signed_in(app, tenant.owner.email)

    assert clerk.submit(f"/privacy-requests/{request}/erase").status_code == 403
    confirm = owner.get(f"/privacy-requests/{request}/erase")
    assert confirm.status_code == 200 and "Invoices and payments stay" in text(confirm)
    admin.execute(
        "update public.customers set legal_hold = 'Court order 7' where id = %s", [customer]
    )
    held = owner.submit(f"/privacy-requests/{request}/erase")
    assert held.status_code == 409 and "Court order 7" in text(held)
    admin.execute("update public.customers set legal_hold = '' where id = %s", [customer])
    done = owner.submit(f"/privacy-requests/{request}/erase")

    assert done.status_code == 302
    assert (
        admin.execute("select 1 from public.customers where id = %s", [customer]).fetchone() is None
    )
    page = text(owner.get(f"/privacy-requests/{request}"))
    assert "Erased customer" in page and "Please remove me." not in page


def test_a_restriction_request_restricts_and_lifts_processing(
    app: Flask, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    customer = make.customer(tenant.id, "Res", "Tricted")
    request = make_privacy_request(admin, tenant.id, customer, "restriction")
    office = signed_in(app, make.member(tenant.id, "office").email)

    def restricted() -> bool:
        row = admin.execute(
            "select restrict_processing from public.customers where id = %s", [customer]
        ).fetchone()
        return bool(row and row["restrict_processing"])

    office.submit(f"/privacy-requests/{request}/restriction", {"restricted": "yes"})
    assert restricted()
    assert "Stop restricting processing" in text(office.get(f"/privacy-requests/{request}"))
    office.submit(f"/privacy-requests/{request}/restriction", {"restricted": "no"})
    assert not restricted()


def test_another_companys_request_is_a_404_and_only_a_deletion_erases(
    app: Flask, admin: Connection, make: Factory
) -> None:
    tenant, other = make.tenant(), make.tenant()
    theirs = make_privacy_request(admin, other.id, make.customer(other.id), "access")
    ours = make_privacy_request(admin, tenant.id, make.customer(tenant.id), "correction")
    owner = signed_in(app, tenant.owner.email)

    assert owner.get(f"/privacy-requests/{theirs}/data.zip").status_code == 404
    assert owner.submit(f"/privacy-requests/{theirs}/restriction").status_code == 404
    assert owner.submit(f"/privacy-requests/{ours}/erase").status_code == 404  # not a deletion
