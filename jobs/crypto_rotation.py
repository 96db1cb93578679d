"""P-17: keys rotate. `flask crypto rotate` asks for every secret to be sealed again with the
primary key (a row of app.key_rotations); this job does it, a batch per short transaction.

The encrypted columns (app.crypto.ENCRYPTED_COLUMNS) hold every company's and every account's
secrets, so this is one of the few cross-company jobs, hence the service role, confined to
`rotation_transaction`. Rows are claimed in key order with `for update skip locked`; one a
request holds is left for the next pass, so the rotation is finished only when a pass leaves
nothing under another key but values that cannot be read. Those are counted and reported, never
overwritten: they keep the key that sealed them until someone looks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from psycopg import sql
from psycopg_pool import ConnectionPool

from app import crypto
from app.config import Settings
from app.db import Connection, transaction
from jobs import Job, register

BATCH = 200
ACTOR = "system:crypto_rotation"

OPEN_ROTATION = """
select id, key_id from app.key_rotations where finished_at is null order by id limit 1
"""
START = "update app.key_rotations set started_at = coalesce(started_at, now()) where id = %(id)s"
PROGRESS = "update app.key_rotations set rotated = rotated + %(rotated)s where id = %(id)s"
# Asking again for the same key keeps the open request; asking for another key replaces it.
SUPERSEDE = """
update app.key_rotations set finished_at = now() where finished_at is null and key_id <> %(key)s
"""
REQUEST = """
insert into app.key_rotations (key_id) values (%(key)s)
on conflict ((true)) where finished_at is null do nothing
"""
LATEST = """
select id, key_id, requested_at, started_at, finished_at, rotated, unreadable
  from app.key_rotations order by id desc limit 1
"""
FINISH = """
update app.key_rotations set finished_at = now(), unreadable = %(unreadable)s
 where id = %(id)s and finished_at is null
