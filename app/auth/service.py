"""Sign-up, password change and reset. Sign-in checks are in app.auth.checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from flask import current_app, url_for

from app import crypto, db, sql
from app.auth import checks, passwords
from app.integrations import email

queries = sql.load(__file__)

FAILURE_WINDOW = timedelta(minutes=15)
RESET_LINK_LIFETIME = timedelta(hours=1)
MAX_RESETS_PER_ADDRESS = 5


# Raised by the reset limit here, and by the sign-in checks of app.auth.checks.
TooManyAttempts = checks.TooManyAttempts


def sign_up(
    *, email_address: str, full_name: str, password: str, company_name: str, time_zone: str
) -> tuple[UUID, UUID]:
    """Create the company and its owner; returns (account id, tenant id)."""
    rows = db.write(
        queries.sign_up,
        {
            "email": email_address,
            "full_name": full_name,
            "password_hash": passwords.hash_password(password),
            "company_name": company_name,
            "time_zone": time_zone,
        },
    )
    return rows[0]["account_id"], rows[0]["tenant_id"]


def _check_not_blocked(subjects: dict[str, int]) -> None:
    # Only the reset-request limit still counts here; sign-in has moved to app.auth.checks.
    with db.transaction(db.pool(), checks.SIGN_IN) as conn:
        for subject, limit in subjects.items():
            row = conn.execute(
                queries.recent_failures, {"subject": subject, "window": FAILURE_WINDOW}
            ).fetchone()
            if row is not None and row["failures"] >= limit:
                raise TooManyAttempts


def record_failure(*subjects: str) -> None:
    """Kept in a transaction of its own: the request that fails is rolled back, the count is not."""
    with db.transaction(db.pool(), checks.SIGN_IN) as conn:
        conn.execute(queries.record_failure, {"subjects": list(subjects)})


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


def request_password_reset(email_address: str, address: str) -> None:
    """Email a reset link if the account exists; says nothing either way."""
    subject = f"reset:{address}"
    _check_not_blocked({subject: MAX_RESETS_PER_ADDRESS})
    record_failure(subject)  # every request counts against the address
    token = crypto.new_token()
    rows = db.write(
        queries.start_password_reset,
        {
            "email": email_address,
            "token_hash": crypto.token_hash(token),
            "expires_at": datetime.now(UTC) + RESET_LINK_LIFETIME,
        },
    )
    if rows:
        account = rows[0]
        email.send(
            "password_reset",
            to=account["email"],
            kind="password_reset",
            full_name=account["full_name"],
            link=public_url("auth.reset_password", token=token),
            minutes=int(RESET_LINK_LIFETIME.total_seconds() // 60),
        )


def reset_link_is_open(token: str) -> bool:
    return bool(db.value(queries.password_reset_is_open, {"token_hash": crypto.token_hash(token)}))


def finish_password_reset(token: str, password: str) -> UUID | None:
    """Set the new password; None when the link is used, expired or unknown."""
    rows = db.write(
        queries.finish_password_reset,
        {
            "token_hash": crypto.token_hash(token),
            "password_hash": passwords.hash_password(password),
        },
    )
    return rows[0]["account_id"] if rows else None


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute link for an email, on the configured public address."""
    return current_app.config["PLENUM"].public_url + url_for(endpoint, **values)
