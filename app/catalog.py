"""Checks over the database catalog that keep the security rules true as tables are added
(`flask db check`, and the tests run the same checks)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from app import sql
from app.db import Connection, Row
from app.migrations import (
    AUDITED_SCHEMAS,
    MANAGED_SCHEMAS,
    READ_ONLY_EXEMPT,
    READ_ONLY_SCHEMAS,
    ROOT,
    drift,
    migrations,
)

queries = sql.load(__file__, "catalog.sql")

# Helpers a policy may call only wrapped as `(select helper())`, so they run once per statement.
_HELPER_CALL = re.compile(r"\b(app|auth)\.(\w+)\(")


@dataclass(frozen=True)
class Problem:
    check: str
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"{self.check}: {self.subject}: {self.detail}"


def exposed_schemas() -> list[str]:
    """The schemas the Data API exposes, from supabase/config.toml."""
    config = tomllib.loads((ROOT / "config.toml").read_text())
    return list(config["api"]["schemas"])


def tenant_tables(conn: Connection) -> list[str]:
    """Every table of the managed schemas that carries a company (`tenant_id`), plus tenants."""
    rows = conn.execute(
        queries.tenant_tables,
        {"schemas": list(MANAGED_SCHEMAS)},
    ).fetchall()
    return [row["name"] for row in rows]


def table_columns(conn: Connection, table: str) -> list[Row]:
    """A table's columns in order: `name`, `type`, `nullable`, `is_bytea`."""
    return conn.execute(queries.table_columns, {"table": table}).fetchall()


def company_foreign_keys(conn: Connection, tables: list[str]) -> list[Row]:
    """The foreign keys between `tables` (company tables, usually): `source`, `target`,
    `on_delete` (pg_constraint's letter), `columns` and `referenced`, in key order."""
    return conn.execute(queries.company_foreign_keys, {"tables": tables}).fetchall()


def check_row_level_security(conn: Connection) -> list[Problem]:
    """Every table of a managed schema has RLS on; in an exposed schema it also has policies."""
    rows = conn.execute(
        queries.tables_with_row_security,
        {"schemas": list(MANAGED_SCHEMAS)},
    ).fetchall()
    exposed = set(exposed_schemas())
    problems = []
    for row in rows:
        name = f"{row['schema']}.{row['table']}"
        if not row["rls"]:
            problems.append(Problem("rls", name, "row-level security is not enabled"))
        elif row["schema"] in exposed and row["policies"] == 0:
            problems.append(Problem("rls", name, "exposed by the Data API but has no policies"))
    return problems


def check_tenant_indexes(conn: Connection) -> list[Problem]:
    """Every table with a tenant_id has an index leading with it, and a unique (tenant_id, id)."""
    problems = []
    for table in tenant_tables(conn):
        if table == "public.tenants":
            continue
        indexes = conn.execute(
            queries.table_indexes,
            {"table": table},
        ).fetchall()
        if not any(ix["columns"][:1] == ["tenant_id"] for ix in indexes):
            problems.append(Problem("index", table, "no index leads with tenant_id"))
        columns = {c["name"] for c in table_columns(conn, table)}
        if "id" in columns and not any(
            ix["is_unique"] and ix["columns"] == ["tenant_id", "id"] for ix in indexes
        ):
            nullable = conn.execute(
                queries.tenant_id_nullable,
                {"table": table},
            ).fetchone()
            if nullable and not nullable["nullable"]:
                problems.append(Problem("key", table, "no unique key on (tenant_id, id)"))
    return problems


def check_tenant_foreign_keys(conn: Connection) -> list[Problem]:
    """A reference from one company's table to another's includes tenant_id (composite key)."""
    rows = conn.execute(
        queries.tenant_foreign_keys,
        {"schemas": list(MANAGED_SCHEMAS)},  # with parameters, `%%` above is a literal `%`
    ).fetchall()
    tables = set(tenant_tables(conn)) - {"public.tenants"}
    return [
        Problem(
            "foreign key",
            row["source"],
            f"{row['conname']} references {row['target']} without tenant_id",
        )
        for row in rows
        if row["source"] in tables and row["target"] in tables and "tenant_id" not in row["columns"]
    ]


def check_function_search_paths(conn: Connection) -> list[Problem]:
    """Every function of ours fixes its search_path (auth's are Supabase's own)."""
    rows = conn.execute(
        queries.functions_without_search_path,
        {"schemas": list(MANAGED_SCHEMAS)},
    ).fetchall()
    return [
        Problem("search_path", row["name"], "function does not set search_path") for row in rows
    ]


