"""The connection pool and the transactions every piece of data access goes through.

A request gets one transaction, opened on first use. Its first statement switches to the
Supabase role and sets the JWT-style claims, transaction-local, exactly as PostgREST does, so
row-level security decides what the request sees. The app's login role owns nothing and has no
privilege on any table: a query made outside these transactions fails.

The pool outlives the database's restarts: every connection is checked as it is taken (a
connection the server closed is replaced, not handed to a request), and a request waits at most
CHECKOUT_TIMEOUT for one (init_app), so while the database is away requests end quickly with a 503
(`unavailable` tells app/errors.py which errors mean that) and succeed again once it is back.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, cast

import psycopg
from flask import Flask, Response, current_app, g, has_request_context, request
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

log = logging.getLogger(__name__)
Row = dict[str, Any]
Params = Mapping[str, Any] | None
Connection = psycopg.Connection[Row]

ANON: dict[str, Any] = {"role": "anon"}
# A request that holds a secret instead of an identity (a password, an emailed link's or a
# calendar feed's token): the narrow definers of those steps are executable only by this role.
SIGN_IN: dict[str, Any] = {"role": "plenum_signin"}

# Constraint names → (form field, message): the one place where database refusals become words.
# Each feature registers its own (`db.register_messages(constraints.MESSAGES)` in its
# __init__); only what belongs to no feature is here.
CONSTRAINT_MESSAGES: dict[str, tuple[str | None, str]] = {}
CONFLICT = "That change conflicts with existing data and was not saved."
# The SQLSTATE of a write refused because the company is closed, and so read-only (P-11;
# supabase/migrations/20261211110000_company_read_only.sql); app/errors.py answers it.
COMPANY_CLOSED = "PT423"
# Seconds to reach the server (libpq's smallest), and for a request to wait for a working
# connection: a request during an outage gets its 503 within a few seconds instead of hanging.
# (The worker's threads keep the pool's default, 30 s: they wait for each other's connections.)
CONNECT_TIMEOUT = 2
CHECKOUT_TIMEOUT = 3.0
# How long the pool retries one lost connection (with a backoff that doubles) before it gives
# the slot up, to be connected afresh by the next request that needs one: it bounds how long
# after the database's return the pool may still be waiting for its next attempt.
RECONNECT_TIMEOUT = 5.0
# A server that goes quiet instead of closing its sockets (a partition, a failover whose old
# address stops answering): what was sent and not acknowledged for 3 s fails the connection,
# and an idle connection is probed after 30 s (TCP keepalives, 3 probes 5 s apart), so neither
# a request nor the worker waits on a dead peer for the kernel's minutes.
QUIET_SERVER = {
    "tcp_user_timeout": 3000,  # milliseconds
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}
# SQLSTATEs of a server going away or not yet back (beside class 08, connection exceptions).
SERVER_GONE = ("57P01", "57P02", "57P03")


def register_messages(messages: Mapping[str, tuple[str | None, str]]) -> None:
    """Add a feature's constraint messages. A name is registered once: two features giving
    the same constraint different words is a mistake caught when the app loads."""
    for name, entry in messages.items():
        if CONSTRAINT_MESSAGES.get(name, entry) != entry:
            raise ValueError(f"constraint {name!r} already has a message")
        CONSTRAINT_MESSAGES[name] = entry


UNSTORABLE_VALUE = (
    "A value could not be stored: remove unusual characters, or shorten very long numbers."
)


class ConstraintViolation(Exception):
    """The database refused a write; `field` and `message` say what to show the user."""

    def __init__(self, constraint: str | None, field: str | None, message: str) -> None:
        super().__init__(message)
        self.constraint = constraint
        self.field = field
        self.message = message


def translate(error: psycopg.errors.IntegrityError) -> ConstraintViolation:
    """Turn a constraint violation into the message a user should read."""
    name = error.diag.constraint_name
    field, message = CONSTRAINT_MESSAGES.get(name or "", (None, CONFLICT))
    return ConstraintViolation(name, field, message)


def create_pool(conninfo: str, min_size: int, max_size: int, prepared: bool) -> ConnectionPool:
    """A pool of connections as the app's login role; nothing is committed automatically.
    Each connection is checked (one empty round trip) as it is taken, so one the server closed
    (a restart, a failover) is replaced instead of failing the request that took it."""

    def check(conn: psycopg.Connection[Any]) -> None:
        try:
            ConnectionPool.check_connection(conn)
        except psycopg.Error:
            # The server went away: the other idle connections are as dead as this one. They
            # are all replaced now, not found one checkout at a time (the pool pauses after
            # each failed check, which would add up to a timeout); in the background, so the
            # request that found out is not held while each is tried.
            threading.Thread(target=connections.check, name="pool-check", daemon=True).start()
            raise

    connections: ConnectionPool = ConnectionPool(
        conninfo,
        min_size=min_size,
        max_size=max_size,
        kwargs={
            "autocommit": False,
            "row_factory": dict_row,
            "prepare_threshold": 5 if prepared else None,
            "connect_timeout": CONNECT_TIMEOUT,
            **QUIET_SERVER,
        },
        check=check,
        reconnect_timeout=RECONNECT_TIMEOUT,
        open=False,  # opened on first use: commands such as `flask db up` never need it
        name="plenum",
    )
    return connections


def begin(
    conn: Connection, claims: Mapping[str, Any], context: Mapping[str, str] | None = None
) -> None:
    """First statement of every transaction: the role and claims, transaction-local only, and
    the request id and client address that the audit log records."""
    role = claims.get("role", "anon")
    if role not in ("anon", "authenticated", "service_role", "plenum_signin"):
        raise ValueError(f"unknown database role {role!r}")
    context = context or {}
    conn.execute(
        "select set_config('role', %(role)s, true),"
        " set_config('request.jwt.claims', %(claims)s, true),"
        " set_config('plenum.request_id', %(request_id)s, true),"
        " set_config('plenum.client_addr', %(client_addr)s, true)",
        {
            "role": role,
            "claims": json.dumps(dict(claims)),
            "request_id": context.get("request_id", ""),
            "client_addr": context.get("client_addr", ""),
        },
    )


@contextmanager
def transaction(pool: ConnectionPool, claims: Mapping[str, Any]) -> Iterator[Connection]:
    """A transaction outside any request (jobs, commands): commits on success."""
    with pool.connection() as raw:
        conn = cast(Connection, raw)
        with conn.transaction():
            begin(conn, claims)
            yield conn


@contextmanager
def service_role_transaction(
    pool: ConnectionPool, actor: str | None = None
) -> Iterator[Connection]:
    """Bypasses row-level security. Only for the few cross-tenant jobs that must (grep for me).
    `actor` (e.g. "system:geocoding") is what the audit log names as the author of changes."""
    claims = {"role": "service_role"} | ({"actor": actor} if actor else {})
    with transaction(pool, claims) as conn:
        yield conn


def admin_connection(conninfo: str) -> Connection:
    """A connection as the database owner, for migrations and the demo seed only."""
    return cast(Connection, psycopg.connect(conninfo, autocommit=True, row_factory=dict_row))


# --- the request transaction -------------------------------------------------------------


def init_app(app: Flask, pool: ConnectionPool) -> None:
    """Bind the pool to the app and close each request's transaction when it ends; a request
    waits at most CHECKOUT_TIMEOUT for a connection."""
    pool.timeout = CHECKOUT_TIMEOUT
    app.extensions["plenum.pool"] = pool
    app.before_request(_name_request)
    app.after_request(_commit_if_successful)
    app.teardown_request(_release)


_opening = threading.Lock()


def pool() -> ConnectionPool:
    """The app's pool, opened the first time a request needs it."""
    connections = cast(ConnectionPool, current_app.extensions["plenum.pool"])
    if connections.closed:
        with _opening:
            if connections.closed:
                connections.open(wait=False)
    return connections


