"""Password re-confirmation and change. Sign-in checks are in app.auth.checks; emailed links
(sign-up, reset, unlock) in app.auth.links."""

from __future__ import annotations

from dataclasses import asdict

from app import db, sql
from app.auth import checks, passwords

queries = sql.load(__file__)


def rehash_if_needed(password: str, credentials: checks.Credentials) -> None:
    """Upgrade a hash made with older costs once the password has just matched it."""
    if passwords.needs_rehash(credentials.candidate):
        db.write(
            queries.upgrade_password_hash,
            {"current": credentials.candidate, "password_hash": passwords.hash_password(password)},
        )


def change_password(current: str, new: str) -> int | None:
    """Returns the new session version, or None when the current password is wrong; raises
    TooManyAttempts when paused. The database checks the current password and sets the new one
    in one statement."""
    proof = checks.password_proof(current)
    if proof is None:
        return None
    version = db.value(
        queries.change_password, {**asdict(proof), "password_hash": passwords.hash_password(new)}
    )
    return None if version is None else int(version)


def turn_off_second_factor(password: str) -> bool:
    """Two-step sign-in off, only with the password (checked in the same statement); raises
    TooManyAttempts when paused."""
    proof = checks.password_proof(password)
    if proof is None:
        return False
    return bool(db.value(queries.turn_off_second_factor, asdict(proof)))
