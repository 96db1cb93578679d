"""TOTP second factor (PROMISES.md P-04): enrolment with a QR code, sign-in codes that work
once, and one-time recovery codes kept only as keyed hashes. Checking a code at sign-in is in
`app.auth.checks`, with its limits."""

from __future__ import annotations

import hmac
import secrets
import time

import pyotp
from flask import current_app, flash
from flask_login import current_user

from app import crypto, db, qr, sql
from app.auth import identity, keys

queries = sql.load(__file__)

ISSUER = "Plenum"
STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
UNREADABLE_KEY_MESSAGE = (
    "Your stored authenticator key can't be read on this server, so codes from your app can't"
    " be checked. To sign in, use a recovery code; then set up two-step sign-in again."
)
RECOVERY_PURPOSE = "recovery codes"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account_email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account_email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG markup (no script, no external request)."""
    return qr.svg(uri)


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


def own_secret() -> tuple[str | None, bool]:
    """The signed-in account's TOTP secret (decrypted) and whether it is on."""
    row = db.one(queries.own_account)
    if row is None or row["totp_secret"] is None:
        return None, False
    return open_secret(row["totp_secret"], row["id"]), row["totp_enabled_at"] is not None


def _totp_place(account_id: object) -> crypto.Place:
    """A TOTP secret opens only in its own account's row (P-17)."""
    return crypto.ACCOUNT_TOTP_SECRET.at(None, account_id)


# The only two places the TOTP secret meets the encryption of app/crypto.py.
def seal_secret(secret: str, account_id: object) -> str:
    """The TOTP secret as stored: encrypted and bound to its account (AES-256-GCM)."""
    return crypto.encrypt(secret, place=_totp_place(account_id))


def open_secret(sealed: str, account_id: object) -> str | None:
    """The account's secret; one that does not open here (copied from another account, or
    sealed with a key this server lacks) matches no code: recovery codes still work."""
    try:
        return crypto.decrypt(sealed, place=_totp_place(account_id))
    except crypto.UnreadableSecret as error:
        current_app.logger.error("TOTP secret of account %s cannot be read: %s", account_id, error)
        flash(UNREADABLE_KEY_MESSAGE, "error")
        return None


def start_enrolment() -> str:
    """The pending secret (kept across reloads of the setup page until it is confirmed)."""
    secret, enabled = own_secret()
    if enabled:
        raise ValueError("two-step sign-in is already on")
    if secret is None:
        secret = new_secret()
        db.write(queries.set_pending_totp_secret, {"secret": seal_secret(secret, current_user.id)})
    return secret


def confirm_enrolment(code: str) -> list[str] | None:
    """Turn TOTP on when `code` matches the pending secret; returns the recovery codes."""
    secret, enabled = own_secret()
    if secret is None or enabled:
        return None
    step = matching_step(secret, code, None)
    if step is None:
        return None
    # This session has just proved the second factor: from here on its claims say so, or the
    # account's own rows (the recovery codes written next) would be out of its reach.
    identity.raise_assurance()
    db.write(queries.enable_totp, {"step": step})
    return replace_recovery_codes()


def code_step(
    sealed: str | None, account_id: object, code: str, last_step: int | None
) -> int | None:
    """The time step a code proves for an account's stored (encrypted) secret, if any."""
    secret = open_secret(sealed, account_id) if sealed else None
    return None if secret is None else matching_step(secret, code, last_step)


def normalize_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def recovery_code_hash(code: str) -> bytes:
    """What is stored of a recovery code: HMAC-SHA256 under a key derived from SECRET_KEY."""
    return keys.keyed_hash(RECOVERY_PURPOSE, normalize_recovery_code(code))


def recovery_code_hashes(code: str) -> list[bytes]:
    """The hashes a typed recovery code may be stored under: keyed (under SECRET_KEY, or an
    earlier key still listed in SECRET_KEY_FALLBACKS), or (codes made before keyed hashes)
    plain SHA-256, which keeps working until used or replaced."""
    normal = normalize_recovery_code(code)
    return [*keys.keyed_hashes(RECOVERY_PURPOSE, normal), crypto.token_hash(normal)]


def replace_recovery_codes() -> list[str]:
    """New one-time recovery codes; the old ones stop working. Shown once, stored hashed."""
    db.write(queries.delete_recovery_codes)
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.write(queries.insert_recovery_code, {"code_hash": recovery_code_hash(raw)})
    return codes


def remaining_recovery_codes() -> int:
    return int(db.value(queries.unused_recovery_codes) or 0)
