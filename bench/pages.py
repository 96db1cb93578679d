"""Key pages under load: gunicorn serving the app on `bench.scale`'s database as fly.toml
deploys it (PLENUM_ENV=production, 2 workers of 4 threads, statements unprepared as behind
Supavisor; the requests carry the proxy's X-Forwarded-Proto: https, as Fly's proxy sends it),
8 clients from a separate process (`bench.load`) for BENCH_HTTP_SECONDS (5) per page. The
floor is `/readyz` (a checked connection, one read) in the same run, measured before and after
the pages.
Beside each page's speed, the CPU time it cost per request: gunicorn's workers (*app*) and every
process of the database cluster (*database*), read from /proc before and after its load.

Run: `python -m bench.pages`.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode

from app.db import admin_connection
from bench import scale
from bench.load import PROXY
from bench.results import Row, row

THREADS = 8
SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", 5))


def request(port: int, method: str, path: str, cookie: str = "", form: str = "") -> tuple:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie, **PROXY}
    if form:  # over https, Flask-WTF wants a same-origin Referer on a POST
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"https://127.0.0.1:{port}{path}"
    conn.request(method, path, body=form or None, headers=headers)
    response = conn.getresponse()
    body = response.read().decode()
    cookies = [h.split(";", 1)[0] for h in response.headers.get_all("Set-Cookie") or []]
    conn.close()
    return response.status, body, cookies


def sign_in(port: int, email: str) -> str:
    """The session cookie of a signed-in member."""
    _, page, cookies = request(port, "GET", "/sign-in")
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    assert token, "no CSRF token on /sign-in"
    form = urlencode({"csrf_token": token.group(1), "email": email, "password": scale.PASSWORD})
    status, _, signed = request(port, "POST", "/sign-in", "; ".join(cookies), form)
    assert status == 302, f"sign-in as {email} answered {status}"
    return "; ".join(signed or cookies)


class Server(NamedTuple):
    port: int
    pid: int  # gunicorn's master: its children are the workers
    admin_url: str  # the cluster's processes are found through it


@contextmanager
def server(app_url: str, admin_url: str, **settings: str) -> Iterator[Server]:
    """gunicorn as fly.toml runs it on the scale data (with `settings` added to its
    environment)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = Path(tempfile.gettempdir()) / "plenum_bench_pages_gunicorn.log"
    files = tempfile.mkdtemp(prefix="plenum_bench_files_")
    env = os.environ | {
        "DATABASE_URL": scale.url(app_url),
        "DATABASE_ADMIN_URL": scale.url(admin_url),
        "PLENUM_ENV": "production",
        "SECRET_KEY": "bench-secret-" + "x" * 32,
        "ENCRYPTION_KEY": base64.b64encode(bytes(range(32))).decode(),
        "AUDIT_SIGNING_KEY": base64.b64encode(bytes(range(32, 64))).decode(),
        "FILES_DIR": files,
        "PUBLIC_URL": "https://plenum.bench",
        "DATABASE_PREPARED_STATEMENTS": "false",
        **settings,
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "2", "--threads", "4"]
    options = subprocess.run([gunicorn, "--help"], capture_output=True, text=True).stdout
    if "--no-control-socket" in options:
        command.append("--no-control-socket")
    command.append("app:create_app()")
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=scale.ROOT, env=env, stdout=output, stderr=output)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn did not answer; see {log}")
        yield Server(port, process.pid, scale.url(admin_url))
    finally:
        process.terminate()
        process.wait(timeout=30)


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the processes have used (a process gone since counts 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (man 5 proc)
    return total / os.sysconf("SC_CLK_TCK")


def processes(served: Server) -> tuple[list[int], list[int]]:
    """gunicorn's workers, and every process of the database cluster (backends, the WAL
    writer, the checkpointer…)."""
    children = Path(f"/proc/{served.pid}/task/{served.pid}/children").read_text().split()
    with admin_connection(served.admin_url) as owner:
        cluster = owner.execute("select pid from pg_catalog.pg_stat_activity").fetchall()
    return [int(pid) for pid in children], [row["pid"] for row in cluster]


def load(served: Server, path: str, cookie: str) -> dict[str, float]:
    """`bench.load` in its own process: THREADS clients for SECONDS; with the CPU time that the
    app's workers and the database spent per request meanwhile."""
    for _ in range(5):  # warm the workers' pools
        request(served.port, "GET", path, cookie)
    app, database = processes(served)
    before = cpu_seconds(app), cpu_seconds(database)
    command = [sys.executable, "-m", "bench.load", str(served.port), path, cookie, str(THREADS)]
    done = subprocess.run(
        [*command, str(SECONDS)], cwd=scale.ROOT, capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout)
    assert set(result["statuses"]) == {"200"}, f"{path}: {result['statuses']}"
    count = max(result["count"], 1)
    result["app_ms"] = (cpu_seconds(app) - before[0]) * 1000 / count
    result["database_ms"] = (cpu_seconds(database) - before[1]) * 1000 / count
    return result


RENDERED = "dispatch board (50 lanes), each load rendered (FRAGMENT_CACHE_BYTES=0)"


def p95_target(label: str) -> str:
    """Issue 11's targets: every page p95 ≤ 50 ms, but the board of 50 lanes and 400 visits
    (the large company's day here) ≤ 150 ms; the board rendered at every load is a reference."""
    if label == RENDERED:
        return ""
    return "≤ 150 ms" if label.startswith("dispatch board") else "≤ 50 ms"


def cpu(result: dict[str, float]) -> tuple[float, str]:
    """CPU time per request, the app's and the database's together, and the two apart."""
    app, database = result["app_ms"], result["database_ms"]
    return app + database, f"app {app:.2f} ms + database {database:.2f} ms"


def run() -> list[Row]:
    admin_url, app_url = os.environ["DATABASE_ADMIN_URL"], os.environ["DATABASE_URL"]
    sizes, day, how = scale.ensure(admin_url)
    with admin_connection(scale.url(admin_url)) as owner:
        found = owner.execute(
            "select c.id from public.customers c join public.memberships m"
            " on m.tenant_id = c.tenant_id and m.email = %s order by c.id limit 1",
            [scale.DISPATCHER],
        ).fetchone()
    assert found is not None
    print(f"pages under load on {scale.NAME} ({how}): {THREADS} clients, {SECONDS:.0f} s a page")
    with server(app_url, admin_url) as served:
        office = sign_in(served.port, scale.DISPATCHER)
        technician = sign_in(served.port, scale.TECHNICIAN)
        cases = [
            ("dashboard /", "/", office),
            ("customer search /customers?q=nowak.12", "/customers?q=nowak.12", office),
            ("customer page /customers/<id>", f"/customers/{found['id']}", office),
            ("dispatch board (50 lanes) /dispatch?day=", f"/dispatch?day={day}", office),
            ("technician's day /my-day?day=", f"/my-day?day={day}", technician),
        ]
        floors = [load(served, "/readyz", office)]
        measured = [(label, load(served, path, cookie)) for label, path, cookie in cases]
        floors.append(load(served, "/readyz", office))
    # The same board with nothing kept between loads (app/fragments.py off): every load
    # renders its 400 cards, as the first load after any change does.
    with server(app_url, admin_url, FRAGMENT_CACHE_BYTES="0") as served:
        office = sign_in(served.port, scale.DISPATCHER)
        measured.append((RENDERED, load(served, f"/dispatch?day={day}", office)))
    keys = ("rps", "p50", "p95", "app_ms", "database_ms")
    floor = {key: sum(f[key] for f in floors) / len(floors) for key in keys}
    rows = [
        row("HTTP floor /readyz", "req/s", floor["rps"], note="one read; mean of before/after"),
        row("HTTP floor /readyz", "p95 ms", floor["p95"]),
        row("HTTP floor /readyz", "CPU ms per request", cpu(floor)[0], note=cpu(floor)[1]),
    ]
    for label, result in measured:
        scenario = f"HTTP {label}"
        tail = f"p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms, n={result['count']}"
        rows += [
            row(
                scenario,
                "req/s",
                result["rps"],
                floor["rps"],
                "" if label == RENDERED else "≥ 0.5x",
            ),
            row(scenario, "p95 ms", result["p95"], floor["p95"], p95_target(label), tail),
            row(scenario, "CPU ms per request", cpu(result)[0], cpu(floor)[0], note=cpu(result)[1]),
        ]
        print(
            f"  {label:40}{result['rps']:8.1f} req/s  p50 {result['p50']:7.1f}  "
            f"p95 {result['p95']:7.1f}  p99 {result['p99']:7.1f}  CPU {cpu(result)[1]}"
        )
    print(f"  /readyz floor: {floor['rps']:.1f} req/s, p95 {floor['p95']:.1f} ms")
    del sizes
    return rows


if __name__ == "__main__":
    run()
