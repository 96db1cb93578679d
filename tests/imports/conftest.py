from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from psycopg_pool import ConnectionPool

from tests.conftest import Client
from tests.factories import Factory, Tenant


@pytest.fixture
def company(make: Factory) -> Tenant:
    return make.tenant("Alpha Air")


@pytest.fixture
def office(app: Flask, company: Tenant) -> Client:
    """The company's owner, signed in."""
    client: Client = app.test_client()  # type: ignore[assignment]
    client.sign_in(company.owner.email)
    return client


@pytest.fixture
def pool(app: Flask) -> Iterator[ConnectionPool]:
    """The app's pool, as the worker would use it."""
    connections: ConnectionPool = app.extensions["plenum.pool"]
    if connections.closed:
        connections.open(wait=True)
    yield connections