def _request_context() -> dict[str, str]:
    return {"request_id": g.get("request_id", ""), "client_addr": request.remote_addr or ""}


def set_claims(claims: Mapping[str, Any]) -> None:
    """Claims for this request's transaction from now on (identity is settled before views)."""
    g.db_claims = dict(claims)
    if "db" in g:
        begin(g.db, g.db_claims, _request_context())


def connection() -> Connection:
    """This request's transaction, opened on first use with the request's claims."""
    if "db" not in g:
        conn = cast(Connection, pool().getconn())
        g.db = conn
        begin(conn, g.get("db_claims", ANON), _request_context())
    return cast(Connection, g.db)


def one_with_claims(claims: Mapping[str, Any], sql: str, params: Params = None) -> Row | None:
    """Set this request's claims, then read one row under them, in one round trip (identity
    loading: the session's account, then the company it works in). The two statements are
    pipelined, so the server runs them in order, and skips the read if the claims fail."""
    g.db_claims = dict(claims)
    if "db" not in g:
        g.db = cast(Connection, pool().getconn())
    conn = cast(Connection, g.db)
    with conn.pipeline():
        begin(conn, g.db_claims, _request_context())
        cursor = conn.execute(sql, params)
    return cursor.fetchone()


def rollback_request() -> None:
    """Undo this request's work but keep its identity, e.g. before rendering an error page. A
    connection the database dropped is let go instead: the page is rendered without one."""
    conn = g.get("db")
    if conn is None:
        return
    if not _rolled_back(conn):
        pool().putconn(g.pop("db"))
        return
    begin(conn, g.get("db_claims", ANON), _request_context())


