"""Settings read from the environment once, at start, with typed parsers."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import os
import re
from dataclasses import dataclass
from pathlib import Path

ENVIRONMENTS = ("development", "test", "production")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
DEV_SECRET = "plenum-development-secret-not-for-production"  # noqa: S105 (refused in production)
# Where the local files port keeps photos and signatures unless FILES_DIR says otherwise.
DEFAULT_FILES_DIR = str(Path(__file__).resolve().parent.parent / ".local" / "files")
# The Ed25519 seed that signs audit checkpoints outside production (anyone can derive it).
DEV_AUDIT_SIGNING_KEY = hashlib.sha256(b"audit-signing:" + DEV_SECRET.encode()).digest()


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


def _fraction(name: str, default: float) -> float:
    raw = _text(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number from 0 to 1, not {raw!r}") from exc
    if not 0 <= value <= 1:
        raise ConfigError(f"{name} must be a number from 0 to 1, not {raw!r}")
    return value


def _networks(name: str) -> tuple[Network, ...]:
    """Comma-separated addresses or networks (CIDR)."""
    networks = []
    for item in (_text(name) or "").split(","):
        if item.strip():
            try:
                networks.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError as exc:
                raise ConfigError(f"{name}: {item.strip()!r} is not an address or network") from exc
    return tuple(networks)


def _public_url(env: str) -> str:
    url = (_text("PUBLIC_URL", "http://127.0.0.1:5000") or "").rstrip("/")
    if env == "production" and not url.startswith("https://"):
        # Plain http is redirected to this address: it must be the HTTPS one.
        raise ConfigError("PUBLIC_URL must start with https:// in production")
    return url


DEFAULT_KEY_ID = "default"  # the id of ENCRYPTION_KEY, the one-key keyring
KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


def _key_bytes(name: str, raw: str, kind: str = "AES-256") -> bytes:
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError as exc:
        raise ConfigError(f"{name} must be base64") from exc
    if len(key) != 32:
        raise ConfigError(f"{name} must decode to 32 bytes ({kind})")
    return key


def _base64_keys(name: str, raw: str) -> list[bytes]:
    """Comma-separated base64 values of 32 bytes each (Ed25519 seeds or public keys)."""
    parts = filter(None, (item.strip() for item in raw.split(",")))
    return [_key_bytes(name, part, "an Ed25519 key") for part in parts]


def _secret_key_fallbacks(secret_key: str) -> tuple[str, ...]:
    """SECRET_KEY_FALLBACKS: comma-separated earlier keys, none the current one."""
    raw = _text("SECRET_KEY_FALLBACKS", "") or ""
    keys = tuple(filter(None, (item.strip() for item in raw.split(","))))
    if secret_key in keys:
        raise ConfigError("SECRET_KEY_FALLBACKS lists the current SECRET_KEY")
    return keys


def _audit_signing_key(env: str) -> bytes:
    raw = _text("AUDIT_SIGNING_KEY")
    if raw is None:
        if env == "production":
            raise ConfigError(
                "AUDIT_SIGNING_KEY is required in production (an Ed25519 seed: 32 bytes, base64)"
            )
        return DEV_AUDIT_SIGNING_KEY
    keys = _base64_keys("AUDIT_SIGNING_KEY", raw)
    if len(keys) != 1:
        raise ConfigError("AUDIT_SIGNING_KEY must be one key")
    return keys[0]


def _key_list(raw: str) -> dict[str, bytes]:
    """ENCRYPTION_KEYS: 'id:base64key,id:base64key', in order."""
    keys: dict[str, bytes] = {}
    for entry in raw.split(","):
        key_id, colon, value = entry.strip().partition(":")
        if not colon or not KEY_ID.fullmatch(key_id):
            raise ConfigError(
                "ENCRYPTION_KEYS must be 'id:base64key,id:base64key' with ids of letters,"
                " digits, '-' or '_' (at most 32)"
            )
        if key_id in keys:
            raise ConfigError(f"ENCRYPTION_KEYS names the key {key_id!r} twice")
        keys[key_id] = _key_bytes(f"ENCRYPTION_KEYS ({key_id})", value.strip())
    return keys


def _encryption_keys(env: str) -> tuple[str, dict[str, bytes]]:
    """The keyring: the primary key's id (ENCRYPTION_KEY_ID, else the first) and every key."""
    listed, single = _text("ENCRYPTION_KEYS"), _text("ENCRYPTION_KEY")
    if listed and single:
        raise ConfigError(
            "set ENCRYPTION_KEYS or ENCRYPTION_KEY, not both"
            f" (ENCRYPTION_KEY=X is ENCRYPTION_KEYS={DEFAULT_KEY_ID}:X)"
        )
    if listed:
        keys = _key_list(listed)
    elif single:
        keys = {DEFAULT_KEY_ID: _key_bytes("ENCRYPTION_KEY", single)}
    elif env == "production":
        raise ConfigError("ENCRYPTION_KEYS (or ENCRYPTION_KEY) is required in production")
    else:
        keys = {DEFAULT_KEY_ID: hashlib.sha256(DEV_SECRET.encode()).digest()}
    primary = _text("ENCRYPTION_KEY_ID", next(iter(keys))) or ""
    if primary not in keys:
        raise ConfigError(f"ENCRYPTION_KEY_ID {primary!r} is not a key of ENCRYPTION_KEYS")
    return primary, keys


