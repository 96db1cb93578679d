"""`flask db …` (migrations, policies, catalog checks), `flask seed demo` and `flask files
migrate`."""

from __future__ import annotations

import json
from typing import TextIO
from uuid import UUID

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app import catalog, certificates, closing, migrations, schema
from app.audit import checkpoints, verify
from app.auth import links
from app.config import Settings
from app.crypto_commands import crypto_cli
from app.db import Connection, admin_connection, begin
from app.demo import portal as demo_portal
from app.demo import seed
from app.integrations import files, storage

db_cli = AppGroup("db", help="Migrations, policies and catalog checks.")
seed_cli = AppGroup("seed", help="Demonstration data.")
audit_cli = AppGroup("audit", help="The audit log.")
company_cli = AppGroup(
    "company", help="Companies: the platform closes (terminates) or reopens one."
)
# Who the audit log names for the platform's own changes to a company.
PLATFORM_ACTOR = "system:platform"
certificate_cli = AppGroup("certificate", help="Deletion certificates.")
files_cli = AppGroup("files", help="Photos, signatures, logos and exports: the files port.")


def _settings() -> Settings:
    return current_app.config["PLENUM"]


def _admin() -> Connection:
    url = _settings().database_admin_url
    if not url:
        raise click.ClickException(
            "DATABASE_ADMIN_URL is not set: migrations run as the database owner"
            " (on Supabase, the postgres role's connection string)."
        )
    return admin_connection(url)


@db_cli.command("up")
def db_up() -> None:
    """Apply supabase/local where needed, new migrations in order, then every policy."""
    with _admin() as conn:
        applied = migrations.up(conn)
        links.store_public_url(conn, _settings().public_url)
    for migration in applied:
        click.echo(f"applied {migration.version} {migration.name}")
    click.echo(f"up to date ({len(applied)} applied); policies re-applied")
    if not migrations.policies_current():
        click.echo(
            "supabase/policies/ differs from what the migrations apply (all `supabase db push`"
            " applies): run `flask db policies` and commit the migration it writes",
            err=True,
        )


@db_cli.command("policies")
@click.option("--version", help="The new migration's YYYYMMDDHHMMSS (default: now, or later).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when a migration is needed.")
def db_policies(version: str | None, check: bool) -> None:
    """Write supabase/policies/ into a new last migration, where the last one does not say the
    same: `supabase db push` then gives the database `flask db up` gives."""
    if migrations.policies_current():
        click.echo("up to date: the last migration carries supabase/policies/")
        return
    if check:
        raise click.ClickException(
            "the migrations do not carry supabase/policies/: run flask db policies"
        )
    try:
        written = migrations.write_policies(version=version)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"wrote supabase/migrations/{written.path.name}")


@db_cli.command("schema")
def db_schema() -> None:
    """Write supabase/schema.sql: the schema of a database migrated from scratch."""
    url = _settings().database_admin_url
    if not url:
        raise click.ClickException("DATABASE_ADMIN_URL is not set: the dump runs as the owner.")
    text = schema.generate(url)
    changed = not schema.FILE.exists() or schema.FILE.read_text() != text
    schema.FILE.write_text(text)
    click.echo(f"{schema.FILE.name} {'written' if changed else 'already current'}")


@db_cli.command("status")
def db_status() -> None:
    """List migrations and whether each is applied."""
    with _admin() as conn:
        done = migrations.applied_versions(conn)
    for migration in migrations.migrations():
        mark = "applied" if migration.version in done else "pending"
        click.echo(f"{mark:8} {migration.version} {migration.name}")


@db_cli.command("reset")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def db_reset(yes: bool) -> None:
    """Drop everything and migrate again (development only)."""
    if _settings().env != "development":
        raise click.ClickException("db reset only runs with PLENUM_ENV=development")
    if not yes:
        click.confirm("Delete every row of this database and start over?", abort=True)
    with _admin() as conn:
        migrations.reset(conn)
        migrations.up(conn)
        links.store_public_url(conn, _settings().public_url)
    click.echo("database reset and migrated")


@db_cli.command("check")
def db_check() -> None:
    """Fail if a table lacks RLS or policies, a tenant index or key, or a helper runs per row."""
    with _admin() as conn:
        problems = catalog.run_checks(conn)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} catalog problem(s)")
    click.echo("catalog checks passed")


@db_cli.command("release")
@click.pass_context
def db_release(ctx: click.Context) -> None:
    """The deploy's release step: `db up`, then `db check`; any problem fails the deploy."""
    ctx.invoke(db_up)
    ctx.invoke(db_check)


@company_cli.command("close")
@click.argument("company", type=click.UUID)
@click.option("--reason", required=True, help="Why the platform closes it (kept with the dates).")
def company_close(company: UUID, reason: str) -> None:
    """Terminate a company: read-only at once, export and reopening for 30 days, then purged."""
    with _admin() as conn, conn.transaction():
        begin(conn, {"role": "service_role", "actor": PLATFORM_ACTOR})
        try:
            purge_after = closing.close_for_platform(conn, company, reason)
        except closing.Refused as refused:
            raise click.ClickException(refused.message) from refused
    click.echo(f"closed {company}; it can be reopened until {purge_after.isoformat()}")


