"""Geocoding's fixtures: the loopback Google Maps for the whole session (emptied for each
test), and a property row made with a given address."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest

from app.db import Connection
from tests.geocoding.maps_server import FakeMaps, running


@pytest.fixture(scope="session")
def maps_server_session() -> Iterator[FakeMaps]:
    with running() as fake:
        yield fake


@pytest.fixture
def maps_server(maps_server_session: FakeMaps) -> Iterator[FakeMaps]:
    maps_server_session.reset()
    yield maps_server_session
    maps_server_session.reset()


def add_property(
    admin: Connection,
    tenant_id: UUID,
    customer_id: UUID,
    postal_code: str,
    *,
    street: str = "12 Elm St",
    city: str = "Springfield",
    region: str = "",
    country: str = "US",
) -> UUID:
    row = admin.execute(
        "insert into public.properties (tenant_id, customer_id, street, city, region,"
        " postal_code, country) values (%s, %s, %s, %s, %s, %s, %s) returning id",
        [tenant_id, customer_id, street, city, region, postal_code, country],
    ).fetchone()
    assert row is not None
    return UUID(str(row["id"]))


def place_of(admin: Connection, property_id: UUID) -> dict:
    """What geocoding wrote on the property."""
    row = admin.execute(
        "select geocode_status as status, latitude, longitude, time_zone, geocode_failure as"
        " failure, geocode_attempts as attempts, geocode_retry_at as retry_at, geocoded_at"
        " from public.properties where id = %s",
        [property_id],
    ).fetchone()
    assert row is not None
    return row
