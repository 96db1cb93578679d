"""Sign-in with rate limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from app import db, sql
from app.auth import passwords

queries = sql.load(__file__)

FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20


class TooManyAttempts(Exception):
    """Sign-in (or reset) is paused for this account or address."""


@dataclass(frozen=True)
class Credentials:
    account_id: UUID
    session_version: int
    mfa_enabled: bool


def _account_subject(email_address: str) -> str:
    # iam.finish_password_reset clears this subject too: keep the two in step.
    return f"account:{email_address.lower().strip()}"


def _subjects(email_address: str, address: str) -> tuple[str, str]:
    return _account_subject(email_address), f"address:{address}"


def _check_not_blocked(subjects: dict[str, int]) -> None:
    for subject, limit in subjects.items():
        failures = db.value(queries.recent_failures, {"subject": subject, "window": FAILURE_WINDOW})
        if failures >= limit:
            raise TooManyAttempts


def record_failure(*subjects: str) -> None:
    """Kept in a transaction of its own: the request that fails is rolled back, the count is not."""
    with db.transaction(db.pool(), db.ANON) as conn:
        conn.execute(queries.record_failure, {"subjects": list(subjects)})


def check_password(email_address: str, password: str, address: str) -> Credentials | None:
    """The account for these credentials, or None; raises TooManyAttempts when paused."""
    account_subject, address_subject = _subjects(email_address, address)
    _check_not_blocked(
        {account_subject: MAX_FAILURES_PER_ACCOUNT, address_subject: MAX_FAILURES_PER_ADDRESS}
    )
    row = db.one(queries.credentials, {"email": email_address})
    if not passwords.verify_password(row["password_hash"] if row else None, password):
        record_failure(account_subject, address_subject)
        return None
    assert row is not None
    db.write(queries.clear_failures, {"subject": account_subject})
    return Credentials(row["account_id"], row["session_version"], row["mfa_enabled"])


def check_second_factor_allowed(email_or_account: str) -> str:
    """The rate-limit subject of a second-factor attempt; raises when paused."""
    subject = f"second-factor:{email_or_account}"
    _check_not_blocked({subject: MAX_FAILURES_PER_ACCOUNT})
    return subject


def rehash_if_needed(password: str, credentials: Credentials) -> None:
    """Upgrade an old hash once the account is signed in (its own row is then writable)."""
    row = db.one(queries.own_account)
    if row and passwords.needs_rehash(row["password_hash"]):
        db.write(queries.update_password_hash, {"password_hash": passwords.hash_password(password)})


def verify_own_password(password: str) -> bool:
    """Whether `password` is the signed-in account's password (to confirm a sensitive change).
    Wrong ones count as failed sign-ins, so a stolen session cannot guess without limit."""
    row = db.one(queries.own_account)
    if row is None:
        return False
    subject = _account_subject(row["email"])
    _check_not_blocked({subject: MAX_FAILURES_PER_ACCOUNT})
    if passwords.verify_password(row["password_hash"], password):
        return True
    record_failure(subject)
    return False


def change_password(current: str, new: str) -> int | None:
    """Returns the new session version, or None when the current password is wrong; raises
    TooManyAttempts when paused."""
    if not verify_own_password(current):
        return None
    rows = db.write(queries.change_password, {"password_hash": passwords.hash_password(new)})
    return int(rows[0]["session_version"])
