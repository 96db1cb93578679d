"""The company core: the company's name and time zone, as the caller may see them, read once
per request."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Flask, g

from app import company, db
from app.auth.identity import claims_for
from app.db import Connection
from tests.factories import Factory


def test_zone_and_name_are_the_companys_and_read_once_per_request(
    app: Flask, make: Factory, admin: Connection
) -> None:
    tenant = make.tenant("Polar Air")
    other = make.tenant("Elsewhere")
    admin.execute(
        "update public.tenants set time_zone = 'America/Denver' where id = %s", [tenant.id]
    )
    with app.test_request_context("/"):
        app.preprocess_request()
        db.set_claims(claims_for(tenant.owner.account_id, tenant.id))
        found = company.get(tenant.id)
        assert found is not None and found.name == "Polar Air"
        assert company.zone(tenant.id) == ZoneInfo("America/Denver")
        # Another company's row is not visible under RLS: shown in UTC, never theirs.
        assert company.get(other.id) is None
        assert company.zone(other.id) == ZoneInfo("UTC")
        # Read once: a change made later in the same request is not read again.
        admin.execute(
            "update public.tenants set time_zone = 'Asia/Tokyo' where id = %s", [tenant.id]
        )
        assert company.zone(tenant.id) == ZoneInfo("America/Denver")
        assert set(g.plenum_companies) == {tenant.id, other.id}
    with app.test_request_context("/"):
        app.preprocess_request()
        db.set_claims(claims_for(tenant.owner.account_id, tenant.id))
        assert company.zone(tenant.id) == ZoneInfo("Asia/Tokyo")
