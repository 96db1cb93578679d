"""`flask db policies`: the last migration carries supabase/policies/, so that `supabase db push`
(which applies supabase/migrations/ only) gives the database `flask db up` gives."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from app import migrations
from app.db import admin_connection
from tests.conftest import TestDatabase
from tests.test_migrations import policies_on

REMOVED = "Admins can invite with any role but owner"


def test_the_migrations_carry_the_policy_files() -> None:
    assert migrations.policies_current(), (
        "supabase/policies/ differs from what the migrations apply (all `supabase db push`"
        " applies): run `flask db policies` and commit the migration it writes"
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of supabase/, to change."""
    copy = tmp_path / "supabase"
    shutil.copytree(migrations.ROOT, copy)
    return copy


def remove_a_policy(root: Path) -> None:
    policy_file = root / "policies" / "invitations.sql"
    without, found = re.subn(
        rf'create policy "{REMOVED}".*?;\n', "", policy_file.read_text(), flags=re.DOTALL
    )
    assert found == 1
    policy_file.write_text(without)


def test_an_edited_policy_file_needs_a_new_policies_migration(root: Path) -> None:
    assert migrations.policies_current(root)
    remove_a_policy(root)
    assert not migrations.policies_current(root)

    written = migrations.write_policies(root)
    assert migrations.migrations(root)[-1] == written
    assert written.name == "policies"
    assert f'create policy "{REMOVED}"' not in written.path.read_text()
    assert migrations.policies_current(root)


def test_a_migration_after_the_policies_one_needs_another(root: Path) -> None:
    """The triggers follow every migration (a column added to a company table changes what its
    audit trigger names), so the policies migration must come last, not only say the same."""
    last = migrations.migrations(root)[-1]
    later = root / "migrations" / f"{migrations.next_version(root)}_notes.sql"
    later.write_text("create table public.later (id int);\n")
    assert not migrations.policies_current(root)
    written = migrations.write_policies(root)
    assert written.path.read_text() == last.path.read_text()
    assert migrations.policies_current(root)


def test_a_new_migration_sorts_last_whatever_the_clock_says(root: Path) -> None:
    (root / "migrations" / "29991231235959_last.sql").write_text("select 1;\n")
    assert migrations.next_version(root, datetime(2020, 1, 1, tzinfo=UTC)) == "30000101000000"
    assert migrations.next_version(root, datetime(3001, 2, 3, 4, 5, 6, tzinfo=UTC)) == (
        "30010203040506"
    )
    with pytest.raises(ValueError, match="must come after the last migration"):
        migrations.write_policies(root, version="29991231235959")
    with pytest.raises(ValueError, match="a version is YYYYMMDDHHMMSS"):
        migrations.write_policies(root, version="3000")


def test_the_policies_migration_drops_a_policy_removed_from_the_files(
    root: Path, empty_database: TestDatabase
) -> None:
    """Applied as the CLI applies it: its history table, then the migrations alone, no
    `apply_policies` after them."""
    earlier = migrations.migrations(root)[-1]
    assert f'create policy "{REMOVED}"' in earlier.path.read_text()
    remove_a_policy(root)
    migrations.write_policies(root)
    with admin_connection(empty_database.admin_url) as admin:
        migrations.bootstrap(admin, root)
        for migration in migrations.migrations(root):
            with admin.transaction():
                admin.execute(migration.path.read_text().encode())
        names = policies_on(admin, "public.invitations")
    assert names and REMOVED not in names


def flask_db_policies_check(application: Flask) -> tuple[int, str]:
    """`flask db policies --check`: never writes into the checkout, whatever it finds."""
    result = application.test_cli_runner().invoke(args=["db", "policies", "--check"])
    return result.exit_code, result.output


def test_flask_db_policies_says_up_to_date(app: Flask) -> None:
    assert flask_db_policies_check(app) == (
        0,
        "up to date: the last migration carries supabase/policies/\n",
    )
