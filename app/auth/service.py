"""Password re-confirmation and change. Sign-in checks are in app.auth.checks; emailed links
(sign-up, reset, unlock) in app.auth.links."""

from __future__ import annotations

from app import db, sql
from app.auth import checks, passwords

queries = sql.load(__file__)

# Raised by the sign-in checks of app.auth.checks.
TooManyAttempts = checks.TooManyAttempts


def rehash_if_needed(password: str) -> None:
    """Upgrade an old hash once the account is signed in (its own row is then writable)."""
    row = db.one(queries.own_account)
    if row and passwords.needs_rehash(row["password_hash"]):
        db.write(queries.update_password_hash, {"password_hash": passwords.hash_password(password)})


def verify_own_password(password: str) -> bool:
    """Whether `password` is the signed-in account's password (to confirm a sensitive change).
    Wrong ones are counted, so a stolen session cannot guess without limit."""
    return checks.confirm_own_password(password)


def change_password(current: str, new: str) -> int | None:
    """Returns the new session version, or None when the current password is wrong; raises
    TooManyAttempts when paused."""
    if not verify_own_password(current):
        return None
    rows = db.write(queries.change_password, {"password_hash": passwords.hash_password(new)})
    return int(rows[0]["session_version"])
