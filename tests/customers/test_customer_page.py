"""The customer page: contacts, properties with their equipment, the timeline of notes, the
preference flags; reading it is recorded (P-07); another company's ids are 404 (P-01)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from app.formatting import format_datetime
from tests.conftest import Client
from tests.customers.support import count, signed_in, text


def test_the_page_shows_contacts_properties_and_notes(client: Client, make):
    tenant = signed_in(client, make)
    customer_id = make.customer(tenant.id, "", "", kind="commercial", company_name="Acme Plaza")
    make.contact(tenant.id, customer_id, "Morgan Manager")
    home = make.property(tenant.id, customer_id, street="4821 N Damen Ave", city="Chicago")
    make.equipment(tenant.id, home)
    make.equipment(tenant.id, home, "air_conditioner")
    make.property(tenant.id, customer_id, street="9 Empty Lot", city="Evanston")
    make.note(tenant.id, customer_id, "Gate code is with the manager.")

    page = text(client.get(f"/customers/{customer_id}"))

    assert "Acme Plaza" in page
    assert "Morgan Manager" in page
    assert "4821 N Damen Ave, Chicago, IL 62701" in page
    assert "2 pieces of equipment" in page and "0 pieces of equipment" in page
    assert "Gate code is with the manager." in page
    assert "texts and emails to and from the customer are listed too" in page.lower()


@pytest.mark.promise("P-07")
def test_viewing_a_customer_is_recorded_in_the_audit_log(client: Client, make, admin):
    tenant = signed_in(client, make, "dispatcher")
    member = admin.execute(
        "select account_id from public.memberships where tenant_id = %s and role = 'dispatcher'",
        [tenant.id],
    ).fetchone()
    customer_id = make.customer(tenant.id, "Ana", "Lopez")

    client.get(f"/customers/{customer_id}")

    viewed = admin.execute(
        "select tenant_id, actor_id, new_values from audit.changes where operation = 'access'"
        " and table_name = 'public.customers' and row_key = %s",
        [str(customer_id)],
    ).fetchall()
    assert [(v["tenant_id"], v["actor_id"], v["new_values"]["view"]) for v in viewed] == [
        (tenant.id, member["account_id"], "customer page")
    ]


@pytest.mark.promise("P-07")
def test_a_refused_view_records_no_access(client: Client, make, admin):
    signed_in(client, make)
    other = make.tenant()
    theirs = make.customer(other.id, "Ana", "Lopez")

    assert client.get(f"/customers/{theirs}").status_code == 404

    assert (
        admin.execute(
            "select count(*) as n from audit.changes where operation = 'access'"
        ).fetchone()["n"]
        == 0
    )


def test_a_note_shows_its_author_and_the_time_in_the_companys_zone(client: Client, make, admin):
    tenant = signed_in(client, make, "owner")
    admin.execute(
        "update public.tenants set time_zone = 'Pacific/Honolulu' where id = %s", [tenant.id]
    )
    customer_id = make.customer(tenant.id, "Ana", "Lopez")

    response = client.submit(f"/customers/{customer_id}/notes", {"body": "Dog in the yard."})

    assert response.status_code == 302
    note = admin.execute(
        "select author_id, created_at at time zone 'Pacific/Honolulu' as local"
        " from public.customer_notes where customer_id = %s",
        [customer_id],
    ).fetchone()
    assert note["author_id"] == tenant.owner.account_id
    page = text(client.get(f"/customers/{customer_id}"))
    timeline = page.split('id="timeline"', 1)[1]
    assert "Dog in the yard." in timeline
    assert tenant.owner.full_name in timeline
    honolulu = ZoneInfo("Pacific/Honolulu")
    assert format_datetime(note["local"].replace(tzinfo=honolulu), honolulu) in timeline


def test_notes_are_newest_first(client: Client, make):
    tenant = signed_in(client, make)
    customer_id = make.customer(tenant.id)
    for body in ("First note", "Second note"):
        client.submit(f"/customers/{customer_id}/notes", {"body": body})

    page = text(client.get(f"/customers/{customer_id}"))

    assert page.index("Second note") < page.index("First note")


def test_an_empty_note_is_refused_and_nothing_is_saved(client: Client, make, admin):
    tenant = signed_in(client, make)
    customer_id = make.customer(tenant.id, "Ana", "Lopez")

    response = client.submit(f"/customers/{customer_id}/notes", {"body": "   "})

    assert response.status_code == 422
    assert "Write the note first." in text(response)
    assert "Ana Lopez" in text(response)
    assert count(admin, "customer_notes", tenant.id) == 0


def test_a_note_can_be_removed(client: Client, make, admin):
    tenant = signed_in(client, make)
    customer_id = make.customer(tenant.id)
    note_id = make.note(tenant.id, customer_id)

    response = client.submit(f"/notes/{note_id}/remove")

    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/customers/{customer_id}")
    assert count(admin, "customer_notes", tenant.id) == 0


def test_contacts_are_added_edited_and_removed(client: Client, make, admin):
    tenant = signed_in(client, make)
    customer_id = make.customer(tenant.id, "", "", kind="commercial", company_name="Acme Plaza")

    added = client.submit(
        f"/customers/{customer_id}/contacts/new",
        {"full_name": "Morgan Lee", "title": "Property manager", "phone": "312.555.0188"},
    )
    assert added.status_code == 302
    contact = admin.execute(
        "select id, title, phone from public.customer_contacts where customer_id = %s",
        [customer_id],
    ).fetchone()
    assert (contact["title"], contact["phone"]) == ("Property manager", "+13125550188")
    assert "(312) 555-0188" in text(client.get(f"/customers/{customer_id}"))

    form = text(client.get(f"/contacts/{contact['id']}/edit"))
    assert 'value="Morgan Lee"' in form
    edited = client.submit(
        f"/contacts/{contact['id']}/edit",
        {"full_name": "Morgan Lee", "title": "Site contact", "email": "Morgan@Example.com"},
    )
    assert edited.status_code == 302
    row = admin.execute(
        "select title, email, phone from public.customer_contacts where id = %s", [contact["id"]]
    ).fetchone()
    assert (row["title"], row["email"], row["phone"]) == ("Site contact", "morgan@example.com", "")

    removed = client.submit(f"/contacts/{contact['id']}/remove")
    assert removed.status_code == 302
    assert count(admin, "customer_contacts", tenant.id) == 0


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"full_name": "", "phone": "3125550188"}, "full_name", "Enter the contact"),
        ({"full_name": "Morgan", "phone": "123"}, "phone", "Enter a valid phone number"),
        ({"full_name": "Morgan", "email": "morgan@"}, "email", "Enter a valid email address"),
    ],
)
def test_invalid_contacts_are_refused(client: Client, make, admin, data, field, message):
    tenant = signed_in(client, make)
    customer_id = make.customer(tenant.id)
    contact_id = make.contact(tenant.id, customer_id, "Sam Site")

    added = client.submit(f"/customers/{customer_id}/contacts/new", data)
    edited = client.submit(f"/contacts/{contact_id}/edit", data)

    for response in (added, edited):
        assert response.status_code == 422
        assert f'id="{field}-error"' in text(response)
        assert message in text(response).replace("&#39;", "'")
    names = admin.execute("select full_name from public.customer_contacts").fetchall()
    assert [n["full_name"] for n in names] == ["Sam Site"]


@pytest.mark.promise("P-01")
def test_another_companys_ids_are_404_and_change_nothing(client: Client, make, admin):
    signed_in(client, make, "owner")
    other = make.tenant()
    customer_id = make.customer(other.id, "Ana", "Lopez")
    contact_id = make.contact(other.id, customer_id)
    note_id = make.note(other.id, customer_id)

    for path in (
        f"/customers/{customer_id}",
        f"/customers/{customer_id}/edit",
        f"/customers/{customer_id}/delete",
        f"/customers/{customer_id}/contacts/new",
        f"/contacts/{contact_id}/edit",
    ):
        assert client.get(path).status_code == 404, path
    for path in (
        f"/customers/{customer_id}/edit",
        f"/customers/{customer_id}/delete",
        f"/customers/{customer_id}/notes",
        f"/customers/{customer_id}/contacts/new",
        f"/contacts/{contact_id}/edit",
        f"/contacts/{contact_id}/remove",
        f"/notes/{note_id}/remove",
    ):
        data = {"first_name": "Forged", "full_name": "Forged", "body": "Forged"}
        assert client.submit(path, data).status_code == 404, path
    assert count(admin, "customers", other.id) == 1
    assert count(admin, "customer_contacts", other.id) == 1
    assert count(admin, "customer_notes", other.id) == 1
    row = admin.execute("select first_name from public.customers where id = %s", [customer_id])
    assert row.fetchone()["first_name"] == "Ana"