def per_row_helper_calls(expression: str) -> list[str]:
    """Helper calls in a policy expression that are not wrapped in `(select …)`."""
    calls = []
    for match in _HELPER_CALL.finditer(expression):
        before = expression[: match.start()].rstrip()
        if not re.search(r"\(\s*SELECT$", before, re.IGNORECASE):
            calls.append(f"{match[1]}.{match[2]}()")
    return calls


def check_policy_helpers(conn: Connection) -> list[Problem]:
    rows = conn.execute(
        queries.policy_expressions,
        {"schemas": list(MANAGED_SCHEMAS)},
    ).fetchall()
    problems = []
    for row in rows:
        for call in per_row_helper_calls(row["qual"] + " " + row["with_check"]):
            problems.append(
                Problem(
                    "policy",
                    f'{row["schemaname"]}.{row["tablename"]} "{row["policyname"]}"',
                    f"calls {call} per row; wrap it as (select {call})",
                )
            )
    return problems


def check_audit_triggers(conn: Connection) -> list[Problem]:
    """Every company table outside the audit schema records its changes (P-07): an enabled row
    trigger `audit_changes` of audit.record_change after update and delete, and the statement
    trigger `audit_inserts` of audit.record_inserts after insert (all rows of a statement at
    once, from its transition table `new_rows`)."""
    rows = conn.execute(
        queries.tables_without_audit_trigger,
        {"tables": tenant_tables(conn), "schemas": list(AUDITED_SCHEMAS)},
    ).fetchall()
    return [
        Problem(
            "audit",
            row["name"],
            "changes are not audited (no audit_changes and audit_inserts triggers)",
        )
        for row in rows
    ]


def check_read_only_triggers(conn: Connection) -> list[Problem]:
    """P-11: every company table of public refuses changes while its company is closed: an
    enabled row trigger `_read_only_when_closed` before insert, update and delete, of
    app.refuse_writes_when_closed (app.refuse_company_changes_when_closed for tenants). The
    exempt tables (the export, which a closed company still writes) must not have it."""
    rows = conn.execute(
        queries.read_only_trigger_state,
        {"tables": tenant_tables(conn), "schemas": list(READ_ONLY_SCHEMAS)},
    ).fetchall()
    problems = []
    for row in rows:
        if row["name"] in READ_ONLY_EXEMPT and row["present"]:
            problems.append(
                Problem("read-only", row["name"], "an exempt table must stay writable when closed")
            )
        elif row["name"] not in READ_ONLY_EXEMPT and not row["enforced"]:
            problems.append(
                Problem(
                    "read-only",
                    row["name"],
                    "writes are not refused when the company is closed"
                    " (no _read_only_when_closed trigger)",
                )
            )
    return problems


def check_function_grants(conn: Connection) -> list[Problem]:
    """No security definer function of ours is executable by PUBLIC: every grant is explicit."""
    rows = conn.execute(
        queries.function_grants,
        {"schemas": list(MANAGED_SCHEMAS)},
    ).fetchall()
    return [
        Problem("grant", row["name"], "security definer function is executable by PUBLIC")
        for row in rows
    ]


# Attribution columns stamped by something other than app.stamp_author: the invitation
# functions of `iam` stamp invited_by themselves (issue 10).
STAMPED_ELSEWHERE = {"public.invitations.invited_by"}


def check_attribution_stamped(conn: Connection) -> list[Problem]:
    """Who wrote or did something (a uuid column `author_id` or `*_by`, e.g. `created_by`) on a
    company table of public or outbox is stamped by the database: a row trigger of
    app.stamp_author, before insert and update, names the column."""
    rows = conn.execute(
        queries.attribution_columns,
        {"tables": tenant_tables(conn), "schemas": list(AUDITED_SCHEMAS)},
    ).fetchall()
    return [
        Problem("attribution", row["name"], "not stamped by the database (app.stamp_author)")
        for row in rows
        if row["name"] not in STAMPED_ELSEWHERE
    ]