"""


class RotationFailed(RuntimeError):
    """The rotation cannot go on as asked; the message says what to fix."""


@contextmanager
def rotation_transaction(pool: ConnectionPool) -> Iterator[Connection]:
    """service_role, bypassing row-level security: the encrypted columns cross companies (grep
    for me). The audit log names the job as the actor of each re-encrypted row."""
    with transaction(pool, {"role": "service_role", "actor": ACTOR}) as conn:
        yield conn


def _table(column: crypto.EncryptedColumn) -> sql.Identifier:
    return sql.Identifier(*column.table.split("."))


def _match(names: tuple[str, ...], prefix: str) -> sql.Composable:
    """`a = %(k0)s and b = %(k1)s`: one row by its key."""
    return sql.SQL(" and ").join(
        sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder(f"{prefix}{i}"))
        for i, name in enumerate(names)
    )


def _after(names: tuple[str, ...]) -> sql.Composable:
    return sql.SQL("({}) > ({})").format(
        sql.SQL(", ").join(map(sql.Identifier, names)),
        sql.SQL(", ").join(sql.Placeholder(f"after{i}") for i in range(len(names))),
    )


def _claim_query(column: crypto.EncryptedColumn, first: bool) -> sql.Composed:
    keys = column.key_columns
    return sql.SQL(
        "select {keys}, {tenant} as place_tenant, {value} as sealed from {table}"
        " where {value} <> '' and not starts_with({value}, %(current)s) and {after}"
        " order by {keys} limit %(batch)s for update skip locked"
    ).format(
        keys=sql.SQL(", ").join(map(sql.Identifier, keys)),
        tenant=sql.Identifier(column.tenant_column) if column.tenant_column else sql.NULL,
        value=sql.Identifier(column.column),
        table=_table(column),
        after=sql.SQL("true") if first else _after(keys),
    )


def _update_query(column: crypto.EncryptedColumn) -> sql.Composed:
    return sql.SQL("update {table} set {value} = %(resealed)s where {keys}").format(
        table=_table(column),
        value=sql.Identifier(column.column),
        keys=_match(column.key_columns, "k"),
    )


def _rotate_batch(
    conn: Connection,
    column: crypto.EncryptedColumn,
    ring: crypto.Keyring,
    after: tuple[Any, ...] | None,
) -> tuple[int, int, tuple[Any, ...] | None]:
    """Re-encrypt one batch; returns (rotated, unreadable, the last key, or None at the end)."""
    params: dict[str, Any] = {"current": ring.prefix(), "batch": BATCH}
    params |= {f"after{i}": value for i, value in enumerate(after or ())}
    rows = conn.execute(_claim_query(column, after is None), params).fetchall()
    updates, unreadable = [], 0
    for row in rows:
        keys = tuple(row[name] for name in column.key_columns)
        place = column.at(row["place_tenant"], row["id"])
        try:
            resealed = crypto.reseal(row["sealed"], place, ring)
        except crypto.UnreadableSecret:
            unreadable += 1
            continue
        updates.append({"resealed": resealed} | {f"k{i}": v for i, v in enumerate(keys)})
    if updates:
        conn.cursor().executemany(_update_query(column), updates)
    last = tuple(rows[-1][name] for name in column.key_columns) if len(rows) == BATCH else None
    return len(updates), unreadable, last


def rotate_column(
    pool: ConnectionPool, column: crypto.EncryptedColumn, ring: crypto.Keyring, rotation: int
) -> tuple[int, int]:
    """One pass over a column, a committed batch at a time; returns (rotated, unreadable)."""
    rotated = unreadable = 0
    after: tuple[Any, ...] | None = None
    while True:
        with rotation_transaction(pool) as conn:
            done, failed, after = _rotate_batch(conn, column, ring, after)
            conn.execute(PROGRESS, {"rotated": done, "id": rotation})
        rotated, unreadable = rotated + done, unreadable + failed
        if after is None:
            return rotated, unreadable


def _usage_query(column: crypto.EncryptedColumn) -> sql.Composed:
    return sql.SQL(
        "select case when starts_with({value}, {sealed}) then split_part({value}, ':', 2) end"
        " as key_id, starts_with({value}, {legacy}) as legacy, count(*) as n"
        " from {table} where {value} <> '' group by 1, 2 order by 1, 2"
    ).format(
        value=sql.Identifier(column.column),
        table=_table(column),
        sealed=sql.Literal(crypto.PREFIX),
        legacy=sql.Literal(crypto.LEGACY_PREFIX),
    )


def key_usage(conn: Connection) -> list[dict[str, Any]]:
    """How many values of each encrypted column each key sealed: key_id (None for legacy v1
    values, and for a value that is no ciphertext at all), legacy, n."""
    return [
        {"column": f"{column.table}.{column.column}", **row}
        for column in crypto.ENCRYPTED_COLUMNS
        for row in conn.execute(_usage_query(column)).fetchall()
    ]


def not_on_primary(usage: list[dict[str, Any]], ring: crypto.Keyring) -> int:
    """How many values of `key_usage` are not sealed with the primary key."""
    return sum(int(u["n"]) for u in usage if u["key_id"] != ring.primary)


def request_rotation(conn: Connection, key_id: str) -> dict[str, Any] | None:
    """Ask the worker to seal every value with `key_id` (the operator's `flask crypto rotate`)."""
    conn.execute(SUPERSEDE, {"key": key_id})
    conn.execute(REQUEST, {"key": key_id})
    return latest_rotation(conn)


def latest_rotation(conn: Connection) -> dict[str, Any] | None:
    return conn.execute(LATEST).fetchone()


def sweep(pool: ConnectionPool, keyring: crypto.Keyring | None = None) -> int:
    """Carry out the open rotation, if any; returns how many values were sealed again."""
    ring = keyring or crypto.keyring_of(Settings.from_env())
    with rotation_transaction(pool) as conn:
        request = conn.execute(OPEN_ROTATION).fetchone()
        if request is None:
            return 0
        if request["key_id"] != ring.primary:
            raise RotationFailed(
                f"rotation {request['id']} is to key {request['key_id']!r} but this worker"
                f" seals with {ring.primary!r}: give it the web's ENCRYPTION_KEYS/_KEY_ID"
            )
        conn.execute(START, {"id": request["id"]})
    rotated = unreadable = 0
    for column in crypto.ENCRYPTED_COLUMNS:
        done, failed = rotate_column(pool, column, ring, request["id"])
        rotated, unreadable = rotated + done, unreadable + failed
    with rotation_transaction(pool) as conn:
        if not_on_primary(key_usage(conn), ring) <= unreadable:
            conn.execute(FINISH, {"id": request["id"], "unreadable": unreadable})
    if unreadable:
        raise RotationFailed(
            f"{unreadable} value(s) cannot be read with this keyring and keep their old key;"
            " `flask crypto status` shows which columns and keys"
        )
    return rotated


JOB = register(Job("crypto_rotation", every_seconds=60, sweep=sweep))
