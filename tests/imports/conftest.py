from __future__ import annotations

import pytest
from flask import Flask

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
