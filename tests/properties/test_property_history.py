"""A property's visit history is never deleted silently. Office staff archive a property that
has jobs (hidden from lists and new bookings, its history kept); deleting it with its history
is for owners and admins, after a page naming exactly what goes with it, as for a customer.
The rule is the database's: a dispatcher's DELETE in SQL removes nothing either."""

from __future__ import annotations

from uuid import UUID

import pytest

from tests.conftest import TestDatabase
from tests.factories import Factory, Tenant
from tests.policies.identity import acting_as, claims_of
from tests.properties.support import html
from tests.technician.support import JPEG, at, today, works_every_day


def _history(make: Factory, tenant: Tenant) -> tuple[UUID, UUID]:
    """A property with two pieces of equipment, a maintenance plan, one job and two visits (one
    with a photo)."""
    customer = make.customer(tenant.id, "Dana", "Reyes")
    place = make.property(tenant.id, customer, street="48 Lakeview Terrace")
    furnace = make.equipment(tenant.id, place)
    make.equipment(tenant.id, place)
    make.agreement(tenant.id, place)
    job = make.job(tenant.id, place, summary="Furnace will not light", equipment_ids=(furnace,))
    tech = make.member(tenant.id, "technician")
    works_every_day(make.conn, tenant.id, tech.account_id)
    first = make.visit(tenant.id, job, at(today(), 9), technicians=(tech.account_id,))
    make.visit(tenant.id, job)
    make.conn.execute(
        "insert into public.visit_files (tenant_id, visit_id, kind, storage_key, content_type,"
        " byte_size, uploaded_by) values (%s, %s, 'photo', %s, 'image/jpeg', %s, %s)",
        [tenant.id, first, f"{tenant.id}/visits/{first}/a.jpg", len(JPEG), tech.account_id],
    )
    return customer, place


def _exists(admin, place: UUID) -> bool:
    row = admin.execute("select count(*) as n from public.properties where id = %s", [place])
    return row.fetchone()["n"] == 1


def _staff(app, make: Factory, tenant: Tenant, role: str):
    client = app.test_client()
    member = tenant.owner if role == "owner" else make.member(tenant.id, role)
    client.sign_in(member.email)
    return client, member


def _asked_to_delete(app, make: Factory, role: str, history: bool = True):
    """A property (with jobs and visits, or only a unit of equipment), a member of `role`
    signed in, and the delete page they are shown: (client, member, customer, place, page)."""
    tenant = make.tenant()
    if history:
        customer, place = _history(make, tenant)
    else:
        customer = make.customer(tenant.id)
        place = make.property(tenant.id, customer)
        make.equipment(tenant.id, place)
    staff, member = _staff(app, make, tenant, role)
    return staff, member, customer, place, html(staff.get(f"/properties/{place}/delete"))


@pytest.mark.promise("P-02")
@pytest.mark.parametrize("role", ["dispatcher", "office"])
def test_office_staff_cannot_delete_a_property_with_visit_history(
    app, admin, make: Factory, database: TestDatabase, role
):
    staff, member, _, place, page = _asked_to_delete(app, make, role)

    refused = staff.submit(f"/properties/{place}/delete")

    assert "Only an owner or an admin can delete it" in page
    assert refused.status_code == 403
    assert _exists(admin, place)
    with acting_as(database, claims_of(member)) as conn:
        gone = conn.execute("delete from public.properties where id = %s returning id", [place])
        assert gone.fetchall() == []
    assert _exists(admin, place)


@pytest.mark.parametrize("role", ["dispatcher", "office"])
def test_office_staff_still_delete_a_property_without_jobs(app, admin, make: Factory, role):
    staff, _, _, place, page = _asked_to_delete(app, make, role, history=False)

    response = staff.submit(f"/properties/{place}/delete")

    assert "This deletes the property with its 1 piece of equipment." in page
    assert response.status_code == 302
    assert not _exists(admin, place)


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_owners_and_admins_delete_with_history_after_a_confirmation_naming_it(
    app, admin, make: Factory, role
):
    staff, _, customer, place, page = _asked_to_delete(app, make, role)

    assert (
        "1 job, 2 visits, 2 pieces of equipment, 1 maintenance plan and 1 photo or signature"
        in page
    )
    assert _exists(admin, place)
    response = staff.submit(f"/properties/{place}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/customers/{customer}"
    assert not _exists(admin, place)
    visits = admin.execute("select count(*) as n from public.visits").fetchone()
    assert visits == {"n": 0}


def test_the_owner_deletes_in_sql_too(make: Factory, database: TestDatabase):
    """Control for the dispatcher's refused DELETE: the same statement acts for an owner."""
    tenant = make.tenant()
    _, place = _history(make, tenant)
    with acting_as(database, claims_of(tenant.owner)) as conn:
        gone = conn.execute("delete from public.properties where id = %s returning id", [place])
        assert [row["id"] for row in gone.fetchall()] == [place]


def test_archiving_hides_a_property_from_new_bookings_and_keeps_its_history(
    app, admin, make: Factory, database: TestDatabase
):
    tenant = make.tenant()
    customer, place = _history(make, tenant)
    staff, member = _staff(app, make, tenant, "dispatcher")

    archived = staff.submit(f"/properties/{place}/archive")

    assert archived.status_code == 302
    row = admin.execute("select archived_at from public.properties where id = %s", [place])
    assert row.fetchone()["archived_at"] is not None
    assert admin.execute("select count(*) as n from public.visits").fetchone() == {"n": 2}
    shown = html(staff.get(f"/properties/{place}"))
    assert "Archived" in shown and "New job here" not in shown
    customer_page = html(staff.get(f"/customers/{customer}"))
    assert f"/properties/{place}/jobs/new" not in customer_page
    assert staff.get(f"/properties/{place}/jobs/new").status_code == 302
    with acting_as(database, claims_of(member)) as conn, pytest.raises(Exception, match="archived"):
        conn.execute(
            "insert into public.jobs (tenant_id, customer_id, property_id, kind, summary)"
            " values (%s, %s, %s, 'repair', 'Sneaked in')",
            [tenant.id, customer, place],
        )
    logged = admin.execute(
        "select count(*) as n from audit.changes where table_name = 'public.properties'"
        " and row_key = %s and operation = 'update'",
        [str(place)],
    ).fetchone()
    assert logged == {"n": 1}

    restored = staff.submit(f"/properties/{place}/restore")

    assert restored.status_code == 302
    assert "New job here" in html(staff.get(f"/properties/{place}"))


def test_technicians_cannot_archive_or_delete(app, admin, make: Factory):
    tenant = make.tenant()
    _, place = _history(make, tenant)
    phone, _ = _staff(app, make, tenant, "technician")

    for action in ("archive", "restore", "delete"):
        assert phone.submit(f"/properties/{place}/{action}").status_code == 403
    assert _exists(admin, place)


def test_archiving_pauses_the_plans_at_the_property(app, admin, make: Factory):
    tenant = make.tenant()
    _, place = _history(make, tenant)
    plan = make.agreement(tenant.id, place)
    staff, _ = _staff(app, make, tenant, "office")

    response = staff.submit(f"/properties/{place}/archive", follow_redirects=True)

    assert "2 maintenance plans paused." in html(response)  # this one and the history's
    row = admin.execute("select status from public.service_agreements where id = %s", [plan])
    assert row.fetchone() == {"status": "paused"}