@company_cli.command("reopen")
@click.argument("company", type=click.UUID)
def company_reopen(company: UUID) -> None:
    """Reopen a closed company within its 30 days."""
    with _admin() as conn, conn.transaction():
        begin(conn, {"role": "service_role", "actor": PLATFORM_ACTOR})
        try:
            closing.reopen_for_platform(conn, company)
        except closing.Refused as refused:
            raise click.ClickException(refused.message) from refused
    click.echo(f"reopened {company}")


@db_cli.command("retention")
def db_retention() -> None:
    """Print how long each kind of record is kept (app.retention_rules), as a Markdown table."""
    with _admin() as conn:
        click.echo(catalog.retention_table(conn), nl=False)


@seed_cli.command("demo")
def seed_demo() -> None:
    """Create the demo company (idempotent) and print its sign-ins."""
    with _admin() as conn:
        created = seed.demo(conn)
        added = seed.customers(conn)
        booking_slug = seed.booking_link(conn)
        homeowner = seed.homeowner(conn)
    click.echo("demo company created" if created else "demo company already present")
    if added:
        click.echo(
            f"demo customers created: {added.customers} customers, {added.properties}"
            f" properties, {added.equipment} pieces of equipment"
        )
    click.echo(f"Sign in at {_settings().public_url}/sign-in with password {seed.DEMO_PASSWORD!r}:")
    for email, role in seed.DEMO_STAFF:
        click.echo(f"  {role:11} {email}")
    if homeowner:
        click.echo(
            f"Homeowner portal: {_settings().public_url}/portal/sign-in as {homeowner};"
            f" read the code with `flask seed portal-code {homeowner}` once the worker sent it."
        )
    if booking_slug:
        click.echo(f"Booking page for new homeowners: {_settings().public_url}/book/{booking_slug}")


@seed_cli.command("portal-code")
@click.argument("address")
def seed_portal_code(address: str) -> None:
    """Development only: the latest portal sign-in code the outbox holds for ADDRESS."""
    if _settings().is_production:
        raise click.ClickException("sign-in codes are read from the outbox in development only")
    with _admin() as conn:
        code = demo_portal.sign_in_code(conn, address)
    if code is None:
        raise click.ClickException(f"no sign-in code for {address} in the outbox (yet)")
    click.echo(code)


@audit_cli.command("verify")
@click.option("--tenant", "tenant", type=click.UUID, help="Only this company (its id).")
def audit_verify(tenant: UUID | None) -> None:
    """Recompute the hash chains and hold them against their signed checkpoints; report the
    problems of each company (exit 1)."""
    keys = checkpoints.trusted_keys(_settings())
    with _admin() as conn:
        companies = [tenant] if tenant else verify.companies_with_a_log(conn)
        broken = 0
        for company in companies:
            anchoring = verify.check_checkpoints(conn, company, keys)
            problems = verify.verify(conn, company) + anchoring.problems
            if problems:
                broken += 1
                click.echo(f"BROKEN {problems[0]}", err=True)
                for later in problems[1:]:
                    click.echo(f"       {later}", err=True)
            else:
                length = verify.chain_length(conn, company)
                click.echo(f"ok     company {company}: {length} links; {anchoring.note}")
    if broken:
        raise click.ClickException(f"{broken} of {len(companies)} audit chain(s) are broken")


@certificate_cli.command("verify")
@click.argument("file", type=click.File("r"))
def certificate_verify(file: TextIO) -> None:
    """Check a downloaded deletion certificate: its digest and the platform's signature."""
    try:
        download = json.load(file)
    except ValueError as error:
        raise click.ClickException("not a deletion certificate (not JSON)") from error
    problem = certificates.verify(download, checkpoints.trusted_keys(_settings()))
    if problem:
        raise click.ClickException(f"the certificate does not hold: {problem}")
    click.echo(f"the certificate holds: digest {download['digest']}, key {download['key_id']}")


@files_cli.command("migrate")
@click.option(
    "--from",
    "folder",
    type=click.Path(exists=True, file_okay=False),
    help="The local files folder to copy (default: FILES_DIR).",
)
def files_migrate(folder: str | None) -> None:
    """Copy every file of a local files folder into Supabase Storage. Run again after an
    interruption, it copies only what is missing; it never deletes the local files."""
    settings = _settings()
    target = files.for_settings(settings)
    if not isinstance(target, storage.SupabaseStorageFiles):
        raise click.ClickException(
            "Supabase Storage is not configured: set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY"
        )
    source = files.LocalFolderFiles(folder or settings.files_dir)
    if not source.root.is_dir() or not any(source.root.iterdir()):
        # A volume not mounted, or FILES_DIR unset on a machine without one: nothing to copy,
        # and saying "0 copied" would read as done.
        raise click.ClickException(
            f"{source.root} is missing or empty: run this where the files volume is mounted"
            " (--from names the folder)"
        )
    click.echo(f"copying {source.root} into the Storage bucket {target.bucket}")
    done = storage.Copied()
    try:
        storage.copy_folder(source, target, done, report=click.echo)
    except storage.StorageFailed as failed:
        raise click.ClickException(
            f"{done.copied} copied, {done.skipped} already there, then Storage failed: {failed}."
            " Run it again to copy the rest."
        ) from failed
    click.echo(
        f"{done.copied} copied, {done.skipped} already there, {done.left_out} left out;"
        " the local files are kept"
    )


def init_app(app: Flask) -> None:
    app.cli.add_command(certificate_cli)
    app.cli.add_command(db_cli)
    app.cli.add_command(seed_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(company_cli)
    app.cli.add_command(crypto_cli)
    app.cli.add_command(files_cli)
