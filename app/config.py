"""Settings read from the environment once, at start, with typed parsers."""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

ENVIRONMENTS = ("development", "test", "production")
DEV_SECRET = "plenum-development-secret-not-for-production"  # noqa: S105 (refused in production)
# Where the local files port keeps photos and signatures unless FILES_DIR says otherwise.
DEFAULT_FILES_DIR = str(Path(__file__).resolve().parent.parent / ".local" / "files")


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message says which and how to fix it."""


def _text(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or default


def _int(name: str, default: int) -> int:
    raw = _text(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc


def _bool(name: str, default: bool) -> bool:
    raw = _text(name)
    if raw is None:
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def _encryption_key(env: str) -> bytes:
    raw = _text("ENCRYPTION_KEY")
    if raw is None:
        if env == "production":
            raise ConfigError("ENCRYPTION_KEY is required in production (32 bytes, base64)")
        return hashlib.sha256(DEV_SECRET.encode()).digest()
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError as exc:
        raise ConfigError("ENCRYPTION_KEY must be base64") from exc
    if len(key) != 32:
        raise ConfigError("ENCRYPTION_KEY must decode to 32 bytes (AES-256)")
    return key


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment."""

    env: str
    secret_key: str
    database_url: str
    database_admin_url: str | None
    encryption_key: bytes
    public_url: str
    pool_min_size: int
    pool_max_size: int
    prepared_statements: bool
    sentry_dsn: str | None
    files_dir: str = DEFAULT_FILES_DIR
    argon2_concurrency: int = 4  # password hashes computed at once per process (64 MiB each)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls) -> Settings:
        env = _text("PLENUM_ENV", "development") or "development"
        if env not in ENVIRONMENTS:
            raise ConfigError(f"PLENUM_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
        secret_key = _text("SECRET_KEY")
        if secret_key is None:
            if env == "production":
                raise ConfigError("SECRET_KEY is required in production")
            secret_key = DEV_SECRET
        database_url = _text("DATABASE_URL")
        if database_url is None:
            raise ConfigError("DATABASE_URL is not set (make dev and make test set it for you)")
        files_dir = _text("FILES_DIR")
        if files_dir is None and env == "production":
            # A machine's own disk does not outlive a deploy: photos need a persistent volume.
            raise ConfigError("FILES_DIR is required in production (a persistent volume)")
        return cls(
            env=env,
            secret_key=secret_key,
            database_url=database_url,
            database_admin_url=_text("DATABASE_ADMIN_URL"),
            encryption_key=_encryption_key(env),
            public_url=(_text("PUBLIC_URL", "http://127.0.0.1:5000") or "").rstrip("/"),
            pool_min_size=_int("DATABASE_POOL_MIN", 1),
            pool_max_size=_int("DATABASE_POOL_MAX", 10),
            # Off behind a transaction-mode pooler (Supavisor's port 6543, pgbouncer).
            prepared_statements=_bool("DATABASE_PREPARED_STATEMENTS", True),
            sentry_dsn=_text("SENTRY_DSN"),
            files_dir=files_dir or DEFAULT_FILES_DIR,
            argon2_concurrency=_int("ARGON2_CONCURRENCY", 4),
        )
