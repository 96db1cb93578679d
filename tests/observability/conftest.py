"""The loopback Sentry, and Sentry switched off again after each test that starts it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sentry_sdk

from tests.observability.sentry_server import SentryServer


@pytest.fixture(scope="session")
def sentry_server() -> Iterator[SentryServer]:
    server = SentryServer()
    yield server
    server.close()


@pytest.fixture
def sentry(sentry_server: SentryServer) -> Iterator[SentryServer]:
    """The loopback Sentry, empty; whatever the test started reports nowhere afterwards."""
    sentry_server.clear()
    try:
        yield sentry_server
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init(dsn="")  # no DSN, whatever the environment says: nothing is sent
