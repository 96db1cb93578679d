"""Secrets at rest and one-time tokens."""

from __future__ import annotations

import base64
import hashlib
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

PREFIX = "v1:"


def _key() -> bytes:
    return current_app.config["PLENUM"].encryption_key


def encrypt(plaintext: str, *, key: bytes | None = None) -> str:
    """AES-256-GCM with a random nonce; the result is text safe for a column."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(key or _key()).encrypt(nonce, plaintext.encode(), None)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str, *, key: bytes | None = None) -> str:
    """The plaintext of `encrypt`; ValueError when the value was altered or the key differs."""
    if not token.startswith(PREFIX):
        raise ValueError("not an encrypted value")
    raw = base64.urlsafe_b64decode(token[len(PREFIX) :])
    try:
        return AESGCM(key or _key()).decrypt(raw[:12], raw[12:], None).decode()
    except InvalidTag as exc:
        raise ValueError("encrypted value cannot be read with this key") from exc


def new_token() -> str:
    """A URL-safe single-use token (256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    """What is stored of a token: its SHA-256 (tokens are random, so no salt or slow hash)."""
    return hashlib.sha256(token.encode()).digest()
