"""Who reaches property and equipment pages: office roles do, technicians don't yet (P-02), and
another company's ids are missing, not forbidden (P-01)."""

from __future__ import annotations

import pytest

from tests.factories import Factory
from tests.properties.support import EQUIPMENT_FORM, PROPERTY_FORM, html


def _records(make: Factory, tenant_id):
    customer = make.customer(tenant_id)
    place = make.property(tenant_id, customer)
    return customer, place, make.equipment(tenant_id, place)


def _pages(customer, place, item) -> list[str]:
    return [
        f"/customers/{customer}/properties/new",
        f"/properties/{place}",
        f"/properties/{place}/edit",
        f"/properties/{place}/equipment/new",
        f"/equipment/{item}/edit",
    ]


def _forms(customer, place, item) -> list[tuple[str, dict[str, str]]]:
    return [
        (f"/customers/{customer}/properties/new", PROPERTY_FORM),
        (f"/properties/{place}/edit", PROPERTY_FORM),
        (f"/properties/{place}/equipment/new", EQUIPMENT_FORM),
        (f"/equipment/{item}/edit", EQUIPMENT_FORM),
        (f"/equipment/{item}/delete", {}),
        (f"/properties/{place}/delete", {}),
    ]


def _counts(admin) -> tuple[int, int, int]:
    row = admin.execute(
        "select (select count(*) from public.properties) as p,"
        " (select count(*) from public.equipment) as e,"
        " (select count(*) from public.properties where street = '12 Oak Ave') as changed"
    ).fetchone()
    return row["p"], row["e"], row["changed"]


@pytest.mark.promise("P-02")
@pytest.mark.parametrize("role", ["owner", "admin", "dispatcher", "office"])
def test_office_roles_work_with_properties_and_equipment(app, admin, make: Factory, role):
    tenant = make.tenant()
    records = _records(make, tenant.id)
    staff = app.test_client()
    staff.sign_in(tenant.owner.email if role == "owner" else make.member(tenant.id, role).email)

    for path in _pages(*records):
        assert staff.get(path).status_code == 200, path
    for path, data in _forms(*records):
        assert staff.submit(path, data).status_code == 302, path
    # The added property stays; the original went, taking the added equipment with it.
    assert _counts(admin) == (1, 0, 1)


@pytest.mark.promise("P-02")
def test_technicians_are_refused_every_property_page_and_form(app, admin, make: Factory):
    tenant = make.tenant()
    records = _records(make, tenant.id)
    tech = app.test_client()
    tech.sign_in(make.member(tenant.id, "technician").email)

    for path in _pages(*records):
        response = tech.get(path)
        assert response.status_code == 403, path
        assert "12 Elm St" not in html(response), path
    for path, data in _forms(*records):
        assert tech.submit(path, data).status_code == 403, path
    assert _counts(admin) == (1, 1, 0)


def test_signed_out_visitors_are_sent_to_sign_in(app, make: Factory):
    tenant = make.tenant()
    _, place, _ = _records(make, tenant.id)
    anonymous = app.test_client()

    response = anonymous.get(f"/properties/{place}")

    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.promise("P-01")
def test_another_companys_records_are_404_everywhere(app, admin, make: Factory):
    mine, theirs = make.tenant(), make.tenant("Beta Boilers")
    records = _records(make, theirs.id)
    owner = app.test_client()
    owner.sign_in(mine.owner.email)

    for path in _pages(*records):
        response = owner.get(path)
        assert response.status_code == 404, path
        assert "12 Elm St" not in html(response), path
    for path, data in _forms(*records):
        assert owner.submit(path, data).status_code == 404, path
    assert _counts(admin) == (1, 1, 0)
