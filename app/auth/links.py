"""Emailed links: password reset, sign-in unlock, email verification at sign-up, invitations.

The database mints every token, keeps only its hash and queues the email itself; these
functions only ask it to. Steps taken before sign-in run as `plenum_signin`, a role that only
the app's login role can switch to. A link's token is exchanged on first GET for this
browser's session and the browser is redirected to a URL without it (`exchange`), so tokens
stay out of access logs, history and referrers."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

import psycopg
from flask import g, make_response, redirect, render_template, session, url_for
from werkzeug.wrappers import Response

from app import db, sql
from app.auth import passwords

queries = sql.load(__file__, "links.sql")
log = logging.getLogger(__name__)

RATE_LIMITED = "PT429"  # SQLSTATE of iam.check_limit's refusal
KINDS = ("reset", "unlock", "sign_up", "invitation")


class TooManyRequests(Exception):
    """The database's limit for this address or email is reached; nothing was sent."""


# --- the token, kept server-side after the first GET ----------------------------------------


def exchange(kind: str, token: str, endpoint: str) -> Response:
    """Remember the link's token in this browser's session and send the browser to the
    token-free page (303), which neither logs nor refers the secret onwards."""
    assert kind in KINDS
    session[f"link:{kind}"] = token[:200]
    return no_referrer(redirect(url_for(endpoint), code=303))


def recalled(kind: str) -> str:
    """The token this browser brought for `kind`, or '' (an unknown token: the link is closed)."""
    token = session.get(f"link:{kind}")
    return token if isinstance(token, str) else ""


def forget(kind: str) -> None:
    session.pop(f"link:{kind}", None)


def no_referrer(response: Any) -> Any:
    """Pages reached by a token never name themselves to another site."""
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def page(template: str, status: int = 200, **context: object) -> Response:
    """A page of a link's flow: rendered, with `no_referrer`."""
    return no_referrer(make_response(render_template(template, **context), status))


# --- calls into the database ---------------------------------------------------------------


def call(query: str, params: dict[str, Any], claims: dict[str, Any] = db.SIGN_IN) -> list[db.Row]:
    """One write under `claims` (by default the sign-in role), in a savepoint of the request
    transaction (`db.write`); the request's own claims are restored afterwards."""
    restore = dict(g.get("db_claims", db.ANON))
    db.set_claims(claims)
    try:
        return db.write(query, params)
    except psycopg.Error as error:
        if error.sqlstate == RATE_LIMITED:
            raise TooManyRequests from error
        raise
    finally:
        db.set_claims(restore)


def request_password_reset(email: str) -> None:
    """Email a reset link if an account uses `email`; says nothing either way."""
    call(queries.request_password_reset, {"email": email})
    # Never the address or the link: the outbox row is the only copy of the token.
    log.info("outbox: password_reset requested (queued by the database if the account exists)")


def reset_is_open(token: str) -> bool:
    return bool(call(queries.password_reset_is_open, {"token": token})[0]["open"])


def finish_password_reset(token: str, password: str) -> bool:
    params = {"token": token, "password_hash": passwords.hash_password(password)}
    return bool(call(queries.finish_password_reset, params)[0]["done"])


def request_sign_in_unlock(email: str) -> None:
    """Email a link that lifts the sign-in pause, at most once per pause; says nothing."""
    call(queries.request_sign_in_unlock, {"email": email})


def unlock_is_open(token: str) -> bool:
    return bool(call(queries.sign_in_unlock_is_open, {"token": token})[0]["open"])


def use_unlock(token: str) -> bool:
    return bool(call(queries.use_sign_in_unlock, {"token": token})[0]["done"])


def start_sign_up(
    *, email: str, full_name: str, password: str, company_name: str, time_zone: str
) -> None:
    """Email a confirmation link (or, for a taken address, a note saying so); the password is
    hashed either way, so both take the same time."""
    params = {
        "email": email,
        "full_name": full_name,
        "password_hash": passwords.hash_password(password),
        "company_name": company_name,
        "time_zone": time_zone,
    }
    call(queries.start_sign_up, params)


def resend_sign_up(email: str) -> None:
    call(queries.resend_sign_up, {"email": email})


def sign_up_to_confirm(token: str) -> db.Row | None:
    rows = call(queries.sign_up_to_confirm, {"token": token})
    return rows[0] if rows else None


def finish_sign_up(token: str) -> tuple[UUID, UUID] | None:
    """Create the account, the company and its owner; None if the link no longer works."""
    rows = call(queries.finish_sign_up, {"token": token})
    return (rows[0]["account_id"], rows[0]["tenant_id"]) if rows else None


def store_public_url(conn: db.Connection, public_url: str) -> None:
    """Record PUBLIC_URL for the links the database renders (`flask db up`, as the owner)."""
    conn.execute(queries.store_public_url, {"public_url": public_url})
