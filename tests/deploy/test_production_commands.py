"""fly.toml's command lines, run as Fly runs them, with PLENUM_ENV=production and the settings
production requires: the release command migrates a fresh database and fails the deploy when
`flask db check` finds a problem; the web process (gunicorn with fly.toml's arguments, only the
bind address changed) serves behind Fly's proxy headers without the worker's or the owner's
database URL; the worker (without the owner's URL) handles due work. With PLENUM_IMAGE set
(`make image-test`), each command line runs in that image instead of this checkout."""

from __future__ import annotations

import base64
import http.client
import os
import re
import secrets
import shlex
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import IO
from urllib.parse import urlencode

import psycopg
import pytest
from psycopg import sql

from app import migrations
from app.db import admin_connection
from tests.auth.test_access_log import _wait_until_up
from tests.conftest import _drop_database, _with_database
from tests.factories import PASSWORD, Factory
from tests.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
FLY = tomllib.loads((ROOT / "fly.toml").read_text())
PUBLIC_URL = FLY["env"]["PUBLIC_URL"]
PUBLIC_HOST = PUBLIC_URL.removeprefix("https://")
# The venv's gunicorn, flask and python come first on PATH, as the image's do.
BIN = Path(sys.executable).parent
# Fly's health checks call these on the machine's port over plain http.
PROBES = [check["path"] for check in FLY["http_service"]["checks"]]
VISITOR = "203.0.113.9"
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def _key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def production_settings(database: str, files_dir: Path) -> dict[str, str]:
    """fly.toml's [env] and the secrets it lists (`fly secrets set`), for `database`; files in a
    local folder instead of Storage (production requires `https://` for SUPABASE_URL, which the
    loopback Storage of tests/integrations does not speak)."""
    return {
        **FLY["env"],
        "FILES_DIR": str(files_dir),
        "SECRET_KEY": secrets.token_urlsafe(32),
        "ENCRYPTION_KEYS": f"first:{_key()}",
        "AUDIT_SIGNING_KEY": _key(),
        "DATABASE_URL": _with_database(os.environ["DATABASE_URL"], database),
        "WORKER_DATABASE_URL": _with_database(os.environ["WORKER_DATABASE_URL"], database),
        "DATABASE_ADMIN_URL": _with_database(os.environ["DATABASE_ADMIN_URL"], database),
    }


def _launch(
    argv: list[str], settings: dict[str, str], *withheld: str
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of a process that sees `settings` less `withheld`:
    run here, or in the image PLENUM_IMAGE names (host network, FILES_DIR at the same path)."""
    given = {name: value for name, value in settings.items() if name not in withheld}
    image = os.environ.get("PLENUM_IMAGE")
    if image:
        engine = os.environ.get("PLENUM_CONTAINER_ENGINE", "docker")
        files = given["FILES_DIR"]
        passed = [f"--env={name}" for name in given]
        volume = f"--volume={files}:{files}"
        argv = [engine, "run", "--rm", "--network=host", volume, *passed, image, *argv]
    return argv, {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "LANG": "C.UTF-8", **given}


def release(settings: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """fly.toml's release command, given every setting but the worker's URL."""
    argv, env = _launch(
        shlex.split(FLY["deploy"]["release_command"]), settings, "WORKER_DATABASE_URL"
    )
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)


def start(
    process: str, settings: dict[str, str], log: IO[str], *withheld: str, bind: str = ""
) -> subprocess.Popen[str]:
    """fly.toml's process `process`, its output to `log`; `bind` replaces the bind address."""
    argv = shlex.split(FLY["processes"][process])
    if bind:
        argv[argv.index("--bind") + 1] = bind
    argv, env = _launch(argv, settings, *withheld)
    return subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True
    )


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.wait(timeout=30)


