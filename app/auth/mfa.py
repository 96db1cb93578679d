"""TOTP second factor (PROMISES.md P-04): enrolment with a QR code, sign-in codes that work
once, and one-time recovery codes kept only as hashes."""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Any

import pyotp
import segno
from flask import current_app, flash
from flask_login import current_user

from app import crypto, db, sql

queries = sql.load(__file__)

ISSUER = "Plenum"
STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
UNREADABLE_KEY_MESSAGE = (
    "Your stored authenticator key can't be read on this server, so codes from your app can't"
    " be checked. To sign in, use a recovery code; then set up two-step sign-in again."
)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account_email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account_email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG markup (no script, no external request)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#111", light="#fff")


def matching_step(
    secret: str, code: str, last_step: int | None, now: float | None = None
) -> int | None:
    """The time step `code` belongs to (±1 step for clock drift), if not already used."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def own_secret() -> tuple[str | None, int | None, bool]:
    """The signed-in account's TOTP secret (decrypted), last used step and whether it is on."""
    row = db.one(queries.own_account)
    if row is None or row["totp_secret"] is None:
        return None, None, False
    enabled = row["totp_enabled_at"] is not None
    return _totp_secret(row), row["totp_last_step"], enabled


def _totp_place(account_id: object) -> crypto.Place:
    """A TOTP secret opens only in its own account's row (P-17)."""
    return crypto.ACCOUNT_TOTP_SECRET.at(None, account_id)


def _totp_secret(row: dict[str, Any]) -> str | None:
    """The account's secret; one that does not open here (copied from another account, or
    sealed with a key this server lacks) matches no code: recovery codes still work."""
    try:
        return crypto.decrypt(row["totp_secret"], place=_totp_place(row["id"]))
    except crypto.UnreadableSecret as error:
        current_app.logger.error("TOTP secret of account %s cannot be read: %s", row["id"], error)
        flash(UNREADABLE_KEY_MESSAGE, "error")
        return None


def start_enrolment() -> str:
    """The pending secret (kept across reloads of the setup page until it is confirmed)."""
    secret, _, enabled = own_secret()
    if enabled:
        raise ValueError("two-step sign-in is already on")
    if secret is None:
        secret = new_secret()
        db.write(
            queries.set_pending_totp_secret,
            {"secret": crypto.encrypt(secret, place=_totp_place(current_user.id))},
        )
    return secret


def confirm_enrolment(code: str) -> list[str] | None:
    """Turn TOTP on when `code` matches the pending secret; returns the recovery codes."""
    secret, _, enabled = own_secret()
    if secret is None or enabled:
        return None
    step = matching_step(secret, code, None)
    if step is None:
        return None
    db.write(queries.enable_totp, {"step": step})
    return replace_recovery_codes()


def verify_code(code: str) -> bool:
    """A TOTP code of the signed-in (or half-signed-in) account, accepted once only."""
    secret, last_step, enabled = own_secret()
    if secret is None or not enabled:
        return False
    step = matching_step(secret, code, last_step)
    return step is not None and bool(db.write(queries.accept_totp_step, {"step": step}))


def normalize_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def replace_recovery_codes() -> list[str]:
    """New one-time recovery codes; the old ones stop working. Shown once, stored hashed."""
    db.write(queries.delete_recovery_codes)
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.write(
            queries.insert_recovery_code,
            {"code_hash": crypto.token_hash(normalize_recovery_code(raw))},
        )
    return codes


def use_recovery_code(code: str) -> bool:
    rows = db.write(
        queries.use_recovery_code,
        {"code_hash": crypto.token_hash(normalize_recovery_code(code))},
    )
    return bool(rows)


def remaining_recovery_codes() -> int:
    return int(db.value(queries.unused_recovery_codes) or 0)


def disable() -> None:
    db.write(queries.disable_totp)
    db.write(queries.delete_recovery_codes)
