"""The platform's checks: /healthz says the process answers (it never asks the database);
/readyz says the database answers and has every migration this code ships."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app import create_app, migrations
from app.db import Connection
from app.portal.identity import SESSION_KEY as PORTAL_SESSION
from tests.conftest import Client, TestDatabase, make_settings

NEWEST = migrations.migrations()[-1].version


def test_ready_when_the_database_has_every_migration(client: Client) -> None:
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json == {"status": "ok", "database": "reachable", "migrations": "current"}


def test_not_ready_while_the_newest_migration_is_not_applied(
    client: Client, admin: Connection
) -> None:
    previous = migrations.migrations()[-2].version
    admin.execute("delete from supabase_migrations.schema_migrations where version = %s", [NEWEST])
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json == {
        "status": "unavailable",
        "database": "reachable",
        "migrations": "behind",
        "applied": previous,
        "newest": NEWEST,
    }


def test_ready_when_the_database_is_ahead_of_the_code(client: Client, admin: Connection) -> None:
    """Machines still running the previous release after the release command ran."""
    admin.execute(
        "insert into supabase_migrations.schema_migrations (version, name)"
        " values ('29991231235959', 'from_a_later_release')"
    )
    assert client.get("/readyz").status_code == 200


def test_the_web_login_role_reads_only_the_versions_of_the_migrations(
    admin: Connection,
) -> None:
    """The grant /readyz needs, and nothing more: one column, for the login role alone."""
    rows = admin.execute(
        "select grantee, privilege_type, column_name"
        " from information_schema.column_privileges"
        " where table_schema = 'supabase_migrations' and grantee <> 'postgres'"
        " order by 1, 2, 3"
    ).fetchall()
    assert [tuple(row.values()) for row in rows] == [("plenum_web", "SELECT", "version")]
    tables = admin.execute(
        "select count(*) as n from information_schema.table_privileges"
        " where table_schema = 'supabase_migrations' and grantee <> 'postgres'"
    ).fetchone()
    assert tables is not None and tables["n"] == 0


@pytest.fixture
def unreachable(database: TestDatabase) -> Iterator[Client]:
    """The app, pointed at a database nothing listens for (port 1 refuses at once)."""
    nowhere = "postgresql://plenum_web@127.0.0.1:1/plenum"
    application = create_app(make_settings(database, database_url=nowhere))
    application.test_client_class = Client
    yield application.test_client()  # type: ignore[misc]
    application.extensions["plenum.pool"].close()


def test_without_a_database_the_process_is_alive_but_not_ready(unreachable: Client) -> None:
    alive = unreachable.get("/healthz")
    assert (alive.status_code, alive.json) == (200, {"status": "ok"})
    ready = unreachable.get("/readyz")
    assert ready.status_code == 503
    assert ready.json == {"status": "unavailable", "database": "unreachable"}


def test_a_request_that_needs_the_database_gets_the_503_page(unreachable: Client) -> None:
    answer = unreachable.submit("/sign-in", {"email": "a@example.com", "password": "whatever"})
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "30"
    assert "default-src" in answer.headers["Content-Security-Policy"]
    assert "Plenum is briefly unavailable" in answer.get_data(as_text=True)


def test_a_signed_in_homeowner_gets_the_503_page_too(unreachable: Client) -> None:
    """The portal's pages name the homeowner from the database: the 503 page does not ask."""
    with unreachable.session_transaction() as session:
        session[PORTAL_SESSION] = "a portal session's secret"
    answer = unreachable.get("/portal/")
    assert answer.status_code == 503
    assert "Plenum is briefly unavailable" in answer.get_data(as_text=True)
