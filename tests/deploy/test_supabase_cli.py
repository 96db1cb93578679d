"""The Supabase CLI's path gives the database `flask db up` gives. A new database gets what a
Supabase project already has (supabase/local: roles, `auth`, `extensions`), then `supabase db
push` (the CLI that package.json pins) applies supabase/migrations/ alone; then `flask db
check` passes, the schema is the one `flask db up` makes, and the RLS matrix holds on it.

Without the CLI (`make supabase-cli` needs npm) the tests skip; in CI (CI=true) they fail.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import create_app, migrations, schema
from app.auth import links
from app.db import admin_connection
from tests.conftest import (
    TEMPLATE_VARIABLE,
    TestDatabase,
    _drop_database,
    _with_database,
    make_settings,
    new_database,
)

PROJECT = migrations.ROOT.parent
CLI = PROJECT / "node_modules" / ".bin" / "supabase"
RLS_MATRIX = "tests/policies/test_rls_matrix.py"
PUSH_TIMEOUT = 300  # seconds; the push takes a few
MATRIX_TIMEOUT = 900  # seconds; the matrix takes about a minute


def cli() -> Path:
    """The installed CLI; missing, the test skips (with the reason printed), or fails in CI."""
    if not CLI.exists():
        reason = f"the Supabase CLI is not installed ({CLI}): run `make supabase-cli` (needs npm)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        print(reason)
        pytest.skip(reason)
    return CLI


def push(url: str) -> subprocess.CompletedProcess[str]:
    """`supabase db push` as a deploy runs it: no terminal, no questions."""
    return subprocess.run(
        [str(cli()), "db", "push", f"--remote={url}", "--include-all", "--yes"],
        cwd=PROJECT,
        env={**os.environ, "CI": "true"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=PUSH_TIMEOUT,
        check=False,
    )


@pytest.fixture(scope="module")
def pushed() -> Iterator[TestDatabase]:
    """A new database with what a Supabase project has, migrated by `supabase db push`."""
    cli()
    database = new_database(f"plenum_test_{os.getpid()}_supabase_cli")
    try:
        with admin_connection(database.admin_url) as conn:
            migrations.apply_local(conn)
        result = push(database.admin_url)
        assert result.returncode == 0, result.stdout + result.stderr
        with admin_connection(database.admin_url) as conn:
            links.store_public_url(conn, "http://plenum.test")  # as the template has it
        yield database
    finally:
        _drop_database(database.name)


def test_supabase_db_push_applies_every_migration(pushed: TestDatabase) -> None:
    with admin_connection(pushed.admin_url) as admin:
        rows = admin.execute(
            "select version, name from supabase_migrations.schema_migrations order by version"
        ).fetchall()
    assert [(row["version"], row["name"]) for row in rows] == [
        (m.version, m.name) for m in migrations.migrations()
    ]


def test_flask_db_check_passes_after_supabase_db_push(pushed: TestDatabase) -> None:
    application = create_app(make_settings(pushed))
    try:
        result = application.test_cli_runner().invoke(args=["db", "check"])
    finally:
        application.extensions["plenum.pool"].close()
    assert (result.exit_code, result.output) == (0, "catalog checks passed\n")


def test_supabase_db_push_gives_the_schema_of_flask_db_up(
    pushed: TestDatabase, template_database: str
) -> None:
    """Every table, function, trigger, policy and grant of our schemas (the migration history
    is not among them: each tool keeps its own columns there)."""
    by_flask = schema.dump(_with_database(os.environ["DATABASE_ADMIN_URL"], template_database))
    by_cli = schema.dump(pushed.admin_url)
    diff = difflib.unified_diff(
        by_flask.splitlines(keepends=True), by_cli.splitlines(keepends=True), "flask db up", "cli"
    )
    assert by_cli == by_flask, "".join(list(diff)[:60])


def test_the_rls_matrix_holds_after_supabase_db_push(pushed: TestDatabase) -> None:
    """The whole matrix, in its own pytest, on copies of the database the CLI migrated."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env[TEMPLATE_VARIABLE] = pushed.name
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2"]
    result = subprocess.run(
        [*command, RLS_MATRIX],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=MATRIX_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout
