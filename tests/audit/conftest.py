"""Fixtures of the audit log's tests."""

from __future__ import annotations

import pytest
from flask import Flask
from psycopg_pool import ConnectionPool


@pytest.fixture
def pool(app: Flask) -> ConnectionPool:
    """The app's own pool, opened, for job-style transactions (`app.db.transaction`) and jobs."""
    connections: ConnectionPool = app.extensions["plenum.pool"]
    connections.open(wait=True, timeout=10)
    return connections
