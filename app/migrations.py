"""Applies `supabase/` to a database: local bootstrap, migrations in order, then every policy.

Versions are recorded in `supabase_migrations.schema_migrations`, as the Supabase CLI does, so
either tool can take over a database the other started. The Supabase CLI applies
`supabase/migrations/` only: what `up` does after the migrations (triggers, policies) is also
written into the last migration, `<version>_policies.sql`, by `flask db policies`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from psycopg import sql

from app import sql as named
from app.db import Connection

ROOT = Path(__file__).resolve().parent.parent / "supabase"
VERSION = re.compile(r"^(\d{14})_(\w+)\.sql$")
VERSION_FORMAT = "%Y%m%d%H%M%S"
# Schemas whose tables get their policies from supabase/policies/.
MANAGED_SCHEMAS = ("public", "iam", "outbox", "app", "audit")
# Schemas whose company tables get the audit trigger (the audit schema itself does not).
AUDITED_SCHEMAS = ("public", "outbox")
# Schemas whose company tables are read-only while their company is closed (P-11), and the
# tables a closed company must still write: its export.
READ_ONLY_SCHEMAS = ("public",)
READ_ONLY_EXEMPT = ("public.company_exports",)
queries = named.load(__file__, "migrations.sql")
LOCK_KEY = 5_404_101  # advisory lock: one migration runner at a time
# The name of the migrations `flask db policies` writes; the last migration must be one, with
# the text the files give today (tests/deploy/test_policies_migration.py).
POLICIES = "policies"
POLICIES_HEADER = (
    "-- Written by `flask db policies` from supabase/policies/: do not edit. What `flask db up`\n"
    "-- does after the migrations, as a migration, so that `supabase db push` gives the same\n"
    "-- database: the audit and read-only triggers on every company table, then every policy\n"
    "-- of our schemas replaced by those of the files.\n"
)


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    path: Path


def migrations(root: Path = ROOT) -> list[Migration]:
    """Every migration file, in version order; a misnamed file is an error, not skipped."""
    found = []
    for path in sorted((root / "migrations").glob("*.sql")):
        match = VERSION.match(path.name)
        if match is None:
            raise ValueError(f"{path.name}: migrations are named YYYYMMDDHHMMSS_name.sql")
        found.append(Migration(match[1], match[2], path))
    return found


def applied_versions(conn: Connection) -> set[str]:
    exists = conn.execute(queries.history_table_present).fetchone()
    if not exists or not exists["present"]:
        return set()
    rows = conn.execute(queries.applied_versions).fetchall()
    return {row["version"] for row in rows}


def pending(conn: Connection, root: Path = ROOT) -> list[Migration]:
    done = applied_versions(conn)
    return [m for m in migrations(root) if m.version not in done]


def apply_local(conn: Connection, root: Path = ROOT) -> None:
    """What a Supabase project already has (roles, `auth`, `extensions`), created only where
    missing: all a database needs before the migrations, however they are applied."""
    with conn.transaction():
        for path in sorted((root / "local").glob("*.sql")):
            conn.execute(path.read_text().encode())


def bootstrap(conn: Connection, root: Path = ROOT) -> None:
    """`apply_local`, and the migration history where missing."""
    apply_local(conn, root)
    with conn.transaction():
        conn.execute(
            "create schema if not exists supabase_migrations;"
            " create table if not exists supabase_migrations.schema_migrations"
            " (version text primary key, statements text[], name text);"
            # What each migration's file said when it was applied: an edited or deleted landed
            # migration is then caught by `flask db check` instead of silently diverging.
            " create table if not exists supabase_migrations.file_digests"
            " (version text primary key, sha256 text not null)"
        )


def _policy_files(root: Path) -> list[Path]:
    return sorted((root / "policies").glob("*.sql"))


def _drop_managed_policies() -> sql.Composed:
    return sql.SQL(queries.drop_managed_policies).format(schemas=sql.Literal(list(MANAGED_SCHEMAS)))


def _attach_audit_triggers() -> sql.Composed:
    return sql.SQL(queries.attach_audit_triggers).format(schemas=sql.Literal(list(AUDITED_SCHEMAS)))


def _attach_read_only_triggers() -> sql.Composed:
    return sql.SQL(queries.attach_read_only_triggers).format(
        schemas=sql.Literal(list(READ_ONLY_SCHEMAS)), exempt=sql.Literal(list(READ_ONLY_EXEMPT))
    )


def apply_policies(conn: Connection, root: Path = ROOT) -> int:
    """Drop every policy of the managed schemas and create those of the files, atomically:
    a policy deleted from the files disappears, and no request ever sees a half-applied set."""
    files = _policy_files(root)
    with conn.transaction():
        conn.execute(_drop_managed_policies())
        for path in files:
            conn.execute(path.read_text().encode())
    return len(files)


def attach_audit_triggers(conn: Connection) -> int:
    """Every company table gets the audit trigger, without anyone having to remember it."""
    with conn.transaction():
        present = conn.execute(queries.audit_triggers_present).fetchone()
        if not present or not present["present"]:
            return 0
        row = conn.execute(_attach_audit_triggers()).fetchone()
    return int(row["attached"]) if row else 0


def attach_read_only_triggers(conn: Connection) -> int:
    """Every company table refuses changes while its company is closed, without anyone having
    to remember it; the exempt tables (the export) lose the trigger if they had it."""
    with conn.transaction():
        present = conn.execute(queries.read_only_triggers_present).fetchone()
        if not present or not present["present"]:
            return 0
        row = conn.execute(_attach_read_only_triggers()).fetchone()
    return int(row["attached"]) if row else 0


def up(conn: Connection, root: Path = ROOT) -> list[Migration]:
    """Bring the database to the files' state; returns the migrations it applied."""
    conn.execute(queries.take_migration_lock, {"key": LOCK_KEY})
    try:
        bootstrap(conn, root)
        todo = pending(conn, root)
        for migration in todo:
            with conn.transaction():
                conn.execute(migration.path.read_text().encode())
                conn.execute(
                    queries.record_migration,
                    {"version": migration.version, "name": migration.name},
                )
        record_digests(conn, root)
        attach_audit_triggers(conn)
        attach_read_only_triggers(conn)
        apply_policies(conn, root)
        return todo
    finally:
        conn.execute(queries.release_migration_lock, {"key": LOCK_KEY})


