"""Fixtures: a template database migrated once per test worker, copied for every test, and
the app, a CSRF-aware client and factories on top of it. Nothing is mocked."""

from __future__ import annotations

import dataclasses
import itertools
import os
import re
import tempfile
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from psycopg import sql
from psycopg_pool import ConnectionPool
from werkzeug.test import TestResponse

from app import create_app, migrations
from app.auth import links
from app.config import Settings
from app.db import Connection, admin_connection, create_pool
from tests import factories
from tests.integrations.storage_server import StorageServer

pytest_plugins = ["tests.plugins.promises"]

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
_counter = itertools.count()


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@dataclasses.dataclass(frozen=True)
class TestDatabase:
    __test__ = False  # a fixture's value, not a test class

    name: str
    admin_url: str
    app_url: str

    @property
    def worker_url(self) -> str:
        """As the jobs worker connects: its own login role, which may become service_role."""
        return _with_database(os.environ["WORKER_DATABASE_URL"], self.name)


def pytest_configure(config: pytest.Config) -> None:
    if not all(
        os.environ.get(name)
        for name in ("DATABASE_URL", "WORKER_DATABASE_URL", "DATABASE_ADMIN_URL")
    ):
        raise pytest.UsageError(
            "DATABASE_URL, WORKER_DATABASE_URL and DATABASE_ADMIN_URL must be set:"
            " run the tests with `make test`"
        )


def _drop_database(name: str) -> None:
    with psycopg.connect(os.environ["DATABASE_ADMIN_URL"], autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )


# A database migrated by other means, to copy instead (tests/deploy: by `supabase db push`).
TEMPLATE_VARIABLE = "PLENUM_TEST_TEMPLATE"


@pytest.fixture(scope="session")
def template_database() -> Iterator[str]:
    """Migrated once per test process; every test gets a copy of it."""
    admin_url = os.environ["DATABASE_ADMIN_URL"]
    given = os.environ.get(TEMPLATE_VARIABLE)
    if given:  # its owner keeps it, and set the tests' PUBLIC_URL in it as below
        yield given
        return
    name = f"plenum_test_template_{os.getpid()}"
    _drop_database(name)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    with admin_connection(_with_database(admin_url, name)) as conn:
        migrations.up(conn)
        links.store_public_url(conn, "http://plenum.test")  # the tests' PUBLIC_URL
    yield name
    _drop_database(name)


def new_database(name: str) -> TestDatabase:
    """A database named `name` with nothing in it, as a new Supabase project or laptop starts
    (one an earlier run left behind is dropped first)."""
    _drop_database(name)
    admin_url, app_url = os.environ["DATABASE_ADMIN_URL"], os.environ["DATABASE_URL"]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("create database {} template template0").format(sql.Identifier(name)))
    return TestDatabase(name, _with_database(admin_url, name), _with_database(app_url, name))


@pytest.fixture
def empty_database() -> Iterator[TestDatabase]:
    """A database with nothing in it, as a new Supabase project or laptop starts."""
    database = new_database(f"plenum_test_{os.getpid()}_empty_{next(_counter)}")
    yield database
    _drop_database(database.name)


@pytest.fixture
def database(template_database: str) -> Iterator[TestDatabase]:
    """A fresh database for this test, copied from the migrated template."""
    name = f"plenum_test_{os.getpid()}_{next(_counter)}"
    admin_url = os.environ["DATABASE_ADMIN_URL"]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("create database {} template {}").format(
                sql.Identifier(name), sql.Identifier(template_database)
            )
        )
    yield TestDatabase(
        name,
        _with_database(admin_url, name),
        _with_database(os.environ["DATABASE_URL"], name),
    )
    _drop_database(name)


@pytest.fixture
def admin(database: TestDatabase) -> Iterator[Connection]:
    """The database owner's connection, for factories and for looking behind the app."""
    with admin_connection(database.admin_url) as conn:
        yield conn


def make_settings(database: TestDatabase, **overrides: Any) -> Settings:
    base = Settings(
        env="test",
        secret_key="test-secret",
        database_url=database.app_url,
        database_admin_url=database.admin_url,
        encryption_key=b"\x01" * 32,
        public_url="http://plenum.test",
        pool_min_size=1,
        pool_max_size=4,
        prepared_statements=True,
        sentry_dsn=None,
        files_dir=os.path.join(tempfile.gettempdir(), "plenum-test-files", database.name),
        worker_database_url=database.worker_url,
    )
    return dataclasses.replace(base, **overrides)


@pytest.fixture
def app(database: TestDatabase) -> Iterator[Flask]:
    application = create_app(make_settings(database))
    application.test_client_class = Client
    yield application
    application.extensions["plenum.pool"].close()


@pytest.fixture
def pool(database: TestDatabase) -> Iterator[ConnectionPool]:
    """The jobs worker's pool (its own login role), for jobs and job-style transactions."""
    connections = create_pool(database.worker_url, 1, 4, prepared=True)
    connections.open(wait=True, timeout=10)
    yield connections
    connections.close()


@pytest.fixture
def client(app: Flask) -> Client:
    return app.test_client()  # type: ignore[return-value]


class Client(FlaskClient):
    """A test browser that fills in the CSRF token the way a real form does."""

    def csrf_token(self) -> str:
        for page in ("/account", "/sign-in"):
            response = self.get(page)
            match = CSRF_META.search(response.get_data(as_text=True))
            if match:
                return match.group(1)
        raise AssertionError("no page offered a CSRF token")

    def submit(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        """POST a form as the browser would: with the session's CSRF token."""
        return self.post(url, data={"csrf_token": self.csrf_token(), **(data or {})}, **kwargs)

    def sign_in(self, email: str, password: str = factories.PASSWORD) -> TestResponse:
        response = self.submit("/sign-in", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response


@pytest.fixture
def make(admin: Connection) -> factories.Factory:
    """Factories that insert real rows: make.tenant(), make.member(tenant, 'technician'), …"""
    return factories.Factory(admin)


@pytest.fixture
def storage_server() -> Iterator[StorageServer]:
    """A loopback Supabase Storage (tests/integrations/storage_server.py), empty; settings use
    it with `make_settings(database, supabase_url=storage_server.url,
    supabase_service_role_key=storage_server.key)`."""
    with StorageServer() as server:
        yield server
