"""The key that signs audit checkpoints comes from configuration: required in production, an
embedded default elsewhere, earlier public keys kept for verification."""

from __future__ import annotations

import base64
import secrets

import pytest

from app.audit import checkpoints
from app.config import DEV_AUDIT_SIGNING_KEY, ConfigError, Settings


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """A production environment with every other required setting."""
    monkeypatch.setenv("PLENUM_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("ENCRYPTION_KEY", base64.b64encode(bytes(32)).decode())
    monkeypatch.setenv("FILES_DIR", "/data/files")  # only named, never written
    monkeypatch.setenv("PUBLIC_URL", "https://plenum.test")
    monkeypatch.delenv("AUDIT_SIGNING_KEY", raising=False)
    monkeypatch.delenv("AUDIT_VERIFY_KEY", raising=False)
    return monkeypatch


def test_production_requires_the_signing_key(env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="AUDIT_SIGNING_KEY is required in production"):
        Settings.from_env()
    seed = secrets.token_bytes(32)
    env.setenv("AUDIT_SIGNING_KEY", base64.b64encode(seed).decode())
    assert Settings.from_env().audit_signing_key == seed


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not base64!", "AUDIT_SIGNING_KEY must be base64"),
        (base64.b64encode(bytes(16)).decode(), "must decode to 32 bytes"),
        (f"{base64.b64encode(bytes(32)).decode()},{base64.b64encode(bytes(32)).decode()}", "one"),
    ],
)
def test_a_malformed_signing_key_is_refused(
    env: pytest.MonkeyPatch, value: str, message: str
) -> None:
    env.setenv("AUDIT_SIGNING_KEY", value)
    with pytest.raises(ConfigError, match=message):
        Settings.from_env()


def test_outside_production_the_embedded_key_signs(env: pytest.MonkeyPatch) -> None:
    env.setenv("PLENUM_ENV", "development")
    assert Settings.from_env().audit_signing_key == DEV_AUDIT_SIGNING_KEY


def test_verify_trusts_the_signing_key_and_the_listed_earlier_keys(
    env: pytest.MonkeyPatch,
) -> None:
    seed, earlier = secrets.token_bytes(32), secrets.token_bytes(32)
    env.setenv("AUDIT_SIGNING_KEY", base64.b64encode(seed).decode())
    env.setenv(
        "AUDIT_VERIFY_KEY", " " + base64.b64encode(checkpoints.public_key_bytes(earlier)).decode()
    )
    keys = checkpoints.trusted_keys(Settings.from_env())
    assert set(keys.values()) == {
        checkpoints.public_key_bytes(seed),
        checkpoints.public_key_bytes(earlier),
    }
    env.setenv("AUDIT_VERIFY_KEY", "not a key!")
    with pytest.raises(ConfigError, match="AUDIT_VERIFY_KEY must be base64"):
        Settings.from_env()
