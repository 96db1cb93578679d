"""Gate and alarm codes: encrypted at rest (as P-17 asks of credentials), shown to office roles
and to the technician of a visit there (on the visit page), and every showing recorded (P-07)."""

from __future__ import annotations

import pytest

from app import crypto
from tests.factories import Factory
from tests.properties.support import PROPERTY_FORM, access_reads, html, stored_property
from tests.technician.support import at, today, works_every_day

GATE_CODE = "Gate #4821, alarm 0097"
KEYRING = crypto.Keyring({"default": b"\x01" * 32}, "default")  # the test app's (conftest.py)


def sealed_at(admin, place) -> crypto.Place:
    """Where the property's access notes are sealed: its company and its row."""
    tenant = admin.execute("select tenant_id from public.properties where id = %s", [place])
    return crypto.PROPERTY_ACCESS_NOTES.at(tenant.fetchone()["tenant_id"], place)


@pytest.fixture
def property_with_code(client, admin, make: Factory):
    """A property whose access notes were entered through the form by the owner."""
    tenant = make.tenant()
    customer = make.customer(tenant.id)
    client.sign_in(tenant.owner.email)
    response = client.submit(
        f"/customers/{customer}/properties/new", PROPERTY_FORM | {"access_notes": GATE_CODE}
    )
    assert response.status_code == 302
    place = admin.execute(
        "select id from public.properties where customer_id = %s", [customer]
    ).fetchone()["id"]
    client.submit("/sign-out")
    return tenant, place


def test_access_notes_are_encrypted_at_rest(admin, property_with_code):
    _, place = property_with_code

    stored = stored_property(admin, place)["access_notes_encrypted"]
    logged = admin.execute(
        "select string_agg(coalesce(new_values::text, ''), ' ') as t from audit.changes"
    ).fetchone()["t"]

    assert stored.startswith("v2:default:")
    assert "4821" not in stored and "alarm" not in stored
    assert crypto.decrypt(stored, place=sealed_at(admin, place), keyring=KEYRING) == GATE_CODE
    assert "4821" not in logged  # nor in plain text in the audit log of the insert


@pytest.mark.promise("P-07")
@pytest.mark.promise("P-02")
@pytest.mark.parametrize("role", ["owner", "admin", "dispatcher", "office"])
def test_office_roles_see_access_notes_and_each_showing_is_recorded(
    app, admin, make: Factory, property_with_code, role
):
    tenant, place = property_with_code
    member = tenant.owner if role == "owner" else make.member(tenant.id, role)
    staff = app.test_client()
    staff.sign_in(member.email)

    first = html(staff.get(f"/properties/{place}"))
    staff.get(f"/properties/{place}")

    assert GATE_CODE in first
    reads = access_reads(admin, place)
    assert [(r["actor_id"], r["new_values"]["view"]) for r in reads] == [
        (member.account_id, "access notes"),
        (member.account_id, "access notes"),
    ]


@pytest.mark.promise("P-07")
@pytest.mark.promise("P-02")
def test_technicians_never_see_access_notes(app, admin, make: Factory, property_with_code):
    tenant, place = property_with_code
    tech = app.test_client()
    tech.sign_in(make.member(tenant.id, "technician").email)

    for path in (f"/properties/{place}", f"/properties/{place}/edit"):
        response = tech.get(path)
        assert response.status_code == 403, path
        assert "4821" not in html(response), path
    assert access_reads(admin, place) == []


@pytest.mark.promise("P-07")
def test_the_edit_form_shows_the_notes_and_records_it(client, admin, property_with_code):
    tenant, place = property_with_code
    client.sign_in(tenant.owner.email)

    page = html(client.get(f"/properties/{place}/edit"))
    client.submit(f"/properties/{place}/edit", PROPERTY_FORM | {"access_notes": "Gate 1111"})

    assert "4821" in page
    assert [r["new_values"]["shown_in"] for r in access_reads(admin, place)] == ["edit form"]
    stored = stored_property(admin, place)["access_notes_encrypted"]
    assert stored.startswith("v2:default:")
    assert crypto.decrypt(stored, place=sealed_at(admin, place), keyring=KEYRING) == "Gate 1111"


def test_a_property_without_access_notes_records_no_read(client, admin, make: Factory):
    tenant = make.tenant()
    place = make.property(tenant.id, make.customer(tenant.id))
    client.sign_in(tenant.owner.email)

    page = html(client.get(f"/properties/{place}"))

    assert "Access notes" not in page
    assert access_reads(admin, place) == []


def test_clearing_access_notes_stores_nothing(client, admin, property_with_code):
    tenant, place = property_with_code
    client.sign_in(tenant.owner.email)

    client.submit(f"/properties/{place}/edit", PROPERTY_FORM | {"access_notes": "  "})

    assert stored_property(admin, place)["access_notes_encrypted"] == ""


def test_notes_sealed_with_another_key_say_so_instead_of_failing(client, admin, make: Factory):
    tenant = make.tenant()
    place = make.property(tenant.id, make.customer(tenant.id))
    admin.execute(
        "update public.properties set access_notes_encrypted = %s where id = %s",
        [crypto.encrypt("Gate 5555", key=b"\x02" * 32), place],
    )
    client.sign_in(tenant.owner.email)

    response = client.get(f"/properties/{place}")

    assert response.status_code == 200
    assert "cannot be read with the current encryption key" in html(response)
    assert "5555" not in html(response)


def test_the_form_says_who_sees_the_access_notes_and_it_is_true(
    app, client, admin, make: Factory, property_with_code
):
    """The hint names everyone who is shown the codes: office staff, and the technician
    assigned to a visit at the property (on that visit's page), nobody else."""
    tenant, place = property_with_code
    client.sign_in(tenant.owner.email)
    hint = html(client.get(f"/properties/{place}/edit"))
    assert "shown only to office staff" not in hint
    assert (
        "Stored encrypted; shown to office staff and to the technician assigned to a visit"
        " here, on the visit page." in hint
    )

    assigned, other = make.member(tenant.id, "technician"), make.member(tenant.id, "technician")
    works_every_day(admin, tenant.id, assigned.account_id)
    job = make.job(tenant.id, place)
    visit = make.visit(tenant.id, job, at(today(), 9), technicians=(assigned.account_id,))
    for tech, sees in ((assigned, True), (other, False)):
        phone = app.test_client()
        phone.sign_in(tech.email)
        assert ("4821" in html(phone.get(f"/my-day/visits/{visit}"))) is sees
