"""The company's online booking settings page: owners and admins change the rules; bad values
are shown next to their field and nothing is saved; the page shows the booking link and the
snippet to paste."""

from __future__ import annotations

from typing import Any

import pytest

from app.db import Connection
from tests.conftest import Client
from tests.factories import Factory, Tenant

URL = "/company/online-booking"
VALID = {
    "public_page": "y",
    "slug": "alpha-air",
    "kinds": ["repair", "estimate"],
    "horizon_days": "21",
    "lead_hours": "12",
    "needs_confirmation": "",
    "buffer_minutes": "20",
    "window_hours": "3",
    "portal_change_cutoff_hours": "48",
}


def settings(admin: Connection, tenant: Tenant) -> dict[str, Any]:
    row = admin.execute(
        "select slug, public_page, kinds, horizon_days, lead_hours, needs_confirmation,"
        " buffer_minutes, window_hours, portal_change_cutoff_hours"
        " from public.online_booking_settings where tenant_id = %s",
        [tenant.id],
    ).fetchone()
    assert row is not None
    return dict(row)


@pytest.fixture
def owner(client: Client, make: Factory) -> tuple[Tenant, Client]:
    tenant = make.tenant()
    client.sign_in(tenant.owner.email)
    return tenant, client


def test_a_new_company_has_settings_with_an_unguessable_link(
    admin: Connection, owner: tuple[Tenant, Client]
) -> None:
    tenant, client = owner
    found = settings(admin, tenant)
    assert len(found["slug"]) == 20 and found["public_page"] is False
    assert found["portal_change_cutoff_hours"] == 24
    page = client.get(URL).get_data(as_text=True)
    assert f"/book/{found['slug']}" in page
    assert "&lt;a href=" in page  # the snippet, shown to copy


def test_the_owner_saves_the_rules(admin: Connection, owner: tuple[Tenant, Client]) -> None:
    tenant, client = owner
    response = client.submit(URL, VALID)
    assert response.status_code == 303
    assert settings(admin, tenant) == {
        "slug": "alpha-air",
        "public_page": True,
        "kinds": ["repair", "estimate"],
        "horizon_days": 21,
        "lead_hours": 12,
        "needs_confirmation": False,
        "buffer_minutes": 20,
        "window_hours": 3,
        "portal_change_cutoff_hours": 48,
    }


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"slug": "A B"}, "lower-case letters"),
        ({"slug": "ab"}, "lower-case letters"),
        ({"slug": "double--hyphen"}, "lower-case letters"),
        ({"horizon_days": "61"}, "from 1 to 60"),
        ({"lead_hours": "-1"}, "from 0 to 336"),
        ({"window_hours": "0"}, "from 1 to 8"),
        ({"buffer_minutes": "many"}, "from 0 to 240"),
        ({"portal_change_cutoff_hours": ""}, "from 0 to 336"),
        ({"kinds": ["demolition"]}, "Choose among the kinds of visit offered."),
    ],
)
def test_bad_values_are_refused_next_to_their_field(
    admin: Connection, owner: tuple[Tenant, Client], bad: dict[str, Any], message: str
) -> None:
    tenant, client = owner
    before = settings(admin, tenant)
    response = client.submit(URL, VALID | bad)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert settings(admin, tenant) == before


def test_a_link_another_company_uses_is_refused(
    admin: Connection, make: Factory, owner: tuple[Tenant, Client]
) -> None:
    tenant, client = owner
    other = make.tenant()
    admin.execute(
        "update public.online_booking_settings set slug = 'alpha-air' where tenant_id = %s",
        [other.id],
    )
    response = client.submit(URL, VALID)
    assert response.status_code == 422
    assert "Another company uses this link already" in response.get_data(as_text=True)
    assert settings(admin, tenant)["slug"] != "alpha-air"


@pytest.mark.parametrize("role", ["dispatcher", "office", "technician"])
def test_only_owners_and_admins_open_the_settings(client: Client, make: Factory, role: str) -> None:
    tenant = make.tenant()
    client.sign_in(make.member(tenant.id, role).email)
    assert client.get(URL).status_code == 403
    assert client.submit(URL, VALID).status_code == 403
