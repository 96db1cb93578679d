"""The database restarts under load: the app (real gunicorn) and the worker (`python -m jobs`)
ride it out. Requests during the outage get the 503 page within 5 s; once the database is back
every request succeeds and the worker handles due work again, neither process restarted.

The cluster is this module's own (bin/localdb on a free port and a temporary data folder): the
shared one serves the other tests."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from app.db import Connection, admin_connection
from tests.factories import PASSWORD, Factory
from tests.processes import WORKER, free_port, running, wait_until

ROOT = Path(__file__).resolve().parents[1]
LOCALDB = ROOT / "bin" / "localdb"
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
OUTAGE_SECONDS = 4
# Longer than any wait for a first connection at start-up (a pool opening waits 30 s).
STARTED_IN_AN_OUTAGE_SECONDS = 35


@dataclass(frozen=True)
class Cluster:
    """A PostgreSQL cluster of this module's own, driven by bin/localdb."""

    env: dict[str, str]

    def localdb(self, command: str) -> str:
        done = subprocess.run(
            [str(LOCALDB), command], env=self.env, capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    @property
    def urls(self) -> dict[str, str]:
        return {
            "DATABASE_URL": self.localdb("url"),
            "WORKER_DATABASE_URL": self.localdb("worker-url"),
            "DATABASE_ADMIN_URL": self.localdb("admin-url"),
        }


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    folder = Path(tempfile.mkdtemp(prefix="plenum-restart-"))
    folder.chmod(0o755)  # the server runs as `postgres` when the tests run as root
    env = {
        **os.environ,
        "PLENUM_PGDATA": str(folder / "pgdata"),
        "PLENUM_PGPORT": str(free_port()),
        "PLENUM_PGDATABASE": "plenum_restart",
        "PLENUM_ENV": "test",
        "PUBLIC_URL": "http://plenum.test",
        "FILES_DIR": str(folder / "files"),
        "FLASK_APP": "app",
    }
    cluster = Cluster(env)
    cluster.localdb("start")
    try:
        env.update(cluster.urls)
        subprocess.run([sys.executable, "-m", "flask", "db", "up"], env=env, cwd=ROOT, check=True)
        yield cluster
    finally:
        cluster.localdb("stop")
        shutil.rmtree(folder, ignore_errors=True)


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def signed_in(base_url: str, email: str) -> dict[str, str]:
    """The cookies of a signed-in session (the sign-in form, as a browser posts it)."""
    session = requests.Session()
    form = session.get(base_url + "/sign-in", timeout=10)
    token = CSRF.search(form.text)
    assert token, form.text
    done = session.post(
        base_url + "/sign-in",
        data={"csrf_token": token[1], "email": email, "password": PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    assert done.status_code == 302, done.text
    return {name: value or "" for name, value in session.cookies.get_dict().items()}


@dataclass(frozen=True)
class Answer:
    started: float
    seconds: float
    status: int | str  # an HTTP status, or what went wrong instead
    retry_after: str | None = None
    policy: str | None = None
    page: str = ""


@dataclass
class Load:
    """Threads that ask for the dashboard one request after another until stopped."""

    url: str
    cookies: dict[str, str]
    answers: list[Answer] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def ask(self) -> None:
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                got = requests.get(self.url, cookies=self.cookies, timeout=30)
            except requests.RequestException as error:
                answer = Answer(started, time.monotonic() - started, type(error).__name__)
            else:
                answer = Answer(
                    started,
                    time.monotonic() - started,
                    got.status_code,
                    got.headers.get("Retry-After"),
                    got.headers.get("Content-Security-Policy"),
                    got.text,
                )
            self.answers.append(answer)

    def between(self, start: float, end: float) -> list[Answer]:
        return [a for a in self.answers if a.started >= start and a.started + a.seconds <= end]


def make_due_work(admin_url: str) -> str:
    """A property waiting for its map position, and the geocoding job due now."""
    with admin_connection(admin_url) as admin:
        make = Factory(admin)
        tenant = make.tenant()
        property_id = make.property(tenant.id, make.customer(tenant.id))
        admin.execute("update app.job_schedule set due_at = app.now() where job = 'geocoding'")
    return str(property_id)


def geocoded(admin_url: str, property_id: str) -> bool:
    with admin_connection(admin_url) as admin:
        row = admin.execute(
            "select geocode_status from public.properties where id = %s", [property_id]
        ).fetchone()
    return row is not None and row["geocode_status"] == "done"


def owner_email(admin: Connection) -> str:
    return Factory(admin).tenant("Restarted").owner.email


def test_the_app_and_the_worker_ride_out_a_database_restart(cluster: Cluster) -> None:
    env = cluster.env
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind"]
    gunicorn += [f"127.0.0.1:{port}", "--workers", "1", "--threads", "8", "app:create_app()"]
    with admin_connection(env["DATABASE_ADMIN_URL"]) as admin:
        email = owner_email(admin)
    with (
        running(gunicorn, env) as web,
        running(WORKER, env) as worker,
    ):
        wait_until(lambda: answers(base_url + "/healthz"))
        load = Load(base_url + "/", signed_in(base_url, email))
        threads = [threading.Thread(target=load.ask) for _ in range(4)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(1)
            cluster.localdb("stop")
            down = time.monotonic()
            time.sleep(OUTAGE_SECONDS)
            liveness = requests.get(base_url + "/healthz", timeout=10)
            readiness = requests.get(base_url + "/readyz", timeout=10)
            up = time.monotonic()
            cluster.localdb("start")
            wait_until(lambda: answers(base_url + "/readyz"), 30)
            ready = time.monotonic()
            time.sleep(2)
        finally:
            load.stop.set()
            for thread in threads:
                thread.join()
        # A restart while nobody asks: the connections the pool keeps are dead when it is
        # back, and none of them reaches a request.
        cluster.localdb("stop")
        cluster.localdb("start")
        idle_restart = [
            requests.get(base_url + "/", cookies=load.cookies, timeout=30).status_code
            for _ in range(20)
        ]
        property_id = make_due_work(env["DATABASE_ADMIN_URL"])
        wait_until(lambda: geocoded(env["DATABASE_ADMIN_URL"], property_id), 60)
        assert web.poll() is None and worker.poll() is None  # neither was restarted

    before = [a for a in load.answers if a.started + a.seconds < down - 0.5]
    assert before and {a.status for a in before} == {200}
    outage = load.between(down, up)
    assert len(outage) >= 4
    assert {a.status for a in outage} == {503}
    # No answer that started once the database was down took 5 s, whenever it ended: a hang
    # that ends in a 200 after the restart counts too.
    assert max(a.seconds for a in load.answers if a.started >= down) < 5
    assert {a.retry_after for a in outage} == {"30"}
    assert all(a.policy and "default-src" in a.policy for a in outage)  # the security headers
    assert all("Plenum is briefly unavailable" in a.page for a in outage)  # error.html's look
    assert {a.status for a in load.answers} <= {200, 503}  # no 500, no hang, at any moment
    after = [a for a in load.answers if a.started >= ready]
    assert after and {a.status for a in after} == {200}
    assert idle_restart == [200] * 20
    assert (liveness.status_code, liveness.json()) == (200, {"status": "ok"})
    assert readiness.status_code == 503
    assert readiness.json() == {"status": "unavailable", "database": "unreachable"}


def test_a_worker_started_while_the_database_is_down_waits_for_it(cluster: Cluster) -> None:
    """A deploy or a machine restart during the database's maintenance: the worker neither
    exits nor needs restarting once the database is back."""
    env = cluster.env
    cluster.localdb("stop")
    try:
        with running(WORKER, env, stderr=subprocess.PIPE) as worker:
            time.sleep(STARTED_IN_AN_OUTAGE_SECONDS)
            assert worker.poll() is None, worker.stderr and worker.stderr.read().decode()
            cluster.localdb("start")
            property_id = make_due_work(env["DATABASE_ADMIN_URL"])
            wait_until(lambda: geocoded(env["DATABASE_ADMIN_URL"], property_id), 90)
            assert worker.poll() is None
    finally:
        cluster.localdb("start")  # idempotent: the cluster is the module's