def _api_base(name: str, env: str) -> str | None:
    """A provider's API address from `name` (tests point the SDKs at local servers), or None for
    the provider's own."""
    base = (_text(name) or "").rstrip("/") or None
    if base is not None and env == "production" and not base.startswith("https://"):
        raise ConfigError(f"{name} must start with https:// in production")
    return base


def _service_role_key(supabase_url: str | None) -> str:
    """The key Storage is called with: the service role's, as the app and the worker act for
    every company (the bucket's policies let no other key in)."""
    key = _text("SUPABASE_SERVICE_ROLE_KEY", "") or ""
    if supabase_url is not None and not key:
        raise ConfigError("SUPABASE_SERVICE_ROLE_KEY is required with SUPABASE_URL")
    return key


# supabase/policies/storage_objects.sql lets members read only buckets named so.
BUCKET = re.compile(r"plenum-[a-z0-9][a-z0-9-]{0,55}")


def _storage_bucket(env: str) -> str:
    """The private bucket of this environment's files: `plenum-<environment>` unless set."""
    bucket = _text("STORAGE_BUCKET", f"plenum-{env}") or ""
    if not BUCKET.fullmatch(bucket):
        raise ConfigError(
            "STORAGE_BUCKET must be 'plenum-' then lowercase letters, digits or '-',"
            f" not {bucket!r}"
        )
    return bucket


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment."""

    env: str
    secret_key: str
    database_url: str
    database_admin_url: str | None
    encryption_key: bytes  # the primary key: new values are sealed with it
    public_url: str
    pool_min_size: int
    pool_max_size: int
    prepared_statements: bool
    sentry_dsn: str | None
    files_dir: str = DEFAULT_FILES_DIR
    # The jobs worker's login role (may become service_role); the web process never needs it.
    worker_database_url: str | None = None
    # The one header the deployment's proxy sets to the client's address (Fly-Client-IP on
    # Fly), and optionally the proxies it is accepted from; None: the socket's peer address.
    client_address_header: str | None = None
    trusted_proxies: tuple[Network, ...] = ()
    # Earlier secret keys whose session cookies are still accepted (and re-signed with
    # `secret_key`) while a new key is rolled out; removed once the rollout is over.
    secret_key_fallbacks: tuple[str, ...] = ()
    # Signs audit checkpoints (P-08); the database never holds it.
    audit_signing_key: bytes = DEV_AUDIT_SIGNING_KEY
    # Public keys of earlier signing keys that `flask audit verify` still trusts.
    audit_verify_keys: tuple[bytes, ...] = ()
    encryption_key_id: str = DEFAULT_KEY_ID
    # Every key that may still open values, (id, key) pairs; the primary is added to them.
    encryption_keys: tuple[tuple[str, bytes], ...] = ()
    argon2_concurrency: int = 4  # password hashes computed at once per process (64 MiB each)
    fragment_cache_bytes: int = 16 * 1024 * 1024  # app/fragments.py, per process; 0: off
    # Where the Stripe, Twilio, SendGrid and Google Maps SDKs send their calls; None: the
    # provider's own API (tests: loopback servers that speak it).
    stripe_api_base: str | None = None
    twilio_api_base: str | None = None
    sendgrid_api_base: str | None = None
    google_maps_api_base: str | None = None
    # Geocoding and travel times through Google Maps; "": offline (ZIP centroids).
    google_maps_key: str = ""
    # Files in Supabase Storage (the project's URL and its service-role key, the private
    # bucket); None: the local folder, files_dir.
    supabase_url: str | None = None
    supabase_service_role_key: str = ""
    storage_bucket: str = "plenum-development"
    # The build running, as Sentry names it (PLENUM_RELEASE, else the image Fly.io deployed).
    release: str | None = None
    # The share of requests Sentry traces (their timing); 0: errors only.
    sentry_traces_sample_rate: float = 0.0
    # The jobs worker's lease on a periodic job it runs, renewed while the job runs: how long a
    # worker that died keeps holding the job from the others.
    job_lease_seconds: int = 60

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
        supabase_url = _api_base("SUPABASE_URL", env)
        if files_dir is None and supabase_url is None and env == "production":
            # A machine's own disk does not outlive a deploy: photos need Supabase Storage or a
            # persistent volume.
            raise ConfigError(
                "SUPABASE_URL (files in Supabase Storage) or FILES_DIR (a persistent volume)"
                " is required in production"
            )
        key_id, keys = _encryption_keys(env)
        return cls(
            env=env,
            secret_key=secret_key,
            secret_key_fallbacks=_secret_key_fallbacks(secret_key),
            database_url=database_url,
            database_admin_url=_text("DATABASE_ADMIN_URL"),
            encryption_key=keys[key_id],
            encryption_key_id=key_id,
            encryption_keys=tuple(keys.items()),
            public_url=_public_url(env),
            pool_min_size=_int("DATABASE_POOL_MIN", 1),
            pool_max_size=_int("DATABASE_POOL_MAX", 10),
            # Off behind a transaction-mode pooler (Supavisor's port 6543, pgbouncer).
            prepared_statements=_bool("DATABASE_PREPARED_STATEMENTS", True),
            sentry_dsn=_text("SENTRY_DSN"),
            files_dir=files_dir or DEFAULT_FILES_DIR,
            worker_database_url=_text("WORKER_DATABASE_URL"),
            client_address_header=_text("CLIENT_ADDRESS_HEADER"),
            trusted_proxies=_networks("TRUSTED_PROXIES"),
            audit_signing_key=_audit_signing_key(env),
            audit_verify_keys=tuple(
                _base64_keys("AUDIT_VERIFY_KEY", _text("AUDIT_VERIFY_KEY", "") or "")
            ),
            argon2_concurrency=_int("ARGON2_CONCURRENCY", 4),
            fragment_cache_bytes=_int("FRAGMENT_CACHE_BYTES", 16 * 1024 * 1024),
            stripe_api_base=_api_base("STRIPE_API_BASE", env),
            twilio_api_base=_api_base("TWILIO_API_BASE", env),
            sendgrid_api_base=_api_base("SENDGRID_API_BASE", env),
            google_maps_api_base=_api_base("GOOGLE_MAPS_API_BASE", env),
            google_maps_key=_text("GOOGLE_MAPS_API_KEY", "") or "",
            supabase_url=supabase_url,
            supabase_service_role_key=_service_role_key(supabase_url),
            storage_bucket=_storage_bucket(env),
            release=_text("PLENUM_RELEASE")
            or _text("FLY_IMAGE_REF")
            or _text("FLY_MACHINE_VERSION"),
            sentry_traces_sample_rate=_fraction("SENTRY_TRACES_SAMPLE_RATE", 0.0),
            job_lease_seconds=_int("JOB_LEASE_SECONDS", 60),
        )
