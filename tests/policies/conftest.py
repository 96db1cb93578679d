"""One database per policy module: its tests only read, and every write they attempt runs in a
transaction that is rolled back, so copying the template for each of them would only be slow."""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from app.db import Connection, admin_connection
from tests.conftest import TestDatabase, _with_database
from tests.factories import Factory


@pytest.fixture(scope="module")
def shared_database(
    template_database: str, request: pytest.FixtureRequest
) -> Iterator[TestDatabase]:
    """A copy of the migrated template for one module's read-only (or rolled-back) tests."""
    name = f"plenum_test_{os.getpid()}_{request.module.__name__.rsplit('.', 1)[-1]}"
    admin_url = os.environ["DATABASE_ADMIN_URL"]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )
        conn.execute(
            sql.SQL("create database {} template {}").format(
                sql.Identifier(name), sql.Identifier(template_database)
            )
        )
    yield TestDatabase(
        name, _with_database(admin_url, name), _with_database(os.environ["DATABASE_URL"], name)
    )
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )


@pytest.fixture(scope="module")
def shared_admin(shared_database: TestDatabase) -> Iterator[Connection]:
    with admin_connection(shared_database.admin_url) as conn:
        yield conn


@pytest.fixture(scope="module")
def shared_make(shared_admin: Connection) -> Factory:
    return Factory(shared_admin)
