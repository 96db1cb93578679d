"""Rotating SECRET_KEY: while the old key is listed in SECRET_KEY_FALLBACKS, a browser signed in
before the rotation stays signed in; once it is removed, the old cookie signs no one in."""

from __future__ import annotations

import os
from typing import cast

import pytest

from app import create_app
from app.config import ConfigError, Settings
from tests.auth.test_sessions import COOKIE, is_signed_in
from tests.conftest import Client, make_settings


def browser_of(database, cookie: str, **settings) -> Client:
    """A browser holding `cookie`, on an app with `settings`."""
    application = create_app(make_settings(database, **settings))
    application.test_client_class = Client
    browser = cast(Client, application.test_client())
    browser.set_cookie(COOKIE, cookie)
    return browser


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
