"""`flask db check`: the catalog checks pass on the migrated schema, and each catches the mistake
it exists for when a migration makes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from app import catalog, migrations
from app.db import Connection
from tests.factories import Factory

NOTES_POLICY = """
create policy "Members can see their company's notes" on public.notes for select
  to authenticated using (tenant_id = (select app.tenant_id()));
"""
NOTES_RULE = """
insert into app.retention_rules (record_kind, table_name, on_purge)
values ('public.notes', 'public.notes', 'delete');
"""
WELL_MADE_NOTES = (
    """
create table public.notes (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  body text not null,
  primary key (tenant_id, id)
);
alter table public.notes enable row level security;"""
    + NOTES_POLICY
    + NOTES_RULE
)

FIRST_COMPANY = (
    "create function app.first_company() returns text language sql stable security definer"
    " set search_path = '' as 'select name from public.tenants limit 1';"
    " revoke execute on function app.first_company() from public;"
)
COMPANY_NAME = (
    "create function app.company_name(p_tenant_id uuid) returns text language sql stable"
    " security definer set search_path = ''"
    " as 'select name from public.tenants where id = p_tenant_id';"
    " revoke execute on function app.company_name(uuid) from public;"
)
# Made-up functions for the rules about functions (issue 10).
FUNCTION_MISTAKES = {
    "security definer function granted to anon": (
        FIRST_COMPANY + " grant execute on function app.first_company() to anon",
        "definer: app.first_company(): security definer function is executable by anon",
    ),
    "security definer function anon reaches through PUBLIC": (
        FIRST_COMPANY + " grant execute on function app.first_company() to public",
        "definer: app.first_company(): security definer function is executable by anon",
    ),
    "security definer function taking a company id": (
        COMPANY_NAME + " grant execute on function app.company_name(uuid) to authenticated",
        "definer: app.company_name(p_tenant_id uuid): security definer function takes a company"
        " id (p_tenant_id) and is executable by authenticated",
    ),
    "function executable by PUBLIC": (
        "create function app.add_two(x integer) returns integer language sql immutable"
        " set search_path = '' as 'select x + 2'; grant execute on function app.add_two(integer)"
        " to public",
        "grant: app.add_two(x integer): function is executable by PUBLIC",
    ),
    "default privileges letting PUBLIC execute new functions": (
        "alter default privileges grant execute on functions to public",
        "grant: default privileges of postgres: new functions are executable by PUBLIC;"
        " alter default privileges revoke execute on functions from public",
    ),
    "default privileges letting PUBLIC execute new functions in one schema": (
        "alter default privileges in schema app grant execute on functions to public",
        "grant: default privileges of postgres in schema app: new functions are executable by"
        " PUBLIC; alter default privileges in schema app revoke execute on functions from public",
    ),
}

# (schema change, the line `flask db check` must print)
MISTAKES = {
    "table without row-level security": (
        "create table public.gadgets (id bigint primary key)",
        "rls: public.gadgets: row-level security is not enabled",
    ),
    "exposed table without policies": (
        "create table public.gadgets (id bigint primary key);"
        " alter table public.gadgets enable row level security",
        "rls: public.gadgets: exposed by the Data API but has no policies",
    ),
    "policy calling a helper per row": (
        'create policy "Members see invitations slowly" on public.invitations for select'
        " to authenticated using (tenant_id = app.tenant_id())",
        'policy: public.invitations "Members see invitations slowly":'
        " calls app.tenant_id() per row; wrap it as (select app.tenant_id())",
    ),
    "tenant table without a tenant_id-leading index": (
        WELL_MADE_NOTES.replace(
            "id uuid not null default gen_random_uuid(),", "number integer,"
        ).replace("primary key (tenant_id, id)", "primary key (number, tenant_id)"),
        "index: public.notes: no index leads with tenant_id",
    ),
    "tenant table without a (tenant_id, id) key": (
        WELL_MADE_NOTES.replace("primary key (tenant_id, id)", "primary key (id)")
        + "create index notes_tenant_idx on public.notes (tenant_id);",
        "key: public.notes: no unique key on (tenant_id, id)",
    ),
    "reference between tenant tables without tenant_id": (
        WELL_MADE_NOTES
        + "alter table public.notes add unique (id);"
        + WELL_MADE_NOTES.replace("public.notes", "public.note_comments")
        .replace("notes'", "note comments'")
        .replace("body text not null,", "note_id uuid not null references public.notes (id),"),
        "foreign key: public.note_comments: note_comments_note_id_fkey"
        " references public.notes without tenant_id",
    ),
    "tenant table without a retention rule": (
        WELL_MADE_NOTES.replace(NOTES_RULE, ""),
        "retention: public.notes: no retention rule with on_purge in app.retention_rules",
    ),
    "retention rule for a table that does not exist": (
        "insert into app.retention_rules (record_kind, table_name, on_purge)"
        " values ('gadgets', 'public.gadgets', 'delete')",
        "retention: gadgets: names no table (public.gadgets)",
    ),
    "company table writable while its company is closed": (
        WELL_MADE_NOTES + "select app.attach_read_only_triggers(array['public'], '{}');"
        " alter table public.notes disable trigger _read_only_when_closed",
        "read-only: public.notes: writes are not refused when the company is closed"
        " (no _read_only_when_closed trigger)",
    ),
    "company table refusing only some writes while closed": (
        WELL_MADE_NOTES + "create trigger _read_only_when_closed before update on public.notes"
        " for each row execute function app.refuse_writes_when_closed()",
        "read-only: public.notes: writes are not refused when the company is closed"
        " (no _read_only_when_closed trigger)",
    ),
    "the export refusing writes while closed": (
        "create trigger _read_only_when_closed before insert or update or delete"
        " on public.company_exports for each row execute function app.refuse_writes_when_closed()",
        "read-only: public.company_exports: an exempt table must stay writable when closed",
    ),
    "retention period counted by a column its table lacks": (
        "insert into app.retention_rules (record_kind, table_name, period, age_column)"
        " values ('old tenants', 'public.tenants', interval '1 year', 'made_at')",
        "retention: old tenants: public.tenants has no column made_at",
    ),
    "retention rule swept by a function that does not exist": (
        "insert into app.retention_rules"
        " (record_kind, table_name, period, age_column, sweep_function)"
        " values ('old tenants', 'public.tenants', interval '1 year', 'created_at',"
        " 'app.sweep_old_tenants')",
        "retention: old tenants: no function app.sweep_old_tenants(timestamptz, integer)"
        " returns integer",
    ),
    "retention rule swept by a function of the wrong shape": (
        "insert into app.retention_rules"
        " (record_kind, table_name, period, age_column, sweep_function)"
        " values ('old tenants', 'public.tenants', interval '1 year', 'created_at',"
        " 'app.retention_cutoff')",
        "retention: old tenants: no function app.retention_cutoff(timestamptz, integer)"
        " returns integer",
    ),
    "security definer function executable by everyone": (
        "create function app.whoever() returns uuid language sql stable security definer"
        " set search_path = '' as 'select null::uuid';"
        " grant execute on function app.whoever() to public",
        "grant: app.whoever(): security definer function is executable by PUBLIC",
    ),
    "function without a fixed search_path": (
        "create function app.add_one(x integer) returns integer language sql immutable"
        " as 'select x + 1'",
        "search_path: app.add_one(x integer): function does not set search_path",
    ),
    **FUNCTION_MISTAKES,
}


# Problems the migrated database is allowed to have: none. A line here must say why, and the
# test fails for a line that no longer applies.
KNOWN_PROBLEMS: set[str] = set()


def db_check(app: Flask) -> tuple[int, str]:
    """`flask db check`'s exit code and output, without the KNOWN_PROBLEMS lines."""
    result = app.test_cli_runner().invoke(args=["db", "check"])
    lines = [line for line in result.output.splitlines() if line not in KNOWN_PROBLEMS]
    hidden = len(result.output.splitlines()) - len(lines)
    if hidden and lines == [f"Error: {hidden} catalog problem(s)"]:
        return 0, "catalog checks passed\n"
    if hidden and lines and lines[-1].startswith("Error: "):
        lines[-1] = f"Error: {int(lines[-1].split()[1]) - hidden} catalog problem(s)"
    return result.exit_code, "".join(f"{line}\n" for line in lines)


