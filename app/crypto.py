"""Secrets at rest and one-time tokens.

A secret is sealed with AES-256-GCM for its place: the associated data names the table, the
column, the company and the row (or the account), so a value copied into another row, column,
company or account does not open. The value names the key that sealed it
(`v2:<key id>:<base64 nonce+ciphertext>`) and the keyring in config holds every key that may
still open values, so keys rotate (`flask crypto rotate`). Every encrypted column is listed in
ENCRYPTED_COLUMNS: nothing is sealed for a column missing there, so rotation and the column
inspection test cover every one."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

LEGACY_PREFIX = "v1:"  # one key, no associated data: still opens until rotated
PREFIX = "v2:"
NONCE_BYTES = 12
TAG_BYTES = 16


class UnreadableSecret(ValueError):
    """A stored value that does not open here: altered, copied from another place, or sealed
    with a key this configuration does not hold. The message names no secret."""


@dataclass(frozen=True)
class Place:
    """Where a sealed value lives; it opens only there."""

    table: str
    column: str
    tenant_id: Any  # None for a row that belongs to an account, not a company
    row_id: Any

    def associated_data(self) -> bytes:
        tenant = None if self.tenant_id is None else str(self.tenant_id)
        return json.dumps(
            ["plenum/v2", self.table, self.column, tenant, str(self.row_id)],
            separators=(",", ":"),
        ).encode()


@dataclass(frozen=True)
class EncryptedColumn:
    """A column that holds sealed values ('' or null when there is none)."""

    table: str  # schema-qualified
    column: str
    tenant_column: str | None  # None: rows belong to accounts (iam), not to a company

    def at(self, tenant_id: Any, row_id: Any) -> Place:
        if (tenant_id is None) != (self.tenant_column is None):
            needs = "needs" if self.tenant_column else "takes no"
            raise ValueError(f"a place in {self.table} {needs} company")
        return Place(self.table, self.column, tenant_id, row_id)

    @property
    def key_columns(self) -> tuple[str, ...]:
        return ("id",) if self.tenant_column is None else (self.tenant_column, "id")


ACCOUNT_TOTP_SECRET = EncryptedColumn("iam.accounts", "totp_secret", None)
PROPERTY_ACCESS_NOTES = EncryptedColumn("public.properties", "access_notes_encrypted", "tenant_id")
STRIPE_SECRET_KEY = EncryptedColumn("public.stripe_accounts", "secret_key_encrypted", "tenant_id")
STRIPE_WEBHOOK_SECRET = EncryptedColumn(
    "public.stripe_accounts", "webhook_secret_encrypted", "tenant_id"
)
TWILIO_AUTH_TOKEN = EncryptedColumn(
    "public.messaging_accounts", "twilio_auth_token_encrypted", "tenant_id"
)
SENDGRID_API_KEY = EncryptedColumn(
    "public.messaging_accounts", "sendgrid_api_key_encrypted", "tenant_id"
)
# Every encrypted column, in one place: rotation and the column inspection (P-17) walk it.
ENCRYPTED_COLUMNS = (
    ACCOUNT_TOTP_SECRET,
    PROPERTY_ACCESS_NOTES,
    STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET,
    TWILIO_AUTH_TOKEN,
    SENDGRID_API_KEY,
)
_REGISTERED = {(c.table, c.column) for c in ENCRYPTED_COLUMNS}


@dataclass(frozen=True)
class Keyring:
    """Every key that may open values (id → 32 bytes); new values are sealed with `primary`."""

    keys: Mapping[str, bytes]
    primary: str

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise UnreadableSecret(
                f"sealed with key {key_id!r}, which is not in this configuration's keyring"
            ) from None

    def prefix(self) -> str:
        """How every value sealed with the primary key starts."""
        return f"{PREFIX}{self.primary}:"


def keyring_of(settings: Any) -> Keyring:
    """The keyring a Settings object describes (app.config.Settings)."""
    keys = dict(settings.encryption_keys)
    keys[settings.encryption_key_id] = settings.encryption_key
    return Keyring(keys, settings.encryption_key_id)


def app_keyring() -> Keyring:
    return keyring_of(current_app.config["PLENUM"])


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


def _unb64(text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.encode())
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise UnreadableSecret("not an encrypted value") from exc
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise UnreadableSecret("not an encrypted value")
    return raw


def _seal(key: bytes, plaintext: str, associated_data: bytes | None) -> str:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return _b64(nonce + AESGCM(key).encrypt(nonce, plaintext.encode(), associated_data))


def _open(key: bytes, raw: bytes, associated_data: bytes | None) -> str:
    nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    return AESGCM(key).decrypt(nonce, sealed, associated_data).decode()


def encrypt(
    plaintext: str,
    *,
    place: Place | None = None,
    keyring: Keyring | None = None,
    key: bytes | None = None,
) -> str:
    """Seal `plaintext` for `place` with the primary key of the keyring (the app's by default).
    `key` without a place is the legacy format (v1, no associated data) for callers that keep
    their own keys; an app secret stored in a column always names its place."""
    if place is None:
        if key is None:
            raise TypeError("encrypt needs the place the value is stored at")
        return LEGACY_PREFIX + _seal(key, plaintext, None)
    if (place.table, place.column) not in _REGISTERED:
        raise ValueError(f"{place.table}.{place.column} is not in crypto.ENCRYPTED_COLUMNS")
    ring = keyring or app_keyring()
    return ring.prefix() + _seal(ring.key(ring.primary), plaintext, place.associated_data())


def decrypt(
    token: str,
    *,
    place: Place | None = None,
    keyring: Keyring | None = None,
    key: bytes | None = None,
) -> str:
    """The plaintext of `encrypt` at the same place; UnreadableSecret (a ValueError) when the
    value was altered, belongs to another place, or its key is not in the keyring."""
    if place is None:
        if key is None:
            raise TypeError("decrypt needs the place the value is stored at")
        ring = Keyring({"given": key}, "given")
    else:
        ring = keyring or app_keyring()
    if token.startswith(PREFIX) and place is not None:
        key_id, _, body = token[len(PREFIX) :].partition(":")
        try:
            return _open(ring.key(key_id), _unb64(body), place.associated_data())
        except InvalidTag:
            raise UnreadableSecret(
                f"does not open at {place.table}.{place.column} of this row: altered, or"
                " copied from another row, column, company or account"
            ) from None
    if token.startswith(LEGACY_PREFIX):
        raw = _unb64(token[len(LEGACY_PREFIX) :])
        for candidate in ring.keys.values():
            try:
                return _open(candidate, raw, None)
            except InvalidTag:
                continue
        raise UnreadableSecret("a legacy (v1) value that no key of the keyring opens")
    raise UnreadableSecret("not an encrypted value")


def reseal(token: str, place: Place, keyring: Keyring) -> str | None:
    """The value sealed again with the primary key; None when it already is."""
    if token.startswith(keyring.prefix()):
        return None
    return encrypt(decrypt(token, place=place, keyring=keyring), place=place, keyring=keyring)


def new_token() -> str:
    """A URL-safe single-use token (256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    """What is stored of a token: its SHA-256 (tokens are random, so no salt or slow hash)."""
    return hashlib.sha256(token.encode()).digest()
