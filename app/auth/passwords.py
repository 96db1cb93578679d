"""Password hashing with argon2id (PROMISES.md P-05). Plain passwords are never stored or logged.

A stored hash is never read before sign-in: the database hands out only its salt and costs, the
app computes argon2id of the typed password with them (`candidate`), and the database compares.
Every hash runs under a per-process cap (ARGON2_CONCURRENCY, 64 MiB each), so a burst of
sign-ins waits its turn instead of exhausting memory, and answers 503 when the wait is too long.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher, Type
from argon2.low_level import hash_secret
from flask import Flask, current_app, has_app_context
from werkzeug.exceptions import ServiceUnavailable

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile: t=3, m=64 MiB, p=4
WAIT_SECONDS = 5.0
_outside_app = threading.BoundedSemaphore(4)  # seed, benches and factories


class Busy(ServiceUnavailable):
    """Too many passwords are being hashed at once; the person is asked to try again."""

    description = "We are busy signing other people in. Try again in a moment."


def init_app(app: Flask) -> None:
    app.extensions["plenum.argon2"] = threading.BoundedSemaphore(
        max(1, app.config["PLENUM"].argon2_concurrency)
    )


@contextmanager
def _capped() -> Iterator[None]:
    gate: threading.BoundedSemaphore = (
        current_app.extensions["plenum.argon2"] if has_app_context() else _outside_app
    )
    if not gate.acquire(timeout=WAIT_SECONDS):
        raise Busy
    try:
        yield
    finally:
        gate.release()


def hash_password(password: str) -> str:
    with _capped():
        return _hasher.hash(password)


def candidate(password: str, settings: str, hash_length: int) -> str:
    """argon2id of `password` with a stored hash's salt and costs (`settings` is its PHC string
    without the hash), as a PHC string: equal to the stored hash exactly when the password is."""
    _, kind, version, costs, salt = settings.split("$")
    if kind != "argon2id" or not version.startswith("v="):
        raise ValueError("not an argon2id hash")
    cost = dict(part.split("=", 1) for part in costs.split(","))
    with _capped():
        return hash_secret(
            password.encode(),
            base64.b64decode(salt + "=" * (-len(salt) % 4)),
            time_cost=int(cost["t"]),
            memory_cost=int(cost["m"]),
            parallelism=int(cost["p"]),
            hash_len=hash_length,
            type=Type.ID,
            version=int(version[2:]),
        ).decode()


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
