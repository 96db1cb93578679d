"""Limits hold under concurrency: of 16 parallel guesses no more than the limit are checked, and
argon2 runs under a per-process cap (P-06)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask

from app import create_app
from app.auth import checks, mfa, passwords
from tests import factories
from tests.auth.support import enrol, wrong_code
from tests.conftest import Client, make_settings

pytestmark = pytest.mark.promise("P-06")

PARALLEL = 16
LIMIT = 5


@pytest.fixture
def app(database) -> Iterator[Flask]:
    """The app with a connection for every parallel guess, so none waits for the pool."""
    application = create_app(make_settings(database, pool_max_size=PARALLEL + 2))
    application.test_client_class = Client
    yield application
    application.extensions["plenum.pool"].close()


class Spy:
    """Counts calls that reach a function (the comparison), and lets them through unchanged."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> None:
        self.calls = 0
        self._lock = threading.Lock()
        real = getattr(owner, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.calls += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)


def in_parallel(app, attempt: Callable[[], Any]) -> list[str]:
    """Run `attempt` PARALLEL times at once, released together; the outcome of each."""
    start = threading.Barrier(PARALLEL)

    def one() -> str:
        with app.app_context():
            start.wait()
            try:
                return "checked" if attempt() is None else "accepted"
            except checks.TooManyAttempts:
                return "paused"

    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(lambda _: one(), range(PARALLEL)))


def test_sixteen_parallel_wrong_passwords_check_at_most_five(app, admin, make, monkeypatch):
    owner = make.tenant().owner
    compared = Spy(monkeypatch, passwords, "candidate")

    outcomes = in_parallel(
        app, lambda: checks.check_password(owner.email, "a wrong guess", "203.0.113.9")
    )

    assert outcomes.count("checked") == compared.calls <= LIMIT
    assert outcomes.count("paused") == PARALLEL - compared.calls
    finished = admin.execute(
        "select count(*) filter (where finished_at is not null) as compared, count(*) as recorded"
        " from iam.sign_in_attempts"
    ).fetchone()
    assert finished == {"compared": compared.calls, "recorded": compared.calls}


def test_sixteen_parallel_wrong_codes_check_at_most_five(app, admin, make, monkeypatch):
    owner = make.tenant().owner
    browser = app.test_client()
    browser.sign_in(owner.email)
    secret, _ = enrol(browser)
    with app.app_context():
        credentials = checks.check_password(owner.email, factories.PASSWORD, "203.0.113.9")
    assert credentials is not None and credentials.challenge is not None
    challenge = credentials.challenge
    compared = Spy(monkeypatch, mfa, "code_step")

    outcomes = in_parallel(app, lambda: checks.check_second_factor(challenge, wrong_code(secret)))

    assert outcomes.count("checked") == compared.calls <= LIMIT
    assert outcomes.count("paused") == PARALLEL - compared.calls
    row = admin.execute(
        "select count(*) as n from iam.sign_in_attempts where kind = 'code'"
    ).fetchone()
    assert row == {"n": compared.calls}


def test_a_burst_beyond_the_argon2_cap_is_told_to_try_again(app, client, make, monkeypatch):
    owner = make.tenant().owner
    monkeypatch.setattr(passwords, "WAIT_SECONDS", 0.2)
    gate = app.extensions["plenum.argon2"]
    taken = 0
    while gate.acquire(blocking=False):  # every slot busy hashing someone else's password
        taken += 1
    assert taken == app.config["PLENUM"].argon2_concurrency == 4
    try:
        response = client.submit("/sign-in", {"email": owner.email, "password": "anything"})
    finally:
        for _ in range(taken):
            gate.release()

    assert response.status_code == 503
    assert "Try again in a moment" in response.get_data(as_text=True)
    client.sign_in(owner.email)
