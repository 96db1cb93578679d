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


def test_claims_are_set_before_the_company_is_read_in_the_same_round_trip(
    app: Flask, make: Factory, admin: Connection
) -> None:
    """Identity loading sets the member's claims and reads the company pipelined: the read
    runs under those claims (not the anonymous ones the transaction opened with), and
    another company's row stays out of sight."""
    tenant = make.tenant("Polar Air")
    other = make.tenant("Elsewhere")
    owner = tenant.owner.account_id
    with app.test_request_context("/"):
        app.preprocess_request()
        found = company.settle_claims(claims_for(owner, tenant.id), tenant.id)
        assert found is not None and found.name == "Polar Air"
        assert db.value("select auth.uid()") == owner
        admin.execute("update public.tenants set name = 'Renamed' where id = %s", [tenant.id])
        assert company.get(tenant.id) == found  # cached for the request, not read again
    with app.test_request_context("/"):
        app.preprocess_request()
        db.value("select 1")  # a transaction already open with anonymous claims
        assert company.settle_claims(claims_for(owner, tenant.id), other.id) is None
        assert company.get(other.id) is None
