"""Bearer tokens never reach the access log: real gunicorn, started with the deployment's
gunicorn.conf.py, serves whole flows over HTTP (reset, invitation, unlock, sign-up
confirmation, calendar feed), and its access log is read back."""

from __future__ import annotations

import html
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app import crypto
from app.access_log import redact
from tests.conftest import TestDatabase
from tests.factories import PASSWORD, Factory
from tests.portal.support import link_from_outbox

ROOT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
NEW_PASSWORD = "a passphrase chosen over http"


class Browser:
    """A cookie-keeping HTTP client that follows redirects, as a person's browser does."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def request(self, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, final path, page text)."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base_url + path, data=data, timeout=30) as response:
                status, url, body = response.status, response.url, response.read()
        except urllib.error.HTTPError as refused:
            status, url, body = refused.code, refused.url, refused.read()
        return status, urllib.parse.urlsplit(url).path, html.unescape(body.decode())

    def submit(
        self, path: str, form: dict[str, str], page: str | None = None
    ) -> tuple[int, str, str]:
        """Fill the form of `page` (default: `path`) and post it to `path`."""
        _, _, shown = self.request(page or path)
        match = CSRF.search(shown)
        assert match, shown
        return self.request(path, {"csrf_token": match.group(1), **form})


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def gunicorn(database: TestDatabase, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """gunicorn with gunicorn.conf.py on a free port; yields (base URL, access log file)."""
    port, log = _free_port(), tmp_path / "access.log"
    env = {
        **os.environ,
        "DATABASE_URL": database.app_url,
        "DATABASE_ADMIN_URL": database.admin_url,
        "PLENUM_ENV": "test",
        "PUBLIC_URL": "http://plenum.test",
        "FILES_DIR": str(tmp_path / "files"),
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4"]
    command += ["--access-logfile", str(log), "--error-logfile", str(tmp_path / "error.log")]
    server = subprocess.Popen([*command, "app:create_app()"], cwd=ROOT, env=env)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url, server, tmp_path / "error.log")
        yield base_url, log
    finally:
        server.terminate()
        server.wait(timeout=20)


def _wait_until_up(base_url: str, server: subprocess.Popen[Any], errors: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, errors.read_text() if errors.exists() else "exited"
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start")


def _emailed_path(admin: Any, to: str, kind: str) -> str:
    row = admin.execute(
        "select body_text from outbox.messages where to_address = %s and kind = %s"
        " order by created_at desc limit 1",
        [to, kind],
    ).fetchone()
    assert row is not None, f"no {kind} email to {to}"
    match = re.search(r"http://plenum\.test(/\S+)", row["body_text"])
    assert match, row["body_text"]
    return match.group(1)


def _reset_flow(base_url: str, admin: Any, email: str) -> str:
    browser = Browser(base_url)
    status, path, _ = browser.submit("/password/forgot", {"email": email})
    assert (status, path) == (200, "/sign-in")
    link = _emailed_path(admin, email, "password_reset")
    status, path, page = browser.request(link)
    assert (status, path) == (200, "/password/reset") and "Choose a new password" in page
    status, path, page = browser.submit("/password/reset", {"password": NEW_PASSWORD})
    assert (status, path) == (200, "/sign-in") and "Your password is changed" in page
    return link


def _invitation_flow(base_url: str, admin: Any, owner_email: str) -> str:
    owner = Browser(base_url)
    assert owner.submit("/sign-in", {"email": owner_email, "password": NEW_PASSWORD})[1] == "/"
    status, _, page = owner.submit(
        "/team/invitations", {"email": "joiner@example.com", "role": "technician"}, page="/team"
    )
    assert status == 200 and "Invitation sent to joiner@example.com." in page
    link = _emailed_path(admin, "joiner@example.com", "invitation")
    joiner = Browser(base_url)
    status, path, page = joiner.request(link)
    assert (status, path) == (200, "/invitation") and "Create your account to accept." in page
    status, path, page = joiner.submit(
        "/invitation", {"full_name": "Jo Joiner", "password": "joiner passphrase 2026"}
    )
    assert (status, path) == (200, "/") and "Signed in as Jo Joiner · Technician" in page
    return link


def _unlock_and_sign_up_flows(base_url: str, admin: Any, owner_email: str) -> list[str]:
    browser = Browser(base_url)
    browser.submit("/sign-in/paused", {"email": owner_email}, page="/sign-in")
    unlock = _emailed_path(admin, owner_email, "sign_in_unlock")
    assert browser.request(unlock)[1] == "/sign-in/unlock"
    assert browser.submit("/sign-in/unlock", {})[1] == "/sign-in"
    form = {"company_name": "Logged Co", "time_zone": "America/Chicago", "full_name": "Lo Gged"}
    form |= {"email": "lo@logged.example", "password": "logged passphrase 2026"}
    assert browser.submit("/sign-up", form)[1] == "/sign-up/sent"
    confirm = _emailed_path(admin, "lo@logged.example", "email_verification")
    assert browser.request(confirm)[1] == "/sign-up/confirm"
    assert browser.submit("/sign-up/confirm", {})[1] == "/"
    return [unlock, confirm]


def _portal_flow(base_url: str, admin: Any, make: Factory) -> str:
    """A homeowner signs in to the portal with the link of their sign-in message."""
    company = make.tenant("Logged Heating")
    make.customer(company.id, "Dana", email="dana@logged.example")
    asking = Browser(base_url)
    status, path, _ = asking.submit("/portal/sign-in", {"address": "dana@logged.example"})
    assert (status, path) == (200, "/portal/sign-in/code")
    link = link_from_outbox(admin, "dana@logged.example")
    browser = Browser(base_url)
    status, path, _ = browser.request(link)
    assert (status, path) == (200, "/portal/link")
    status, path, page = browser.submit("/portal/link", {})
    assert (status, path) == (200, "/portal/") and "Logged Heating" in page
    return link


@pytest.mark.promise("P-06")
def test_the_access_log_of_every_link_flow_holds_no_token(gunicorn, admin, make: Factory):
    base_url, log = gunicorn
    company = make.tenant()
    technician = make.member(company.id, "technician")
    feed_token = crypto.new_token()
    admin.execute(
        "insert into public.calendar_feeds (tenant_id, technician_id, token_hash)"
        " values (%s, %s, %s)",
        [company.id, technician.account_id, crypto.token_hash(feed_token)],
    )

    links = [_reset_flow(base_url, admin, company.owner.email)]
    links.append(_invitation_flow(base_url, admin, company.owner.email))
    links += _unlock_and_sign_up_flows(base_url, admin, company.owner.email)
    links.append(_portal_flow(base_url, admin, make))
    feed = f"/calendar/{feed_token}.ics"
    assert Browser(base_url).request(feed)[0] == 200
    logged = _read_when_flushed(log, "/calendar/")

    tokens = [link.rsplit("/", 1)[1] for link in links] + [feed_token]
    assert all(len(token) >= 40 for token in tokens)
    for token in tokens:
        assert token not in logged
    # Each token URL was requested and logged, redacted; without redaction it would be there.
    for link in [*links, feed]:
        assert f"GET {redact(link)} HTTP/1.1" in logged
        assert redact(link) != link
    # After the exchange, the flows continue on token-free URLs.
    for page in (
        "/password/reset",
        "/invitation",
        "/sign-in/unlock",
        "/sign-up/confirm",
        "/portal/link",
    ):
        assert f"POST {page} HTTP/1.1" in logged
    assert PASSWORD not in logged and NEW_PASSWORD not in logged


def _read_when_flushed(log: Path, last: str) -> str:
    """The access log once the last request's line is written (gunicorn writes after the
    response)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        text = log.read_text() if log.exists() else ""
        if last in text:
            return text
        time.sleep(0.1)
    raise AssertionError(f"no access log line for {last}")