@dataclass(frozen=True)
class Released:
    """A fresh database after fly.toml's release command, and the production settings."""

    settings: dict[str, str]
    result: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Released]:
    """One fresh database released for the module (a release takes seconds); each test makes
    its own company in it."""
    name = f"plenum_test_release_{os.getpid()}"
    _drop_database(name)
    with psycopg.connect(os.environ["DATABASE_ADMIN_URL"], autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    try:
        settings = production_settings(name, tmp_path_factory.mktemp("files"))
        yield Released(settings, release(settings))
    finally:
        _drop_database(name)


@pytest.fixture
def make(released: Released) -> Iterator[Factory]:
    with admin_connection(released.settings["DATABASE_ADMIN_URL"]) as conn:
        yield Factory(conn)


def test_release_command_migrates_a_fresh_database_and_fails_on_a_catalog_problem(
    released: Released, make: Factory
) -> None:
    assert released.result.returncode == 0, released.result.stderr
    assert "catalog checks passed" in released.result.stdout
    applied = make.conn.execute(
        "select count(*) as n from supabase_migrations.schema_migrations"
    ).fetchone()
    assert applied is not None and applied["n"] == len(migrations.migrations())

    make.conn.execute("create table public.unguarded (id bigint primary key)")
    try:
        refused = release(released.settings)
    finally:
        make.conn.execute("drop table public.unguarded")
    assert refused.returncode != 0
    assert "unguarded" in refused.stderr and "catalog problem" in refused.stderr


class FlyVisitor:
    """A browser behind Fly's proxy: plain http to the machine, with the headers Fly's proxy
    adds (the visitor's scheme and address, the public Host); cookies kept by hand, since they
    are Secure and the hop to the machine is not."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, path: str, form: dict[str, str] | None = None, *, proxied: bool = True
    ) -> tuple[http.client.HTTPResponse, str]:
        headers = {"Host": PUBLIC_HOST}
        if proxied:
            headers |= {"X-Forwarded-Proto": "https", "Fly-Client-IP": VISITOR}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers |= {"Content-Type": "application/x-www-form-urlencoded"}
            headers |= {"Referer": PUBLIC_URL + path}
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("POST" if form is not None else "GET", path, body, headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies |= {name: morsel.value for name, morsel in SimpleCookie(header).items()}
        return response, text

    def submit(self, path: str, form: dict[str, str]) -> tuple[http.client.HTTPResponse, str]:
        """Post the form of the page at `path` with its CSRF token, as the browser does."""
        _, page = self.request(path)
        token = CSRF.search(page)
        assert token, page
        return self.request(path, {"csrf_token": token.group(1), **form})


@pytest.fixture
def web(released: Released, tmp_path: Path) -> Iterator[int]:
    """fly.toml's web process on a free port, given neither the worker's nor the owner's URL."""
    assert released.result.returncode == 0, released.result.stderr
    port, log_path = free_port(), tmp_path / "web.log"
    with log_path.open("w") as log:
        server = start(
            "web",
            released.settings,
            log,
            "WORKER_DATABASE_URL",
            "DATABASE_ADMIN_URL",
            bind=f"127.0.0.1:{port}",
        )
        try:
            _wait_until_up(f"http://127.0.0.1:{port}", server, log_path)
            yield port
        finally:
            stop(server)


@pytest.mark.promise("P-06")
@pytest.mark.promise("P-20")
def test_web_process_behind_flys_proxy(web: int, make: Factory) -> None:
    company = make.tenant("Frost & Sons")
    visitor = FlyVisitor(web)
    for probe in PROBES:
        assert visitor.request(probe, proxied=False)[0].status == 200, probe
    plain, _ = visitor.request("/sign-in?next=%2F", proxied=False)
    assert plain.status == 308
    assert plain.headers["Location"] == f"{PUBLIC_URL}/sign-in?next=%2F"

    page, text = visitor.request("/sign-in")
    assert page.status == 200 and "csrf-token" in text
    assert page.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    (session,) = [c for c in page.headers.get_all("Set-Cookie") or [] if "plenum_session" in c]
    assert "Secure" in session and "HttpOnly" in session and "SameSite=Lax" in session

    signed_in, _ = visitor.submit("/sign-in", {"email": company.owner.email, "password": PASSWORD})
    assert signed_in.status == 302, signed_in.headers
    home, text = visitor.request("/")
    assert home.status == 200 and "Frost &amp; Sons" in text
    added, _ = visitor.submit("/customers/new", {"kind": "residential", "first_name": "Ada"})
    assert added.status == 302
    addresses = make.conn.execute(
        "select distinct client_addr from audit.changes where tenant_id = %(t)s"
        " and client_addr is not null",
        {"t": company.id},
    ).fetchall()
    assert [row["client_addr"] for row in addresses] == [VISITOR]


def _geocode_status(make: Factory, property_id: object) -> str:
    row = make.conn.execute(
        "select geocode_status from public.properties where id = %(id)s", {"id": property_id}
    ).fetchone()
    assert row is not None
    return str(row["geocode_status"])


def test_worker_process_places_a_waiting_property(
    released: Released, make: Factory, tmp_path: Path
) -> None:
    assert released.result.returncode == 0, released.result.stderr
    company = make.tenant()
    waiting = make.property(company.id, make.customer(company.id))
    assert _geocode_status(make, waiting) == "pending"
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        worker = start("worker", released.settings, log, "DATABASE_ADMIN_URL")
        try:
            deadline = time.monotonic() + 30
            while _geocode_status(make, waiting) == "pending" and time.monotonic() < deadline:
                assert worker.poll() is None, log_path.read_text()
                time.sleep(0.2)
        finally:
            stop(worker)
    assert _geocode_status(make, waiting) == "done", log_path.read_text()
    assert not re.search(r"job \S+ failed", log_path.read_text())