@pytest.mark.promise("P-01")
def test_the_migrated_schema_passes_every_check(app: Flask, admin: Connection) -> None:
    problems = {str(problem) for problem in catalog.run_checks(admin)}
    assert sorted(problems - KNOWN_PROBLEMS) == []
    assert sorted(KNOWN_PROBLEMS - problems) == [], "fixed: remove these from KNOWN_PROBLEMS"
    assert db_check(app) == (0, "catalog checks passed\n")


def audit_triggers_of(admin: Connection, table: str) -> list[str]:
    rows = admin.execute(
        "select pg_get_triggerdef(oid) as definition from pg_trigger"
        " where tgrelid = %(table)s::regclass and tgname in ('audit_changes', 'audit_inserts')"
        " order by tgname",
        {"table": table},
    ).fetchall()
    return [row["definition"] for row in rows]


def read_only_trigger_of(admin: Connection, table: str) -> list[str]:
    rows = admin.execute(
        "select pg_get_triggerdef(oid) as definition from pg_trigger"
        " where tgrelid = %(table)s::regclass and tgname = '_read_only_when_closed'",
        {"table": table},
    ).fetchall()
    return [row["definition"] for row in rows]


NOT_READ_ONLY = (
    "read-only: public.notes: writes are not refused when the company is closed"
    " (no _read_only_when_closed trigger)"
)
NOT_AUDITED = (
    "audit: public.notes: changes are not audited (no audit_changes and audit_inserts triggers)"
)


