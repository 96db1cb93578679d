"""Keys derived from SECRET_KEY, one per purpose (HKDF-SHA256), so no two uses share a key."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


def derived_key(purpose: str, secret_key: str | None = None) -> bytes:
    """A 256-bit key for one purpose, from `secret_key` (default SECRET_KEY); changing
    SECRET_KEY changes every derived key."""
    secret = current_app.config["SECRET_KEY"] if secret_key is None else secret_key
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"plenum:{purpose}".encode()
    ).derive(str(secret).encode())


def keyed_hash(purpose: str, value: str, secret_key: str | None = None) -> bytes:
    """HMAC-SHA256 of `value` under the purpose's key: a stolen table cannot be guessed offline."""
    return hmac.new(derived_key(purpose, secret_key), value.encode(), hashlib.sha256).digest()


def keyed_hashes(purpose: str, value: str) -> list[bytes]:
    """`keyed_hash` under SECRET_KEY and under each of SECRET_KEY_FALLBACKS: what a value
    stored before a rotation of SECRET_KEY may be kept under."""
    earlier = current_app.config.get("SECRET_KEY_FALLBACKS") or []
    return [keyed_hash(purpose, value)] + [keyed_hash(purpose, value, k) for k in earlier]
