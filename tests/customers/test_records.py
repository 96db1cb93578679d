"""Adding, editing and deleting customers: validation next to the field, nothing half-saved,
consent recorded with when and how, and who may do what (P-02)."""

from __future__ import annotations

import html

import pytest

from tests.conftest import Client
from tests.customers.support import OFFICE_ROLES, count, customer_form, signed_in, stored, text
from tests.factories import Factory


def test_adding_a_customer_stores_the_phone_as_e164_and_shows_the_record(client: Client, make):
    tenant = signed_in(client, make)

    response = client.submit(
        "/customers/new", customer_form(tags="VIP, maintenance plan, vip", lead_source="Referral")
    )

    assert response.status_code == 302
    customer_id = response.headers["Location"].rsplit("/", 1)[1]
    row = stored(make.conn, customer_id)
    assert row["tenant_id"] == tenant.id
    assert row["phone"] == "+13125550123"
    assert row["tags"] == ["VIP", "maintenance plan"]
    assert row["marketing_consent"] is False and row["marketing_consent_at"] is None
    page = text(client.get(response.headers["Location"]))
    assert "Dana Reyes" in page
    assert "(312) 555-0123" in page
    assert "maintenance plan" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"phone": "555-01"}, "phone", "Enter a valid phone number"),
        ({"phone": "call me maybe"}, "phone", "Enter a valid phone number"),
        ({"first_name": "", "last_name": ""}, "first_name", "Enter the customer's first or last"),
        ({"email": "dana-at-example"}, "email", "Enter a valid email address"),
        ({"kind": "commercial", "company_name": ""}, "company_name", "Enter the company name"),
        ({"marketing_consent": "y"}, "marketing_consent_source", "Say how the customer gave"),
        ({"kind": "wholesale"}, "kind", "Not a valid choice"),
        ({"tags": ",".join(f"t{i}" for i in range(21))}, "tags", "at most 20 tags"),
    ],
)
def test_invalid_customers_are_refused_with_a_message_next_to_the_field(
    client: Client, make, admin, overrides, field, message
):
    tenant = signed_in(client, make)

    response = client.submit("/customers/new", customer_form(**overrides))

    assert response.status_code == 422
    page = text(response)
    assert f'id="{field}-error"' in page
    error = page.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message in html.unescape(error)
    assert count(admin, "customers", tenant.id) == 0


def test_a_commercial_customer_needs_only_a_company_name(client: Client, make, admin):
    tenant = signed_in(client, make)

    response = client.submit(
        "/customers/new",
        customer_form(
            kind="commercial", company_name="Lakeview Towers", first_name="", last_name=""
        ),
    )

    assert response.status_code == 302
    assert "Lakeview Towers" in text(client.get(response.headers["Location"]))
    assert count(admin, "customers", tenant.id) == 1


def test_marketing_consent_records_when_and_how_and_withdrawing_clears_it(
    client: Client, make, admin
):
    signed_in(client, make)
    response = client.submit(
        "/customers/new",
        customer_form(marketing_consent="y", marketing_consent_source="Signed form, 3 May"),
    )
    customer_id = response.headers["Location"].rsplit("/", 1)[1]
    given = stored(admin, customer_id)
    assert given["marketing_consent"] is True
    assert given["marketing_consent_source"] == "Signed form, 3 May"
    assert given["marketing_consent_at"] is not None

    # Saving again with consent still given keeps the original time.
    client.submit(
        f"/customers/{customer_id}/edit",
        customer_form(marketing_consent="y", marketing_consent_source="Signed form, 3 May"),
    )
    assert stored(admin, customer_id)["marketing_consent_at"] == given["marketing_consent_at"]

    withdrawn = client.submit(f"/customers/{customer_id}/edit", customer_form())

    assert withdrawn.status_code == 302
    row = stored(admin, customer_id)
    assert row["marketing_consent"] is False
    assert row["marketing_consent_at"] is None
    assert row["marketing_consent_source"] == ""


def test_editing_shows_the_stored_values_and_saves_changes(client: Client, make, admin):
    tenant = signed_in(client, make)
    customer_id = make.customer(tenant.id, "Ana", "Lopez", phone="+13125550123")

    form = text(client.get(f"/customers/{customer_id}/edit"))
    saved = client.submit(
        f"/customers/{customer_id}/edit",
        customer_form(first_name="Ana", last_name="Lopez-Diaz", do_not_contact="y"),
    )

    assert 'value="Ana"' in form and 'value="(312) 555-0123"' in form
    assert saved.status_code == 302
    row = stored(admin, customer_id)
    assert row["last_name"] == "Lopez-Diaz"
    assert row["do_not_contact"] is True


