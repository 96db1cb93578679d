"""Checks over the database catalog that keep the security rules true as tables are added
(`flask db check`, and the tests run the same checks)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from app.db import Connection, Row
from app.migrations import AUDITED_SCHEMAS, MANAGED_SCHEMAS, ROOT, drift, migrations

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
        """
        select format('%%I.%%I', n.nspname, c.relname) as name
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p') and n.nspname = any(%(schemas)s)
          and (exists (select from pg_attribute a where a.attrelid = c.oid
                       and a.attname = 'tenant_id' and not a.attisdropped)
               or c.oid = 'public.tenants'::regclass)
        order by 1
        """,
        {"schemas": list(MANAGED_SCHEMAS)},
    ).fetchall()
    return [row["name"] for row in rows]


def check_row_level_security(conn: Connection) -> list[Problem]:
    """Every table of a managed schema has RLS on; in an exposed schema it also has policies."""
    rows = conn.execute(
        """
        select n.nspname as schema, c.relname as table, c.relrowsecurity as rls,
               (select count(*) from pg_policy p where p.polrelid = c.oid) as policies
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p') and n.nspname = any(%(schemas)s)
        """,
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
            """
            select i.indisunique as is_unique,
                   array(select a.attname::text from unnest(i.indkey) with ordinality k(attnum, ord)
                         join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
                         order by k.ord) as columns
            from pg_index i where i.indrelid = %(table)s::regclass
            """,
            {"table": table},
        ).fetchall()
        if not any(ix["columns"][:1] == ["tenant_id"] for ix in indexes):
            problems.append(Problem("index", table, "no index leads with tenant_id"))
        columns = {
            c["attname"]
            for c in conn.execute(
                "select attname from pg_attribute where attrelid = %(table)s::regclass"
                " and attnum > 0 and not attisdropped",
                {"table": table},
            ).fetchall()
        }
        if "id" in columns and not any(
            ix["is_unique"] and ix["columns"] == ["tenant_id", "id"] for ix in indexes
        ):
            nullable = conn.execute(
                "select not attnotnull as nullable from pg_attribute"
                " where attrelid = %(table)s::regclass and attname = 'tenant_id'",
                {"table": table},
            ).fetchone()
            if nullable and not nullable["nullable"]:
                problems.append(Problem("key", table, "no unique key on (tenant_id, id)"))
    return problems


def check_tenant_foreign_keys(conn: Connection) -> list[Problem]:
    """A reference from one company's table to another's includes tenant_id (composite key)."""
    rows = conn.execute(
        """
        select format('%%I.%%I', sn.nspname, s.relname) as source, con.conname,
               format('%%I.%%I', tn.nspname, t.relname) as target,
               array(select a.attname::text from unnest(con.conkey) k(attnum)
                     join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum)
                 as columns
        from pg_constraint con
        join pg_class s on s.oid = con.conrelid join pg_namespace sn on sn.oid = s.relnamespace
        join pg_class t on t.oid = con.confrelid join pg_namespace tn on tn.oid = t.relnamespace
        where con.contype = 'f' and sn.nspname = any(%(schemas)s)
        """,
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
        """
        select format('%%I.%%I(%%s)', n.nspname, p.proname,
                      pg_get_function_identity_arguments(p.oid)) as name
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = any(%(schemas)s)
          and not exists (select from unnest(coalesce(p.proconfig, '{}')) c
                          where c like 'search_path=%%')
          and not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')
        """,
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
        "select schemaname, tablename, policyname, coalesce(qual, '') as qual,"
        " coalesce(with_check, '') as with_check from pg_policies"
        " where schemaname = any(%(schemas)s)",
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
    trigger `audit_changes` of audit.record_change, after insert, update and delete."""
    rows = conn.execute(
        """
        select format('%%I.%%I', n.nspname, c.relname) as name
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where format('%%I.%%I', n.nspname, c.relname) = any(%(tables)s)
          and n.nspname = any(%(schemas)s)
          and not exists (
            select from pg_trigger t
            where t.tgrelid = c.oid and t.tgname = 'audit_changes' and t.tgenabled <> 'D'
              and t.tgfoid = to_regprocedure('audit.record_change()')
              -- row (1), insert (4), delete (8), update (16); neither before (2) nor instead (64)
              and t.tgtype::integer & 95 = 29)
        """,
        {"tables": tenant_tables(conn), "schemas": list(AUDITED_SCHEMAS)},
    ).fetchall()
    return [
        Problem("audit", row["name"], "changes are not audited (no audit_changes trigger)")
        for row in rows
    ]


