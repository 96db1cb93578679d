"""`flask db …` (migrations, policies, catalog checks) and `flask seed demo`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app import catalog, migrations, seed
from app.config import Settings
from app.db import Connection, admin_connection

db_cli = AppGroup("db", help="Migrations, policies and catalog checks.")
seed_cli = AppGroup("seed", help="Demonstration data.")


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
    for migration in applied:
        click.echo(f"applied {migration.version} {migration.name}")
    click.echo(f"up to date ({len(applied)} applied); policies re-applied")


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


@seed_cli.command("demo")
def seed_demo() -> None:
    """Create the demo company (idempotent) and print its sign-ins."""
    with _admin() as conn:
        created = seed.demo(conn)
    click.echo("demo company created" if created else "demo company already present")
    click.echo(f"Sign in at {_settings().public_url}/sign-in with password {seed.DEMO_PASSWORD!r}:")
    for email, role in seed.DEMO_STAFF:
        click.echo(f"  {role:11} {email}")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(seed_cli)
