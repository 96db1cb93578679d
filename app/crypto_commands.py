"""`flask crypto rotate` and `flask crypto status`: encryption keys rotate (README, *Secrets at
rest*). Both run as the database owner, like `flask db`: the columns cross companies."""

from __future__ import annotations

from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from app import crypto
from app.db import Connection, admin_connection
from jobs import crypto_rotation

crypto_cli = AppGroup("crypto", help="Encryption keys: rotation, and which key sealed what.")


def _admin() -> Connection:
    url = current_app.config["PLENUM"].database_admin_url
    if not url:
        raise click.ClickException(
            "DATABASE_ADMIN_URL is not set: crypto commands run as the owner"
        )
    return admin_connection(url)


def _label(usage: dict[str, Any], ring: crypto.Keyring) -> str:
    if usage["legacy"]:
        return "legacy v1 (no key id, not bound to its row)"
    if usage["key_id"] is None:
        return "NOT ENCRYPTED"
    if usage["key_id"] not in ring.keys:
        return f"{usage['key_id']} (not in this keyring: unreadable)"
    return str(usage["key_id"])


def _rotation_line(rotation: dict[str, Any] | None) -> str:
    if rotation is None:
        return "no rotation was asked for yet"
    if rotation["finished_at"] is not None:
        state = f"finished {rotation['finished_at']:%Y-%m-%d %H:%M:%S %Z}"
    else:
        state = "waiting for the worker" if rotation["started_at"] is None else "running"
    unreadable = f", {rotation['unreadable']} unreadable" if rotation["unreadable"] else ""
    return (
        f"rotation {rotation['id']} to key {rotation['key_id']!r}: {state};"
        f" {rotation['rotated']} value(s) sealed again{unreadable}"
    )


@crypto_cli.command("rotate")
def rotate() -> None:
    """Ask the worker to seal every secret again with the primary key."""
    ring = crypto.app_keyring()
    with _admin() as conn:
        rotation = crypto_rotation.request_rotation(conn, ring.primary)
    click.echo(_rotation_line(rotation))
    click.echo(
        "The worker's crypto_rotation job re-encrypts in batches (python -m jobs);"
        " `flask crypto status` shows what still uses other keys."
    )


@crypto_cli.command("status")
def status() -> None:
    """Which key sealed how many values; exits 1 while any value uses another key."""
    ring = crypto.app_keyring()
    with _admin() as conn:
        usage = crypto_rotation.key_usage(conn)
        rotation = crypto_rotation.latest_rotation(conn)
    click.echo(f"primary key {ring.primary!r}; keyring: {', '.join(ring.keys)}")
    for column in crypto.ENCRYPTED_COLUMNS:
        name = f"{column.table}.{column.column}"
        counts = [f"{_label(u, ring)}: {u['n']}" for u in usage if u["column"] == name]
        click.echo(f"  {name}: {', '.join(counts) or 'no values'}")
    click.echo(_rotation_line(rotation))
    others = sorted({_label(u, ring) for u in usage if u["key_id"] != ring.primary})
    if others:
        left = crypto_rotation.not_on_primary(usage, ring)
        raise click.ClickException(
            f"{left} value(s) are not sealed with {ring.primary!r} ({'; '.join(others)}): keep"
            " those keys, run `flask crypto rotate`, and look into any value it reports unreadable"
        )
    retired = [key for key in ring.keys if key != ring.primary]
    click.echo(
        f"Every value is sealed with {ring.primary!r}."
        + (f" No value needs {', '.join(retired)}: it can be removed." if retired else "")
    )