def check_retention_rules(conn: Connection) -> list[Problem]:
    """P-12: every company table has one rule in app.retention_rules saying what the purge does
    with it (and how long its rows are kept), and every rule names a table that exists."""
    missing = conn.execute(
        queries.tables_without_retention_rule,
        {"tables": tenant_tables(conn)},
    ).fetchall()
    orphans = conn.execute(queries.retention_rules_without_table).fetchall()
    return [
        Problem(
            "retention",
            row["name"],
            "no retention rule with on_purge in app.retention_rules"
            if row["rules"] == 0
            else "more than one retention rule with on_purge",
        )
        for row in missing
    ] + [
        Problem("retention", row["record_kind"], f"names no table ({row['table_name']})")
        for row in orphans
    ]


def check_periodic_rules(conn: Connection) -> list[Problem]:
    """P-12: every rule with a period can be swept: its age column is a column of its table, and
    its sweep function, when it names one, is `fn(p_cutoff timestamptz, p_batch integer) returns
    integer`. Otherwise the daily sweep would fail on it, or, worse, never look."""
    problems = []
    for row in conn.execute(queries.periodic_rules_not_sweepable).fetchall():
        if not row["column_found"]:
            detail = f"{row['table_name']} has no column {row['age_column']}"
            problems.append(Problem("retention", row["record_kind"], detail))
        if not row["function_found"]:
            detail = f"no function {row['sweep_function']}(timestamptz, integer) returns integer"
            problems.append(Problem("retention", row["record_kind"], detail))
    return problems


def retention_table(conn: Connection) -> str:
    """P-12: the rules with a period as a Markdown table (README's retention table)."""
    lines = ["| Record | Kept | Then | What and why |", "| --- | --- | --- | --- |"]
    for row in conn.execute(queries.periodic_retention_rules).fetchall():
        then = "deleted" if row["action"] == "delete" else "blanked"
        cells = (row["record_kind"], row["period"], then, row["reason"].replace("|", "\\|"))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


CHECKS = (
    check_row_level_security,
    check_tenant_indexes,
    check_tenant_foreign_keys,
    check_function_search_paths,
    check_policy_helpers,
    check_audit_triggers,
    check_read_only_triggers,
    check_function_grants,
    check_attribution_stamped,
    check_retention_rules,
    check_periodic_rules,
)


# --- functions as part of the boundary (issue 10) -----------------------------------------
# Security definer functions `anon` may execute, each with why that is safe. Reviewed; keep it
# short: a pre-sign-in step belongs to a dedicated role the app's login role holds, not to anon.
ANON_DEFINERS: dict[str, str] = {}
# The roles a client can reach through the Data API or the app's login role.
API_ROLES = ("anon", "authenticated", "plenum_signin")
# Schemas that are Supabase's, not ours: their functions are the platform's to review.
PLATFORM_SCHEMAS = (
    "auth", "extensions", "storage", "graphql", "graphql_public", "realtime", "vault",
    "pgsodium", "pgsodium_masks", "net", "cron", "pgbouncer", "supabase_functions",
    "supabase_migrations", "_realtime", "_analytics", "pgtle",
)  # fmt: skip
# Argument names that carry a company: `p_tenant`, `p_tenant_id`, `tenant_id`, `_tenant`, …
_TENANT_ARGUMENT = re.compile(r"^(p_|_|in_)?(tenant|company)(_id)?$")
# Migrations from this version on must enable row-level security on every table they create.
RLS_IN_SAME_MIGRATION_FROM = "20261204000000"
_SQL_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_NAME = r"((?:\"[^\"]+\"|[\w$]+)(?:\s*\.\s*(?:\"[^\"]+\"|[\w$]+))?)"
_CREATE_TABLE = re.compile(
    r"\bcreate\s+(?:unlogged\s+)?table\s+(?:if\s+not\s+exists\s+)?" + _NAME, re.IGNORECASE
)
_ENABLE_RLS = re.compile(
    r"\balter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?" + _NAME
    + r"\s+enable\s+row\s+level\s+security",
    re.IGNORECASE,
)  # fmt: skip


def our_definers(conn: Connection) -> list[Row]:
    """Security definer functions of our schemas (not the system's, Supabase's or an
    extension's): signature, input argument names and modes, and the API roles that may call."""
    return conn.execute(
        queries.our_definers,
        {"platform": list(PLATFORM_SCHEMAS), "roles": api_roles(conn)},
    ).fetchall()


def api_roles(conn: Connection) -> list[str]:
    """The API roles that exist here (`plenum_signin` may not yet)."""
    rows = conn.execute(
        queries.api_roles,
        {"roles": list(API_ROLES)},
    ).fetchall()
    return [row["rolname"] for row in rows]


