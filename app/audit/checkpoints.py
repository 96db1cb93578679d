"""Signed checkpoints of the audit chain (P-08): "company T's chain had hash H at link N, at time
S", signed with an Ed25519 key that only the configuration holds (AUDIT_SIGNING_KEY). Whoever
rewrites the log and recomputes every link cannot make the checkpoints agree without that key.

The worker signs (jobs/audit_checkpoints.py); `flask audit verify` checks (app/audit/verify.py)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app import sql
from app.config import Settings

queries = sql.load(__file__, "checkpoints.sql")
# What a signature is about, so that it cannot be taken for a signature of anything else.
DOMAIN = "plenum audit checkpoint v1"


@dataclass(frozen=True)
class Checkpoint:
    tenant_id: UUID
    seq: int
    chain_hash: bytes
    signed_at: datetime
    key_id: str
    signature: bytes


def public_key_bytes(seed: bytes) -> bytes:
    """The raw 32-byte public key of an Ed25519 seed."""
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public_key: bytes) -> str:
    """A key's name in a checkpoint: the start of the SHA-256 of its public key."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def timestamp(signed_at: datetime) -> str:
    """The signing time as it is signed: UTC, to the microsecond (as the database keeps it)."""
    return signed_at.astimezone(UTC).isoformat(timespec="microseconds")


def statement(
    tenant_id: UUID, seq: int, chain_hash: bytes, signed_at: datetime, signer: str
) -> bytes:
    """The exact bytes that are signed."""
    return (
        f"{DOMAIN}\ntenant={tenant_id}\nseq={seq}\nchain_hash={bytes(chain_hash).hex()}"
        f"\nsigned_at={timestamp(signed_at)}\nkey_id={signer}\n"
    ).encode()


def sign(
    seed: bytes, tenant_id: UUID, seq: int, chain_hash: bytes, signed_at: datetime
) -> Checkpoint:
    signer = key_id(public_key_bytes(seed))
    signature = Ed25519PrivateKey.from_private_bytes(seed).sign(
        statement(tenant_id, seq, chain_hash, signed_at, signer)
    )
    return Checkpoint(tenant_id, seq, bytes(chain_hash), signed_at, signer, signature)


def statement_of(checkpoint: Checkpoint) -> bytes:
    """The text a checkpoint's signature covers."""
    return statement(
        checkpoint.tenant_id,
        checkpoint.seq,
        checkpoint.chain_hash,
        checkpoint.signed_at,
        checkpoint.key_id,
    )


def trusted_keys(settings: Settings) -> dict[str, bytes]:
    """Public keys by key id: the signing key's, and earlier ones kept in AUDIT_VERIFY_KEY."""
    keys = [public_key_bytes(settings.audit_signing_key), *settings.audit_verify_keys]
    return {key_id(key): key for key in keys}


def signature_problem(checkpoint: Checkpoint, keys: dict[str, bytes]) -> str | None:
    """Why the checkpoint's signature does not hold, or None when it does."""
    public_key = keys.get(checkpoint.key_id)
    if public_key is None:
        return f"signed with key {checkpoint.key_id}, which is not a trusted key"
    message = statement_of(checkpoint)
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(checkpoint.signature, message)
    except InvalidSignature:
        return "its signature does not match what it says (forged or altered)"
    return None


def encoded(value: bytes) -> str:
    """How keys and signatures are written out (in receipts and settings): base64."""
    return base64.b64encode(value).decode()
