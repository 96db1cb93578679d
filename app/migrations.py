"""Applies `supabase/` to a database: local bootstrap, migrations in order, then every policy.

Versions are recorded in `supabase_migrations.schema_migrations`, as the Supabase CLI does, so
either tool can take over a database the other started.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from psycopg import sql

from app import sql as named
from app.db import Connection

ROOT = Path(__file__).resolve().parent.parent / "supabase"
VERSION = re.compile(r"^(\d{14})_(\w+)\.sql$")
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


def bootstrap(conn: Connection, root: Path = ROOT) -> None:
    """What Supabase provides (roles, `auth`), created only where missing."""
    with conn.transaction():
        for path in sorted((root / "local").glob("*.sql")):
            conn.execute(path.read_text().encode())
        conn.execute(
            "create schema if not exists supabase_migrations;"
            " create table if not exists supabase_migrations.schema_migrations"
            " (version text primary key, statements text[], name text);"
            # What each migration's file said when it was applied: an edited or deleted landed
            # migration is then caught by `flask db check` instead of silently diverging.
            " create table if not exists supabase_migrations.file_digests"
            " (version text primary key, sha256 text not null)"
        )


def apply_policies(conn: Connection, root: Path = ROOT) -> int:
    """Drop every policy of the managed schemas and create those of the files, atomically:
    a policy deleted from the files disappears, and no request ever sees a half-applied set."""
    files = sorted((root / "policies").glob("*.sql"))
    with conn.transaction():
        existing = conn.execute(
            queries.managed_policies,
            {"schemas": list(MANAGED_SCHEMAS)},
        ).fetchall()
        for row in existing:
            conn.execute(
                sql.SQL("drop policy {} on {}.{}").format(
                    sql.Identifier(row["policyname"]),
                    sql.Identifier(row["schemaname"]),
                    sql.Identifier(row["tablename"]),
                )
            )
        for path in files:
            conn.execute(path.read_text().encode())
    return len(files)


def attach_audit_triggers(conn: Connection) -> int:
    """Every company table gets the audit trigger, without anyone having to remember it."""
    with conn.transaction():
        present = conn.execute(queries.audit_triggers_present).fetchone()
        if not present or not present["present"]:
            return 0
        row = conn.execute(
            queries.attach_audit_triggers,
            {"schemas": list(AUDITED_SCHEMAS)},
        ).fetchone()
    return int(row["attached"]) if row else 0


def attach_read_only_triggers(conn: Connection) -> int:
    """Every company table refuses changes while its company is closed, without anyone having
    to remember it; the exempt tables (the export) lose the trigger if they had it."""
    with conn.transaction():
        present = conn.execute(queries.read_only_triggers_present).fetchone()
        if not present or not present["present"]:
            return 0
        row = conn.execute(
            queries.attach_read_only_triggers,
            {"schemas": list(READ_ONLY_SCHEMAS), "exempt": list(READ_ONLY_EXEMPT)},
        ).fetchone()
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
