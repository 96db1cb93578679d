"""The portal's home page: the homeowner's next visit and what waits for them, theirs only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.db import Connection
from tests.conftest import Client
from tests.factories import Factory
from tests.portal.documents_support import sent_estimate, sent_invoice
from tests.portal.support import sign_in


def test_home_shows_my_next_visit_and_what_waits_for_me_only(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    me, neighbour = make.customer(tenant.id, "Dana"), make.customer(tenant.id, "Lee")
    soon = datetime.now(UTC) + timedelta(days=3)
    make.visit(
        tenant.id, make.job(tenant.id, make.property(tenant.id, me), summary="My tune-up"), soon
    )
    make.visit(
        tenant.id,
        make.job(tenant.id, make.property(tenant.id, neighbour), summary="Their leak"),
        soon - timedelta(days=1),
    )
    sent_estimate(make, tenant.id, me, "New furnace", "4200.00")
    sent_invoice(make, tenant.id, me, "150.00")
    sent_invoice(make, tenant.id, neighbour, "990.00")
    sign_in(client, admin, tenant.id, me)

    page = client.get("/portal/").get_data(as_text=True)

    assert "My tune-up" in page and "Their leak" not in page
    assert "1 estimate to approve" in page
    assert "1 invoice due: $150.00" in page and "$990.00" not in page


def test_home_with_nothing_planned_says_so(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    sign_in(client, admin, tenant.id, make.customer(tenant.id))

    page = client.get("/portal/").get_data(as_text=True)

    assert "No visit is planned." in page and "Waiting for you" not in page
