"""Checks of passwords and second factors: limited, recorded and decided in the database.

Each check is two short transactions of its own, committed whatever becomes of the request:
`begin_*` records the attempt and counts it under a lock (limits in the migration
20261204100100_sign_in_verdicts.sql), `finish_*` compares and uses the attempt up. Parallel
guesses therefore queue for the count, and no more of them are checked than the limit allows.
Before sign-in the steps run as `plenum_signin`, a role only the app's login role holds; the
app never reads a stored password hash to sign someone in, it gets a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from flask import g
from flask_login import current_user

from app import db, sql
from app.auth import mfa, passwords

queries = sql.load(__file__, "checks.sql")


class TooManyAttempts(Exception):
    """Sign-in (or a code, or a re-confirmation) is paused for this account or address."""


class ChallengeClosed(Exception):
    """The half-finished sign-in expired, was used or was overtaken: sign in again."""


@dataclass(frozen=True)
class Credentials:
    account_id: UUID
    session_version: int
    challenge: str | None  # for an account with a second factor: the secret of the next step
    candidate: str  # the password's hash as stored (it matched): proof for a hash upgrade


@dataclass(frozen=True)
class SecondFactor:
    account_id: UUID
    session_version: int
    used_recovery: bool


def _step(statement: str, params: db.Params = None, claims: dict[str, Any] = db.SIGN_IN) -> db.Row:
    with db.transaction(db.pool(), claims) as conn:
        row = conn.execute(statement, params).fetchone()
    return row or {}


def _as_signed_in(statement: str, params: db.Params = None) -> db.Row:
    return _step(statement, params, g.get("db_claims", db.ANON))


def check_password(email_address: str, password: str, address: str) -> Credentials | None:
    """The account for these credentials, or None; raises TooManyAttempts when paused."""
    begun = _step(queries.begin_sign_in, {"email": email_address, "address": address})
    if begun.get("attempt") is None:
        raise TooManyAttempts
    guess = passwords.candidate(password, begun["settings"], begun["hash_length"])
    row = _step(queries.finish_sign_in, {"attempt": begun["attempt"], "candidate": guess})
    if not row:
        return None
    return Credentials(row["account_id"], row["session_version"], row["challenge"], guess)


def challenge_is_open(challenge: str) -> bool:
    return bool(_step(queries.challenge_is_open, {"challenge": challenge}).get("open"))


def check_second_factor(challenge: str, code: str) -> SecondFactor | None:
    """The account once `code` (TOTP or recovery) proves the challenge's second factor, or None;
    raises ChallengeClosed or TooManyAttempts."""
    begun = _step(queries.begin_second_factor, {"challenge": challenge})
    if begun.get("state") == "paused":
        raise TooManyAttempts
    if begun.get("state") != "open":
        raise ChallengeClosed
    step = mfa.code_step(begun["totp_secret"], begun["account_id"], code, begun["totp_last_step"])
    row = _step(
        queries.finish_second_factor,
        {
            "challenge": challenge,
            "attempt": begun["attempt"],
            "step": step,
            "recovery": mfa.recovery_code_hashes(code) if step is None else None,
        },
    )
    if not row:
        return None
    return SecondFactor(row["account_id"], row["session_version"], row["used_recovery"])


@dataclass(frozen=True)
class PasswordProof:
    """A counted attempt and the password's candidate hash, for one step that uses them up."""

    attempt: UUID
    candidate: str


def password_proof(password: str) -> PasswordProof | None:
    """What proves `password` to the database for a sensitive change of the signed-in account
    (the attempt is recorded and counted now); None without an account; raises TooManyAttempts
    when paused. The change itself checks the candidate (iam.change_password, …)."""
    begun = _as_signed_in(queries.begin_password_confirmation)
    if not begun:
        return None
    if begun["attempt"] is None:
        raise TooManyAttempts
    candidate = passwords.candidate(password, begun["settings"], begun["hash_length"])
    return PasswordProof(begun["attempt"], candidate)


def confirm_own_code(code: str) -> bool:
    """Whether `code` is a current TOTP code of the signed-in account (accepted once); raises
    TooManyAttempts when paused."""
    begun = _as_signed_in(queries.begin_code_confirmation)
    if not begun:
        return False
    if begun["attempt"] is None:
        raise TooManyAttempts
    step = mfa.code_step(begun["totp_secret"], current_user.id, code, begun["totp_last_step"])
    row = _as_signed_in(
        queries.finish_code_confirmation, {"attempt": begun["attempt"], "step": step}
    )
    return bool(row.get("confirmed"))