def policies_migration(root: Path = ROOT) -> str:
    """The text of a policies migration for the files as they are: the same statements, in the
    same order, as `up` runs after the migrations (the Supabase CLI runs each file in a
    transaction, so no request sees a half-applied set there either)."""
    statements = (_attach_audit_triggers(), _attach_read_only_triggers(), _drop_managed_policies())
    parts = [POLICIES_HEADER, *(statement.as_string(None) + ";\n" for statement in statements)]
    for path in _policy_files(root):
        parts.append("-- supabase/policies/" + path.name + "\n" + path.read_text().rstrip() + "\n")
    return "\n".join(parts)


def policies_current(root: Path = ROOT) -> bool:
    """Whether the last migration is a policies migration with the files' text of today: then
    the migrations alone (`supabase db push`) give what `up` gives."""
    found = migrations(root)
    return (
        bool(found)
        and found[-1].name == POLICIES
        and (found[-1].path.read_text() == policies_migration(root))
    )


def next_version(root: Path = ROOT, now: datetime | None = None) -> str:
    """Now (UTC), or one second after the last migration where that is later: a new migration
    always sorts last."""
    version = (now or datetime.now(UTC)).strftime(VERSION_FORMAT)
    found = migrations(root)
    if found and found[-1].version >= version:
        after = datetime.strptime(found[-1].version, VERSION_FORMAT) + timedelta(seconds=1)
        version = after.strftime(VERSION_FORMAT)
    return version


def write_policies(root: Path = ROOT, version: str | None = None) -> Migration:
    """Write `<version>_policies.sql` (by default the next version); it must sort last."""
    version = version or next_version(root)
    found = migrations(root)
    if not re.fullmatch(r"\d{14}", version):
        raise ValueError(f"{version}: a version is YYYYMMDDHHMMSS")
    if found and version <= found[-1].version:
        raise ValueError(f"{version}: must come after the last migration, {found[-1].path.name}")
    path = root / "migrations" / f"{version}_{POLICIES}.sql"
    path.write_text(policies_migration(root))
    return Migration(version, POLICIES, path)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def record_digests(conn: Connection, root: Path = ROOT) -> None:
    """The digest of every applied migration's file, where none is recorded yet (a database
    migrated before digests were kept, or by the Supabase CLI, gets today's files')."""
    done = applied_versions(conn)
    with conn.transaction():
        for migration in migrations(root):
            if migration.version in done:
                conn.execute(
                    queries.record_digest,
                    {"version": migration.version, "sha256": _digest(migration.path)},
                )


def drift(conn: Connection, root: Path = ROOT) -> list[tuple[str, str]]:
    """(file, what is wrong) for each applied migration whose file was edited or removed."""
    present = conn.execute(queries.digests_table_present).fetchone()
    if not present or not present["present"]:
        return []
    recorded = conn.execute(queries.recorded_digests).fetchall()
    files = {migration.version: migration for migration in migrations(root)}
    found = []
    for row in recorded:
        migration = files.get(row["version"])
        if migration is None:
            found.append((f"{row['version']}_{row['name']}.sql", "applied, but its file is gone"))
        elif _digest(migration.path) != row["sha256"]:
            found.append((migration.path.name, "edited after it was applied"))
    return found


def reset(conn: Connection) -> None:
    """Drop everything the migrations made (development only; the caller checks)."""
    with conn.transaction():
        for schema in ("app", "iam", "outbox", "audit", "supabase_migrations"):
            conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema)))
        conn.execute("drop schema public cascade; create schema public;")
        conn.execute("grant usage on schema public to public")