def unavailable(error: BaseException) -> bool:
    """Whether `error` means the database cannot be reached now (down, restarting, or no
    connection free within CHECKOUT_TIMEOUT) rather than a fault in the request."""
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, psycopg.OperationalError):
        return False
    sqlstate = error.sqlstate or ""
    conn = g.get("db") if has_request_context() else None
    return (
        not sqlstate  # the client lost the server (a closed socket, a refused connection)
        or sqlstate.startswith("08")
        or sqlstate in SERVER_GONE
        or (conn is not None and conn.broken)
    )


def applied_migration() -> str | None:
    """The newest migration applied to the database, read by the login role itself (which
    may read that one column and nothing else), outside any request transaction: /readyz."""
    with pool().connection() as raw:
        row = raw.execute(
            "select max(version) as version from supabase_migrations.schema_migrations"
        ).fetchone()
    return None if row is None else cast(Row, row)["version"]


def _rolled_back(conn: Connection) -> bool:
    """Roll `conn` back; False when it is broken (the pool then discards it on return)."""
    if conn.broken or conn.closed:
        return False
    try:
        conn.rollback()
    except psycopg.OperationalError:
        return False
    return True


def _name_request() -> None:
    """Each request gets an id: in the audit log and in the X-Request-Id response header."""
    g.request_id = uuid.uuid4().hex


def after_commit(action: Callable[[], None]) -> None:
    """Do `action` once this request's transaction has committed, never when it rolls back:
    e.g. remove a file that a committed row no longer names (before the commit, a failure
    would leave the row naming a file already gone). Outside a request, at once."""
    if not has_request_context():
        action()
        return
    g.setdefault("db_after_commit", []).append(action)


def _commit_if_successful(response: Response) -> Response:
    response.headers["X-Request-Id"] = g.get("request_id", "")
    conn = g.pop("db", None)
    actions: list[Callable[[], None]] = g.pop("db_after_commit", [])
    if conn is not None:
        try:
            if response.status_code < 400:
                conn.commit()
            else:
                _rolled_back(conn)
                actions = []
        finally:
            pool().putconn(conn)
    for action in actions:
        try:
            action()
        except Exception:  # the commit stands; what was left undone is only logged
            log.exception("db: an action after the commit failed")
    return response


def _release(_exc: BaseException | None) -> None:
    g.pop("db_after_commit", None)
    conn = g.pop("db", None)
    if conn is not None:
        _rolled_back(conn)
        pool().putconn(conn)


def query(sql: str, params: Params = None) -> list[Row]:
    """Rows of a read in the request transaction."""
    return connection().execute(sql, params).fetchall()


def query_together(*reads: tuple[str, Params]) -> list[list[Row]]:
    """The rows of several reads in the request transaction, in order, sent in one round trip
    (pipelined: the server runs them one after the other, as if sent one by one)."""
    conn = connection()
    with conn.pipeline():
        cursors = [conn.execute(sql, params) for sql, params in reads]
    return [cursor.fetchall() for cursor in cursors]


def one(sql: str, params: Params = None) -> Row | None:
    """The first row of a read, or None."""
    return connection().execute(sql, params).fetchone()


def value(sql: str, params: Params = None) -> Any:
    """The first column of the first row, or None."""
    row = one(sql, params)
    return None if row is None else next(iter(row.values()))


@contextmanager
def atomic() -> Iterator[None]:
    """Several writes that stand or fall together: a savepoint around them all, so a refusal
    part-way leaves none of them behind even when the request goes on to succeed."""
    with connection().transaction():
        yield


def write(sql: str, params: Params = None) -> list[Row]:
    """A write in a savepoint: a refused write raises ConstraintViolation and leaves the
    request transaction usable (the request then ends with an error status and rolls back)."""
    conn = connection()
    try:
        with conn.transaction():
            cur = conn.execute(sql, params)
            return cur.fetchall() if cur.description else []
    except psycopg.errors.IntegrityError as error:
        raise translate(error) from error
    except psycopg.errors.DataError as error:
        # A value the column cannot hold (a NUL character, a number out of range): the form
        # gets a message, the request is not a 500.
        raise ConstraintViolation(None, None, UNSTORABLE_VALUE) from error