def test_a_well_made_tenant_table_passes(app: Flask, admin: Connection, make: Factory) -> None:
    """Well made includes the audit trigger, which nobody writes by hand: `flask db up` (after
    the migrations) attaches it to every company table that lacks it."""
    admin.execute(WELL_MADE_NOTES)
    assert "public.notes" in catalog.tenant_tables(admin)
    assert migrations.attach_audit_triggers(admin) == 1
    assert migrations.attach_read_only_triggers(admin) == 1
    assert audit_triggers_of(admin, "public.notes") == [
        "CREATE TRIGGER audit_changes AFTER DELETE OR UPDATE ON public.notes"
        " FOR EACH ROW EXECUTE FUNCTION audit.record_change('tenant_id', 'id')",
        "CREATE TRIGGER audit_inserts AFTER INSERT ON public.notes REFERENCING NEW TABLE AS"
        " new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit.record_inserts('tenant_id', 'id')",
    ]
    assert db_check(app) == (0, "catalog checks passed\n")

    note = admin.execute(
        "insert into public.notes (tenant_id, body) values (%(t)s, 'Hi') returning id",
        {"t": make.tenant().id},
    ).fetchone()
    assert note is not None
    logged = admin.execute(
        "select operation, row_key from audit.changes where table_name = 'public.notes'"
    ).fetchall()
    assert logged == [{"operation": "insert", "row_key": str(note["id"])}]


@pytest.mark.promise("P-07")
def test_db_check_fails_on_a_tenant_table_without_the_audit_trigger_and_db_up_fixes_it(
    app: Flask, admin: Connection
) -> None:
    admin.execute(WELL_MADE_NOTES)
    exit_code, output = db_check(app)
    assert exit_code != 0
    assert output.splitlines() == [NOT_AUDITED, NOT_READ_ONLY, "Error: 2 catalog problem(s)"]

    up = app.test_cli_runner().invoke(args=["db", "up"])
    assert up.exit_code == 0, up.output
    assert len(audit_triggers_of(admin, "public.notes")) == 2
    assert read_only_trigger_of(admin, "public.notes") == [
        "CREATE TRIGGER _read_only_when_closed BEFORE INSERT OR DELETE OR UPDATE ON public.notes"
        " FOR EACH ROW EXECUTE FUNCTION app.refuse_writes_when_closed()"
    ]
    # `db up` also re-applied supabase/policies/, where a real table's policy would be.
    admin.execute(NOTES_POLICY)
    assert db_check(app) == (0, "catalog checks passed\n")


