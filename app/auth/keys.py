"""Keys derived from SECRET_KEY, one per purpose (HKDF-SHA256), so no two uses share a key."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


def derived_key(purpose: str) -> bytes:
    """A 256-bit key for one purpose; changing SECRET_KEY changes every derived key."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"plenum:{purpose}".encode()
    ).derive(str(current_app.config["SECRET_KEY"]).encode())


def keyed_hash(purpose: str, value: str) -> bytes:
    """HMAC-SHA256 of `value` under the purpose's key: a stolen table cannot be guessed offline."""
    return hmac.new(derived_key(purpose), value.encode(), hashlib.sha256).digest()
