"""Rotating SECRET_KEY: while the old key is listed in SECRET_KEY_FALLBACKS, a browser signed in
before the rotation stays signed in and a recovery code made before it still works; once it is
removed, the old cookie signs no one in."""

from __future__ import annotations

import os
from typing import cast

import pytest

from app import create_app
from app.config import ConfigError, Settings
from tests import factories
from tests.auth.support import enrol, start_two_step_sign_in
from tests.auth.test_sessions import COOKIE, is_signed_in
from tests.conftest import Client, make_settings


def browser_of(database, cookie: str = "", **settings) -> Client:
    """A browser (holding `cookie`, if given) on an app with `settings`."""
    application = create_app(make_settings(database, **settings))
    application.test_client_class = Client
    browser = cast(Client, application.test_client())
    if cookie:
        browser.set_cookie(COOKIE, cookie)
    return browser


def recovery_code_signs_in(browser: Client, email: str, code: str) -> bool:
    start_two_step_sign_in(browser, email, factories.PASSWORD)
    return browser.submit("/sign-in/code", {"code": code}).status_code == 302


def test_a_recovery_code_made_before_the_rotation_works_while_the_old_key_is_a_fallback(
    database, client, make
):
    owner = make.tenant().owner
    client.sign_in(owner.email)
    _, codes = enrol(client)

    after = browser_of(database, secret_key="new-secret")
    during = browser_of(database, secret_key="new-secret", secret_key_fallbacks=("test-secret",))

    assert not recovery_code_signs_in(after, owner.email, codes[0])
    assert recovery_code_signs_in(during, owner.email, codes[0])


def test_a_session_survives_the_rotation_only_while_the_old_key_is_a_fallback(
    database, client, make
):
    tenant = make.tenant()
    client.sign_in(tenant.owner.email)
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None

    during = browser_of(
        database, cookie.value, secret_key="new-secret", secret_key_fallbacks=("test-secret",)
    )
    after = browser_of(database, cookie.value, secret_key="new-secret")

    assert is_signed_in(during)
    assert not is_signed_in(after)
    assert after.get("/team").status_code == 302


def test_the_fallbacks_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", os.environ["DATABASE_URL"])
    monkeypatch.setenv("SECRET_KEY", "new")
    monkeypatch.setenv("SECRET_KEY_FALLBACKS", " older , old ")
    assert Settings.from_env().secret_key_fallbacks == ("older", "old")

    monkeypatch.setenv("SECRET_KEY_FALLBACKS", "old,new")
    with pytest.raises(ConfigError, match="lists the current SECRET_KEY"):
        Settings.from_env()