def check_definers_for_anon(conn: Connection) -> list[Problem]:
    """No security definer of ours is executable by anon (directly or through PUBLIC) unless
    it is on the reviewed allow-list, ANON_DEFINERS."""
    return [
        Problem("definer", str(row["name"]), "security definer function is executable by anon")
        for row in our_definers(conn)
        if "anon" in row["callers"] and row["name"] not in ANON_DEFINERS
    ]


def tenant_arguments(names: list[str] | None, modes: list[str] | None) -> list[str]:
    """The input arguments named like a company id."""
    names = names or []
    modes = modes or ["i"] * len(names)
    return [
        name
        for name, mode in zip(names, modes, strict=False)
        if mode in ("i", "b", "v") and _TENANT_ARGUMENT.match(name or "")
    ]


def check_definer_tenant_arguments(conn: Connection) -> list[Problem]:
    """A security definer executable by an API role takes no company id: the company comes
    from `app.tenant_id()`, never from the caller."""
    problems = []
    for row in our_definers(conn):
        arguments = tenant_arguments(row["names"], row["modes"])
        callers: list[str] = row["callers"]
        if arguments and callers:
            problems.append(
                Problem(
                    "definer",
                    str(row["name"]),
                    f"security definer function takes a company id ({', '.join(arguments)})"
                    f" and is executable by {', '.join(callers)}",
                )
            )
    return problems


def check_function_public_execute(conn: Connection) -> list[Problem]:
    """No function of a managed schema is executable by PUBLIC (definers: check_function_grants):
    execute is granted to the roles that need it, explicitly."""
    rows = conn.execute(
        queries.functions_executable_by_public,
        {"schemas": list(MANAGED_SCHEMAS)},
    ).fetchall()
    return [Problem("grant", row["name"], "function is executable by PUBLIC") for row in rows]


def check_function_default_privileges(conn: Connection) -> list[Problem]:
    """New functions will not be executable by PUBLIC either: neither the global default
    privileges of a role that owns functions here (or runs the migrations) nor its defaults in
    a managed schema grant PUBLIC execute. Without a global entry, PostgreSQL's default does."""
    rows = conn.execute(
        queries.default_function_privileges,
        {"schemas": list(MANAGED_SCHEMAS)},
    ).fetchall()
    return [
        Problem(
            "grant",
            f"default privileges of {row['role']}"
            + (f" in schema {row['schema']}" if row["schema"] else ""),
            "new functions are executable by PUBLIC; alter default privileges"
            + (f" in schema {row['schema']}" if row["schema"] else "")
            + " revoke execute on functions from public",
        )
        for row in rows
    ]


def _relation(name: str) -> str:
    """`Public."Notes"` → `public.Notes`; an unqualified name is in public."""
    parts = [
        p.strip()[1:-1] if p.strip().startswith('"') else p.strip().lower() for p in name.split(".")
    ]
    return ".".join(parts if len(parts) == 2 else ["public", *parts])


def migration_rls_problems(root: Path = ROOT) -> list[Problem]:
    """Every migration since RLS_IN_SAME_MIGRATION_FROM enables row-level security on each
    table it creates, in the same file: deny by default, whoever applies the migrations."""
    problems = []
    for migration in migrations(root):
        if migration.version < RLS_IN_SAME_MIGRATION_FROM:
            continue
        text = _SQL_COMMENT.sub(" ", migration.path.read_text())
        created = {_relation(m[1]) for m in _CREATE_TABLE.finditer(text)}
        enabled = {_relation(m[1]) for m in _ENABLE_RLS.finditer(text)}
        problems += [
            Problem(
                "migration",
                f"{migration.path.name}: {table}",
                "creates a table without enabling row-level security in the same migration",
            )
            for table in sorted(created - enabled)
        ]
    return problems


def check_migrations_enable_rls(conn: Connection) -> list[Problem]:
    return migration_rls_problems()


def check_migration_files(conn: Connection) -> list[Problem]:
    """A landed migration is never edited or removed: a change is a new migration."""
    return [
        Problem("migration", name, f"{detail}: add a new migration instead")
        for name, detail in drift(conn)
    ]


FUNCTION_CHECKS = (
    check_definers_for_anon,
    check_definer_tenant_arguments,
    check_function_public_execute,
    check_function_default_privileges,
    check_migrations_enable_rls,
    check_migration_files,
)


def run_checks(conn: Connection) -> list[Problem]:
    return [problem for check in (*CHECKS, *FUNCTION_CHECKS) for problem in check(conn)]