@pytest.mark.promise("P-07")
@pytest.mark.parametrize(
    "weakened",
    [
        "alter table public.notes disable trigger audit_changes",
        "alter table public.notes disable trigger audit_inserts",
        "drop trigger audit_changes on public.notes;"
        " create trigger audit_changes after update on public.notes"
        " for each row execute function audit.record_change('tenant_id', 'id')",
        "drop trigger audit_inserts on public.notes",
        "drop trigger audit_inserts on public.notes;"
        " create trigger audit_inserts after insert on public.notes"
        " for each statement execute function audit.record_change('tenant_id', 'id')",
        "drop trigger audit_changes on public.notes;"
        " create function app.nothing() returns trigger language plpgsql set search_path = ''"
        " as 'begin return null; end'; revoke execute on function app.nothing() from public;"
        " create trigger audit_changes after insert or update or delete on public.notes"
        " for each row execute function app.nothing()",
    ],
    ids=[
        "disabled",
        "inserts disabled",
        "updates only",
        "no insert trigger",
        "insert trigger of another function",
        "another function",
    ],
)
def test_db_check_fails_on_an_audit_trigger_that_records_less(
    app: Flask, admin: Connection, weakened: str
) -> None:
    admin.execute(WELL_MADE_NOTES)
    migrations.attach_audit_triggers(admin)
    admin.execute(weakened)
    exit_code, output = db_check(app)
    assert exit_code != 0
    assert NOT_AUDITED in output.splitlines()


@pytest.mark.promise("P-01")
@pytest.mark.parametrize("mistake", MISTAKES)
def test_db_check_fails_on(app: Flask, admin: Connection, mistake: str) -> None:
    change, complaint = MISTAKES[mistake]
    admin.execute(change)
    exit_code, output = db_check(app)
    assert exit_code != 0
    assert complaint in output.splitlines()


@pytest.mark.parametrize(
    ("expression", "per_row"),
    [
        # pg_policies spells a wrapped helper like this:
        ("(tenant_id = ( SELECT app.tenant_id() AS tenant_id))", []),
        ("( SELECT app.has_role(VARIADIC ARRAY['owner'::text]) AS has_role)", []),
        ("(select auth.uid()) = account_id", []),
        ("(tenant_id = app.tenant_id())", ["app.tenant_id()"]),
        ("account_id = auth.uid()", ["auth.uid()"]),
        (
            "(tenant_id = ( SELECT app.tenant_id() AS tenant_id)) AND app.has_role('admin'::text)",
            ["app.has_role()"],
        ),
        # Wrapped, but inside an expression over the row: still evaluated per row.
        ("( SELECT (app.tenant_id() = memberships.tenant_id))", ["app.tenant_id()"]),
        # Not our helpers.
        ("myapp.tenant_id() = tenant_id", []),
        ("lower(email) = 'a@example.com'", []),
    ],
)
def test_per_row_helper_calls(expression: str, per_row: list[str]) -> None:
    assert catalog.per_row_helper_calls(expression) == per_row


@pytest.mark.parametrize(
    ("names", "modes", "company"),
    [
        (["p_tenant", "p_day"], None, ["p_tenant"]),
        (["p_tenant_id"], None, ["p_tenant_id"]),
        (["tenant_id", "_company"], ["i", "v"], ["tenant_id", "_company"]),
        (["_tenant"], None, ["_tenant"]),
        (["tenant_id"], ["o"], []),  # an output column is not a caller's choice
        (["p_tenant_name", "p_visit"], None, []),
        (None, None, []),
    ],
)
def test_tenant_arguments(
    names: list[str] | None, modes: list[str] | None, company: list[str]
) -> None:
    assert catalog.tenant_arguments(names, modes) == company


