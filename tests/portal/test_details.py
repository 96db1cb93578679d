"""My details: the homeowner changes only their own names, phone, email and choices; bad input
is refused with a clear message and saves nothing; marketing consent is recorded with its source
and time, per channel, and the messaging guard holds marketing to the channels chosen."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from app.db import Connection
from tests.conftest import Client
from tests.factories import Factory
from tests.portal.support import sign_in

GOOD = {
    "first_name": "Dana",
    "last_name": "Reyes",
    "email": "dana@homes.example",
    "phone": "(312) 555-0147",
    "preferred_contact": "sms",
    "transactional_messages": "y",
}


def row_of(admin: Connection, customer: UUID) -> dict[str, Any]:
    found = admin.execute(
        "select first_name, last_name, email, phone, preferred_contact, transactional_messages,"
        " marketing_consent, marketing_consent_at, marketing_consent_source, marketing_by_sms,"
        " marketing_by_email, notes, tags from public.customers where id = %s",
        [customer],
    ).fetchone()
    assert found is not None
    return dict(found)


def test_the_page_shows_my_details_only(client: Client, admin: Connection, make: Factory) -> None:
    tenant = make.tenant()
    me = make.customer(tenant.id, "Dana", "Reyes", email="dana@homes.example")
    make.customer(tenant.id, "Lee", "Other", email="lee@homes.example")
    sign_in(client, admin, tenant.id, me)

    page = client.get("/portal/details").get_data(as_text=True)

    assert "dana@homes.example" in page and "lee@homes.example" not in page


def test_saving_changes_only_my_details_and_records_marketing_consent_from_the_portal(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    me, neighbour = make.customer(tenant.id, "Pat"), make.customer(tenant.id, "Lee")
    admin.execute(
        "update public.customers set notes = 'Office note', tags = '{vip}' where id = %s", [me]
    )
    before_neighbour = row_of(admin, neighbour)
    sign_in(client, admin, tenant.id, me)

    response = client.submit("/portal/details", {**GOOD, "marketing_by_email": "y"})

    assert response.status_code == 303
    saved = row_of(admin, me)
    assert (saved["first_name"], saved["email"], saved["phone"]) == (
        "Dana",
        "dana@homes.example",
        "+13125550147",
    )
    assert saved["marketing_consent"] and saved["marketing_consent_source"] == "portal"
    assert saved["marketing_consent_at"] is not None
    assert (saved["marketing_by_sms"], saved["marketing_by_email"]) == (False, True)
    assert (saved["notes"], saved["tags"]) == ("Office note", ["vip"])
    assert row_of(admin, neighbour) == before_neighbour


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"phone": "12"}, "Enter a valid phone number"),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"first_name": "", "last_name": ""}, "Enter your name."),
        ({"preferred_contact": "email", "email": ""}, "Enter an email address to be reached"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_saves_nothing(
    client: Client, admin: Connection, make: Factory, change: dict[str, str], message: str
) -> None:
    tenant = make.tenant()
    me = make.customer(tenant.id, "Pat", email="pat@homes.example")
    before = row_of(admin, me)
    sign_in(client, admin, tenant.id, me)

    response = client.submit("/portal/details", {**GOOD, "marketing_by_sms": "y", **change})

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert row_of(admin, me) == before


def test_withdrawing_marketing_turns_consent_off(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    me = make.customer(tenant.id, "Pat")
    admin.execute(
        "update public.customers set marketing_consent = true, marketing_consent_at = now(),"
        " marketing_consent_source = 'Signed form' where id = %s",
        [me],
    )
    sign_in(client, admin, tenant.id, me)

    client.submit("/portal/details", GOOD)

    assert row_of(admin, me)["marketing_consent"] is False


@pytest.mark.promise("P-15")
def test_marketing_goes_only_by_the_channels_the_customer_chose(
    admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    me = make.customer(tenant.id, "Pat", email="pat@homes.example", phone="+13125550147")
    admin.execute(
        "update public.customers set marketing_consent = true, marketing_consent_at = now(),"
        " marketing_by_sms = false, marketing_by_email = true where id = %s",
        [me],
    )
    admin.execute("update public.tenants set address = '1 Main St' where id = %s", [tenant.id])
    refusals = admin.execute(
        "select m.channel, app.message_refusal(m) as refusal"
        " from (values ('sms', '+13125550147'), ('email', 'pat@homes.example')) as v (ch, addr)"
        " cross join lateral jsonb_populate_record(null::public.messages, jsonb_build_object("
        "   'tenant_id', %s::uuid, 'customer_id', %s::uuid, 'channel', v.ch,"
        "   'to_address', v.addr, 'purpose', 'marketing')) m order by m.channel",
        [tenant.id, me],
    ).fetchall()

    assert {r["channel"]: r["refusal"] for r in refusals} == {
        "email": "",
        "sms": "The customer wants no marketing by text.",
    }