def check_function_grants(conn: Connection) -> list[Problem]:
    """No security definer function of ours is executable by PUBLIC: every grant is explicit."""
    rows = conn.execute(
        """
        select format('%%I.%%I(%%s)', n.nspname, p.proname,
                      pg_get_function_identity_arguments(p.oid)) as name
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = any(%(schemas)s) and p.prosecdef
          and exists (select from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                      where a.grantee = 0 and a.privilege_type = 'EXECUTE')
          and not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')
        """,
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
        """
        select format('%%I.%%I.%%I', n.nspname, c.relname, a.attname) as name
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
        where format('%%I.%%I', n.nspname, c.relname) = any(%(tables)s)
          and n.nspname = any(%(schemas)s) and a.atttypid = 'uuid'::regtype
          and (a.attname = 'author_id' or a.attname like '%%\\_by')
          and not exists (
            select from pg_trigger t
            where t.tgrelid = c.oid and t.tgenabled <> 'D'
              and t.tgfoid = to_regprocedure('app.stamp_author()')
              -- row (1), before (2), insert (4), update (16)
              and t.tgtype::integer & 23 = 23
              and (string_to_array(encode(t.tgargs, 'escape'), '\\000'))[1] = a.attname)
        order by 1
        """,
        {"tables": tenant_tables(conn), "schemas": list(AUDITED_SCHEMAS)},
    ).fetchall()
    return [
        Problem("attribution", row["name"], "not stamped by the database (app.stamp_author)")
        for row in rows
        if row["name"] not in STAMPED_ELSEWHERE
    ]


CHECKS = (
    check_row_level_security,
    check_tenant_indexes,
    check_tenant_foreign_keys,
    check_function_search_paths,
    check_policy_helpers,
    check_audit_triggers,
    check_function_grants,
    check_attribution_stamped,
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
        """
        select format('%%I.%%I(%%s)', n.nspname, p.proname,
                      pg_get_function_identity_arguments(p.oid)) as name,
               p.proargnames as names, p.proargmodes::text[] as modes,
               array(select r from unnest(%(roles)s::text[]) r
                     where has_function_privilege(r, p.oid, 'EXECUTE') order by r) as callers
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where p.prosecdef and n.nspname <> all(%(platform)s)
          and n.nspname <> 'information_schema' and n.nspname not like 'pg\\_%%'
          and not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')
        order by 1
        """,
        {"platform": list(PLATFORM_SCHEMAS), "roles": api_roles(conn)},
    ).fetchall()


def api_roles(conn: Connection) -> list[str]:
    """The API roles that exist here (`plenum_signin` may not yet)."""
    rows = conn.execute(
        "select rolname from pg_roles where rolname = any(%(roles)s) order by 1",
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
        """
        select format('%%I.%%I(%%s)', n.nspname, p.proname,
                      pg_get_function_identity_arguments(p.oid)) as name
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = any(%(schemas)s) and not p.prosecdef
          and exists (select from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                      where a.grantee = 0 and a.privilege_type = 'EXECUTE')
          and not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')
        order by 1
        """,
        {"schemas": list(MANAGED_SCHEMAS)},
    ).fetchall()
    return [Problem("grant", row["name"], "function is executable by PUBLIC") for row in rows]


def check_function_default_privileges(conn: Connection) -> list[Problem]:
    """New functions will not be executable by PUBLIC either: neither the global default
    privileges of a role that owns functions here (or runs the migrations) nor its defaults in
    a managed schema grant PUBLIC execute. Without a global entry, PostgreSQL's default does."""
    rows = conn.execute(
        """
        select r.rolname as role, n.nspname as schema
        from pg_roles r
        cross join lateral (
          select 0::oid as namespace, coalesce(
                   (select d.defaclacl from pg_default_acl d where d.defaclrole = r.oid
                    and d.defaclnamespace = 0 and d.defaclobjtype = 'f'),
                   acldefault('f', r.oid)) as acl
          union all
          select d.defaclnamespace, d.defaclacl from pg_default_acl d
          where d.defaclrole = r.oid and d.defaclobjtype = 'f'
            and d.defaclnamespace::regnamespace::text = any(%(schemas)s)) d
        left join pg_namespace n on n.oid = d.namespace
        where (r.rolname = current_user or r.oid in (
                 select p.proowner from pg_proc p join pg_namespace pn on pn.oid = p.pronamespace
                 where pn.nspname = any(%(schemas)s)))
          and exists (select from aclexplode(d.acl) a
                      where a.grantee = 0 and a.privilege_type = 'EXECUTE')
        order by 1, 2 nulls first
        """,
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