def test_a_company_id_is_fine_for_a_definer_no_api_role_may_call(
    app: Flask, admin: Connection
) -> None:
    admin.execute(COMPANY_NAME)
    admin.execute("grant execute on function app.company_name(uuid) to service_role")
    admin.execute(
        "create function app.company_label(p_tenant uuid) returns text language sql stable"
        " set search_path = '' as 'select name from public.tenants where id = p_tenant';"
        " revoke execute on function app.company_label(uuid) from public;"
        " grant execute on function app.company_label(uuid) to authenticated"
    )
    assert db_check(app) == (0, "catalog checks passed\n")


MIGRATION_FILES = {
    # Before the rule: not checked.
    "20261130000000_old.sql": "create table public.legacy (id bigint primary key);",
    "20261205000000_new.sql": """
-- create table public.in_a_comment (id bigint);
create table if not exists public."Gadgets" (id bigint primary key);
create table app.widgets (id bigint primary key);
alter table app.widgets enable row level security;
CREATE TABLE Sprockets (id bigint);
alter table only public.sprockets enable row level security;
create unlogged table outbox.drafts (id bigint);
""",
    "20261205000100_later.sql": 'alter table public."Gadgets" enable row level security;',
}


@pytest.mark.promise("P-01")
def test_db_check_fails_on_a_migration_creating_a_table_without_rls(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    for name, text in MIGRATION_FILES.items():
        (tmp_path / "migrations" / name).write_text(text)
    problems = [str(problem) for problem in catalog.migration_rls_problems(tmp_path)]
    assert problems == [
        f"migration: 20261205000000_new.sql: {table}: creates a table without enabling row-level"
        " security in the same migration"
        for table in ("outbox.drafts", "public.Gadgets")
    ]


def test_every_migration_since_the_rule_enables_rls_on_its_tables() -> None:
    assert catalog.migration_rls_problems() == []


# --- attribution columns are stamped by the database (issue 10) ------------------------------

NOT_STAMPED = "attribution: public.notes.author_id: not stamped by the database (app.stamp_author)"
AUTHORED_NOTES = WELL_MADE_NOTES.replace(
    "body text not null,", "body text not null, author_id uuid,"
)
STAMPED = (
    "create trigger stamp_author_id before insert or update on public.notes"
    " for each row execute function app.stamp_author('author_id')"
)


def test_an_attribution_column_with_its_stamping_trigger_passes(
    app: Flask, admin: Connection
) -> None:
    admin.execute(AUTHORED_NOTES + STAMPED)
    migrations.attach_audit_triggers(admin)
    migrations.attach_read_only_triggers(admin)
    assert db_check(app) == (0, "catalog checks passed\n")


@pytest.mark.promise("P-07")
@pytest.mark.parametrize(
    "stamping",
    [
        "",
        STAMPED.replace("insert or update", "update"),
        STAMPED.replace("'author_id'", "'editor_id'"),
        STAMPED + "; alter table public.notes disable trigger stamp_author_id",
    ],
    ids=["no trigger", "not on insert", "another column", "disabled"],
)
def test_db_check_fails_on_an_attribution_column_the_client_could_choose(
    app: Flask, admin: Connection, stamping: str
) -> None:
    admin.execute(AUTHORED_NOTES + stamping)
    migrations.attach_audit_triggers(admin)
    migrations.attach_read_only_triggers(admin)
    exit_code, output = db_check(app)
    assert exit_code != 0
    assert output.splitlines() == [NOT_STAMPED, "Error: 1 catalog problem(s)"]


def test_any_uuid_column_named_like_an_attribution_is_checked(
    app: Flask, admin: Connection
) -> None:
    admin.execute(AUTHORED_NOTES.replace("author_id uuid", "approved_by uuid"))
    migrations.attach_audit_triggers(admin)
    migrations.attach_read_only_triggers(admin)
    _, output = db_check(app)
    assert NOT_STAMPED.replace("author_id", "approved_by") in output.splitlines()
