"""Deletion certificates (P-13): what the purge of a closed company removed, anonymised and kept,
as a canonical JSON document with its SHA-256 digest, signed with the platform's Ed25519 key
(AUDIT_SIGNING_KEY, the key of the audit checkpoints: app/audit/checkpoints.py). The former
owners are emailed a link that needs no account (`/certificate/<token>`, app/certificates/
routes.py); `flask certificate verify <file>` checks a downloaded certificate."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import Blueprint

from app import audit, sql

bp = Blueprint("certificates", __name__, template_folder="templates")
queries = sql.load(__file__, "queries.sql")
# What a signature is about, so that it cannot be taken for a signature of anything else.
DOMAIN = b"plenum deletion certificate v1\n"

__all__ = ["Signed", "bp", "canonical", "digest", "signature_bytes", "signed", "verify"]


@dataclass(frozen=True)
class Signed:
    """A certificate as it is stored and downloaded: the document, its digest and signature."""

    document: str
    digest: str
    signature: str  # base64
    key_id: str

    def as_json(self) -> str:
        """The download: the document (as it was signed) with its digest and signature."""
        return json.dumps(
            {
                "certificate": json.loads(self.document),
                "document": self.document,
                "digest": self.digest,
                "signature": self.signature,
                "key_id": self.key_id,
                "algorithm": "Ed25519 over 'plenum deletion certificate v1\\n' + sha256 hex",
            },
            indent=2,
        )


def canonical(document: dict[str, Any]) -> str:
    """The one text of a certificate: sorted keys, no spaces, UTF-8 characters as they are."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def signed(seed: bytes, document: dict[str, Any]) -> Signed:
    """The certificate signed with the platform's key (the audit signing key's seed)."""
    text = canonical(document)
    hexdigest = digest(text)
    signature = Ed25519PrivateKey.from_private_bytes(seed).sign(DOMAIN + hexdigest.encode())
    key = audit.key_id(audit.public_key_bytes(seed))
    return Signed(text, hexdigest, base64.b64encode(signature).decode(), key)


def signature_bytes(certificate: Signed) -> bytes:
    return base64.b64decode(certificate.signature)


def verify(download: dict[str, Any], keys: dict[str, bytes]) -> str | None:
    """Why a downloaded certificate does not hold (its digest or signature), or None."""
    try:
        document = str(download["document"])
        signature = base64.b64decode("".join(str(download["signature"]).split()), validate=True)
        key_id = str(download["key_id"])
    except (KeyError, ValueError):
        return "it is not a deletion certificate (document, signature or key id missing)"
    if digest(document) != download.get("digest"):
        return "its digest does not match its document (altered)"
    if json.loads(document) != download.get("certificate", json.loads(document)):
        return "the certificate shown differs from the document that was signed (altered)"
    public_key = keys.get(key_id)
    if public_key is None:
        return f"signed with key {key_id}, which is not a trusted key"
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            signature, DOMAIN + digest(document).encode()
        )
    except InvalidSignature:
        return "its signature does not match its document (forged or altered)"
    return None


from app.certificates import routes  # noqa: E402,F401  (registers the views)
