"""The homeowner's properties and equipment with their service history: their own only."""

from __future__ import annotations

from uuid import UUID

from app.db import Connection
from tests.conftest import Client
from tests.factories import Factory
from tests.portal.support import sign_in


def serviced(make: Factory, tenant_id: UUID, customer: UUID, street: str, model: str) -> UUID:
    """A property with a furnace of `model`, serviced on a completed visit."""
    place = make.property(tenant_id, customer, street=street)
    furnace = make.equipment(tenant_id, place)
    make.conn.execute("update public.equipment set model = %s where id = %s", [model, furnace])
    job = make.job(tenant_id, place, summary=f"Tune-up of {model}", equipment_ids=(furnace,))
    visit = make.visit(tenant_id, job)
    make.conn.execute(
        "insert into public.equipment_service_records (tenant_id, equipment_id, visit_id,"
        " serviced_at, job_kind, job_summary, completion_notes, technicians)"
        " values (%s, %s, %s, now(), 'maintenance', %s, 'Filter changed', 'Sam Ortiz, Kim Lee')",
        [tenant_id, furnace, visit, f"Tune-up of {model}"],
    )
    return furnace


def test_my_properties_show_my_equipment_and_its_service_history_only(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    me, neighbour = make.customer(tenant.id), make.customer(tenant.id)
    serviced(make, tenant.id, me, "12 Elm Street", "Mine-80")
    serviced(make, tenant.id, neighbour, "14 Elm Street", "Theirs-95")
    sign_in(client, admin, tenant.id, me)

    page = client.get("/portal/properties").get_data(as_text=True)

    assert "12 Elm Street" in page and "Mine-80" in page
    assert "Tune-up of Mine-80" in page and "Filter changed" in page
    assert "Sam, Kim" in page and "Ortiz" not in page
    assert "14 Elm Street" not in page and "Theirs-95" not in page


def test_another_companys_homeowner_sees_none_of_it(
    client: Client, admin: Connection, make: Factory
) -> None:
    mine, theirs = make.tenant(), make.tenant()
    serviced(make, mine.id, make.customer(mine.id), "12 Elm Street", "Mine-80")
    sign_in(client, admin, theirs.id, make.customer(theirs.id))

    page = client.get("/portal/properties").get_data(as_text=True)

    assert "12 Elm Street" not in page and "Mine-80" not in page
