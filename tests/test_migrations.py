"""`flask db up/status/reset` and the bootstrap of what Supabase provides, on real databases."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask

from app import create_app, migrations
from app.db import Connection, admin_connection
from tests.conftest import TestDatabase as Database
from tests.conftest import make_settings
from tests.factories import Factory

API_ROLES = ("anon", "authenticated", "service_role", "authenticator")


@contextmanager
def cli_app(database: Database, **settings: Any) -> Iterator[Flask]:
    application = create_app(make_settings(database, **settings))
    try:
        yield application
    finally:
        application.extensions["plenum.pool"].close()


def flask_db(application: Flask, *args: str) -> tuple[int, list[str]]:
    result = application.test_cli_runner().invoke(args=["db", *args])
    return result.exit_code, result.output.splitlines()


def recorded_versions(admin: Connection) -> list[tuple[str, str]]:
    rows = admin.execute(
        "select version, name from supabase_migrations.schema_migrations order by version"
    ).fetchall()
    return [(row["version"], row["name"]) for row in rows]


# --- up and status ----------------------------------------------------------------------------


def test_db_up_applies_each_migration_once(empty_database: Database) -> None:
    files = migrations.migrations()
    with cli_app(empty_database) as application:
        first = flask_db(application, "up")
        second = flask_db(application, "up")
    assert first == (
        0,
        [
            *(f"applied {m.version} {m.name}" for m in files),
            f"up to date ({len(files)} applied); policies re-applied",
        ],
    )
    assert second == (0, ["up to date (0 applied); policies re-applied"])
    with admin_connection(empty_database.admin_url) as admin:
        assert recorded_versions(admin) == [(m.version, m.name) for m in files]


def test_db_status_lists_each_migration(database: Database, empty_database: Database) -> None:
    files = migrations.migrations()
    with cli_app(empty_database) as application:
        assert flask_db(application, "status") == (
            0,
            [f"pending  {m.version} {m.name}" for m in files],
        )
    with cli_app(database) as application:
        assert flask_db(application, "status") == (
            0,
            [f"applied  {m.version} {m.name}" for m in files],
        )


# --- policies follow the files ----------------------------------------------------------------


def policies_on(admin: Connection, table: str) -> set[str]:
    rows = admin.execute(
        "select policyname from pg_policies where schemaname || '.' || tablename = %(table)s",
        {"table": table},
    ).fetchall()
    return {row["policyname"] for row in rows}


def test_a_policy_removed_from_the_files_is_dropped_on_the_next_up(
    empty_database: Database, tmp_path: Path
) -> None:
    root = tmp_path / "supabase"
    shutil.copytree(migrations.ROOT, root)
    removed = "Admins can invite with any role but owner"
    with admin_connection(empty_database.admin_url) as admin:
        migrations.up(admin, root)
        before = policies_on(admin, "public.invitations")
        assert removed in before

        policy_file = root / "policies" / "invitations.sql"
        without, found = re.subn(
            rf'create policy "{removed}".*?;\n', "", policy_file.read_text(), flags=re.DOTALL
        )
        assert found == 1
        policy_file.write_text(without)
        assert migrations.up(admin, root) == []
        assert policies_on(admin, "public.invitations") == before - {removed}


# --- bootstrap: only where missing ------------------------------------------------------------


def api_roles(admin: Connection) -> list[dict[str, Any]]:
    return admin.execute(
        "select oid, rolname, rolcanlogin, rolinherit, rolbypassrls, rolsuper from pg_roles"
        " where rolname = any(%(names)s) order by rolname",
        {"names": list(API_ROLES)},
    ).fetchall()


def auth_functions(admin: Connection) -> dict[str, str]:
    rows = admin.execute(
        "select p.proname, pg_get_functiondef(p.oid) as body from pg_proc p"
        " join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'auth'"
    ).fetchall()
    return {row["proname"]: row["body"] for row in rows}


def test_bootstrap_keeps_an_existing_auth_function(empty_database: Database) -> None:
    """Where Supabase already defines `auth.uid()`, its definition is the one that stays."""
    custom = "00000000-0000-0000-0000-00000000abcd"
    with admin_connection(empty_database.admin_url) as admin:
        admin.execute(
            "create schema auth; create function auth.uid() returns uuid"
            f" language sql stable as $$ select '{custom}'::uuid $$"
        )
        roles = api_roles(admin)
        migrations.bootstrap(admin)
        assert admin.execute("select auth.uid()::text as uid").fetchone() == {"uid": custom}
        assert set(auth_functions(admin)) == {"uid", "role", "jwt"}  # the missing ones made
        assert api_roles(admin) == roles


def default_privileges(admin: Connection) -> list[dict[str, Any]]:
    return admin.execute(
        "select d.defaclobjtype, d.defaclacl::text as acl from pg_default_acl d"
        " join pg_namespace n on n.oid = d.defaclnamespace where n.nspname = 'public' order by 1"
    ).fetchall()


def test_bootstrap_on_a_migrated_database_changes_nothing(admin: Connection) -> None:
    """Every `flask db up` bootstraps: the default privileges a migration narrowed (no TRUNCATE
    on new tables) stay narrowed, as on a database migrated once or by `supabase db push`."""
    roles, functions = api_roles(admin), auth_functions(admin)
    versions, privileges = recorded_versions(admin), default_privileges(admin)
    assert [role["rolname"] for role in roles] == sorted(API_ROLES)
    assert not any("D" in row["acl"] for row in privileges)  # D: TRUNCATE
    migrations.bootstrap(admin)
    assert api_roles(admin) == roles
    assert auth_functions(admin) == functions
    assert recorded_versions(admin) == versions
    assert default_privileges(admin) == privileges


# --- reset ------------------------------------------------------------------------------------


def tenant_count(admin: Connection) -> int:
    row = admin.execute("select count(*) as n from public.tenants").fetchone()
    assert row is not None
    return int(row["n"])


@pytest.mark.parametrize("env", ["test", "production"])
def test_db_reset_refuses_outside_development(
    database: Database, admin: Connection, make: Factory, env: str
) -> None:
    make.tenant()
    with cli_app(database, env=env) as application:
        exit_code, output = flask_db(application, "reset", "--yes")
    assert exit_code != 0
    assert "Error: db reset only runs with PLENUM_ENV=development" in output
    assert tenant_count(admin) == 1


def test_db_reset_starts_over_in_development(
    database: Database, admin: Connection, make: Factory
) -> None:
    make.tenant()
    with cli_app(database, env="development") as application:
        assert flask_db(application, "reset", "--yes") == (0, ["database reset and migrated"])
    assert tenant_count(admin) == 0
    assert recorded_versions(admin) == [(m.version, m.name) for m in migrations.migrations()]


# --- login roles ------------------------------------------------------------------------------


def can_become(url: str, role: str) -> bool:
    with psycopg.connect(url) as conn:
        try:
            conn.execute("select set_config('role', %s, true)", (role,))
        except psycopg.errors.InsufficientPrivilege:
            return False
        return True


@pytest.mark.promise("P-01")
def test_the_web_process_cannot_become_service_role(database: Database) -> None:
    """A bug or injected statement in the web app cannot turn row-level security off."""
    web, worker = database.app_url, database.worker_url
    assert [can_become(web, role) for role in ("anon", "authenticated", "service_role")] == [
        True,
        True,
        False,
    ]
    assert [can_become(worker, role) for role in ("anon", "authenticated", "service_role")] == [
        True,
        True,
        True,
    ]
    with psycopg.connect(web) as conn:
        assert conn.execute("select current_user").fetchone() == ("plenum_web",)


def test_login_roles_own_nothing_and_bypass_nothing(admin: Connection) -> None:
    rows = admin.execute(
        "select r.rolname, r.rolinherit, r.rolbypassrls, r.rolsuper, r.rolcreaterole,"
        " (select count(*) from pg_class c where c.relowner = r.oid) as owned"
        " from pg_roles r where r.rolname in ('plenum_web', 'plenum_worker') order by 1"
    ).fetchall()
    assert [tuple(row.values()) for row in rows] == [
        ("plenum_web", False, False, False, False, 0),
        ("plenum_worker", False, False, False, False, 0),
    ]


# --- landed migrations are never edited -----------------------------------------------------


def test_db_check_names_a_landed_migration_that_was_edited_or_removed(
    empty_database: Database, tmp_path: Path
) -> None:
    root = tmp_path / "supabase"
    shutil.copytree(migrations.ROOT, root)
    with admin_connection(empty_database.admin_url) as admin:
        migrations.up(admin, root)
        assert migrations.drift(admin, root) == []
        first, second = migrations.migrations(root)[:2]
        first.path.write_text(first.path.read_text() + "\n-- an afterthought\n")
        second.path.unlink()
        assert migrations.up(admin, root) == []  # nothing re-applied, and nothing hidden:
        assert migrations.drift(admin, root) == [
            (first.path.name, "edited after it was applied"),
            (second.path.name, "applied, but its file is gone"),
        ]