def test_a_refused_edit_changes_nothing(client: Client, make, admin):
    tenant = signed_in(client, make)
    customer_id = make.customer(tenant.id, "Ana", "Lopez", email="ana@example.com")
    before = stored(admin, customer_id)

    response = client.submit(
        f"/customers/{customer_id}/edit",
        customer_form(first_name="Changed", email="ana@example.com", phone="12"),
    )

    assert response.status_code == 422
    assert 'id="phone-error"' in text(response)
    assert stored(admin, customer_id) == before


@pytest.mark.promise("P-10")
def test_restricted_processing_is_shown_as_a_badge_on_the_customer_page(
    client: Client, make, admin
):
    tenant = signed_in(client, make)
    customer_id = make.customer(tenant.id, "Ana", "Lopez")
    assert "Processing restricted" not in text(client.get(f"/customers/{customer_id}"))

    client.submit(f"/customers/{customer_id}/edit", customer_form(restrict_processing="y"))

    assert stored(admin, customer_id)["restrict_processing"] is True
    page = text(client.get(f"/customers/{customer_id}"))
    assert 'class="badge badge-danger"' in page and "Processing restricted" in page
    assert "Processing restricted" in text(client.get("/customers"))


@pytest.mark.promise("P-02")
@pytest.mark.parametrize("role", ["owner", "admin"])
def test_owners_and_admins_delete_a_customer_after_confirming(
    client: Client, make: Factory, admin, role
):
    tenant = signed_in(client, make, role)
    customer_id = make.customer(tenant.id, "Ana", "Lopez")
    make.equipment(tenant.id, make.property(tenant.id, customer_id))
    make.note(tenant.id, customer_id)

    confirm = client.get(f"/customers/{customer_id}/delete")
    assert confirm.status_code == 200
    assert "Delete Ana Lopez" in text(confirm)
    assert count(admin, "customers", tenant.id) == 1

    response = client.submit(f"/customers/{customer_id}/delete")

    assert response.status_code == 302
    for table in ("customers", "properties", "equipment", "customer_notes"):
        assert count(admin, table, tenant.id) == 0, table


@pytest.mark.promise("P-02")
@pytest.mark.parametrize("role", ["dispatcher", "office"])
def test_other_office_roles_cannot_delete_customers(client: Client, make, admin, role):
    tenant = signed_in(client, make, role)
    customer_id = make.customer(tenant.id)

    assert client.get(f"/customers/{customer_id}/delete").status_code == 403
    assert client.submit(f"/customers/{customer_id}/delete").status_code == 403
    assert count(admin, "customers", tenant.id) == 1
    assert f"/customers/{customer_id}/delete" not in text(client.get(f"/customers/{customer_id}"))


@pytest.mark.promise("P-02")
@pytest.mark.parametrize("role", OFFICE_ROLES)
def test_office_roles_list_add_and_edit_customers(client: Client, make, admin, role):
    tenant = signed_in(client, make, role)
    customer_id = make.customer(tenant.id, "Ana", "Lopez")

    assert "Ana Lopez" in text(client.get("/customers"))
    assert ">Customers</a>" in text(client.get("/"))
    assert client.submit("/customers/new", customer_form()).status_code == 302
    assert client.submit(f"/customers/{customer_id}/edit", customer_form()).status_code == 302
    assert count(admin, "customers", tenant.id) == 2


@pytest.mark.promise("P-02")
def test_technicians_are_refused_every_customer_page(client: Client, make, admin):
    tenant = signed_in(client, make, "technician")
    customer_id = make.customer(tenant.id)
    contact_id = make.contact(tenant.id, customer_id)
    note_id = make.note(tenant.id, customer_id)

    for path in (
        "/customers",
        "/customers/new",
        f"/customers/{customer_id}",
        f"/customers/{customer_id}/edit",
        f"/customers/{customer_id}/delete",
        f"/customers/{customer_id}/contacts/new",
        f"/contacts/{contact_id}/edit",
    ):
        assert client.get(path).status_code == 403, path
    for path in (
        "/customers/new",
        f"/customers/{customer_id}/edit",
        f"/customers/{customer_id}/delete",
        f"/customers/{customer_id}/notes",
        f"/customers/{customer_id}/contacts/new",
        f"/contacts/{contact_id}/edit",
        f"/contacts/{contact_id}/remove",
        f"/notes/{note_id}/remove",
    ):
        response = client.submit(path, customer_form(body="x", full_name="x"))
        assert response.status_code == 403, path
    assert ">Customers</a>" not in text(client.get("/"))
    assert count(admin, "customers", tenant.id) == 1
    assert count(admin, "customer_notes", tenant.id) == 1
    assert count(admin, "customer_contacts", tenant.id) == 1
