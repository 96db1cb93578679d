"""The homeowner's portal under load: gunicorn as fly.toml runs it on `bench.scale`'s database
(`bench.pages.server`), 8 clients for BENCH_HTTP_SECONDS a page, each signed in to the portal as
a homeowner of the large company (100,000 customers, 500,000 visits) who has jobs, visits and
equipment there. The floor is `/healthz` (one `select 1`) in the same run, before and after.

The homeowner's portal session is opened in the database as the sign-in's definer would, and the
browser cookie holding its secret is signed with the server's SECRET_KEY, so that the figures are
of the portal's pages, not of the sign-in (bench/portal_sign_in.py times that).

Run: `python -m bench.portal`.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from flask import Flask

from app import crypto
from app.db import admin_connection
from app.portal.identity import SESSION_KEY
from bench import pages, scale
from bench.results import Row, row

PAGES = (
    ("portal home /portal/", "/portal/"),
    ("portal visits /portal/visits", "/portal/visits"),
    ("portal estimates and invoices /portal/documents", "/portal/documents"),
    ("portal home and equipment /portal/properties", "/portal/properties"),
    ("portal my data /portal/data", "/portal/data"),
)
SECRET_KEY = "bench-secret-" + "x" * 32  # bench.pages.server's


def homeowner_cookie(admin_url: str) -> str:
    """A portal session for the large company's customer with the most visits: the cookie."""
    secret = crypto.new_token()
    with admin_connection(scale.url(admin_url)) as owner:
        customer = owner.execute(
            "select j.tenant_id, j.customer_id from public.jobs j"
            " join public.memberships m on m.tenant_id = j.tenant_id and m.email = %s"
            " join public.visits v on v.tenant_id = j.tenant_id and v.job_id = j.id"
            " group by 1, 2 order by count(*) desc, 2 limit 1",
            [scale.DISPATCHER],
        ).fetchone()
        assert customer is not None
        owner.execute(
            "insert into iam.portal_sessions (token_hash, tenant_id, customer_id, address,"
            " expires_at) values (%s, %s, %s, 'homeowner@big.bench', %s)",
            [
                crypto.token_hash(secret),
                customer["tenant_id"],
                customer["customer_id"],
                datetime.now(UTC) + timedelta(hours=2),
            ],
        )
        owner.commit()
    signer = Flask(__name__)
    signer.secret_key = SECRET_KEY
    serializer = signer.session_interface.get_signing_serializer(signer)  # type: ignore[attr-defined]
    return f"plenum_session={serializer.dumps({SESSION_KEY: secret})}"


def run() -> list[Row]:
    admin_url, app_url = os.environ["DATABASE_ADMIN_URL"], os.environ["DATABASE_URL"]
    _, _, how = scale.ensure(admin_url)
    cookie = homeowner_cookie(admin_url)
    print(f"portal pages under load on {scale.NAME} ({how}): {pages.THREADS} clients")
    with pages.server(app_url, admin_url, SECRET_KEY=SECRET_KEY) as served:
        status, body, _ = pages.request(served.port, "GET", "/portal/", cookie)
        assert status == 200 and "Hello," in body, f"the portal answered {status}"
        floors = [pages.load(served, "/healthz", cookie)]
        measured = [(label, pages.load(served, path, cookie)) for label, path in PAGES]
        floors.append(pages.load(served, "/healthz", cookie))
    keys = ("rps", "p50", "p95", "app_ms", "database_ms")
    floor = {key: sum(f[key] for f in floors) / len(floors) for key in keys}
    rows = [
        row("HTTP portal floor /healthz", "req/s", floor["rps"], note="mean of before/after"),
        row("HTTP portal floor /healthz", "p95 ms", floor["p95"]),
    ]
    for label, result in measured:
        tail = f"p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms, n={result['count']}"
        rows += [
            row(f"HTTP {label}", "req/s", result["rps"], floor["rps"], "≥ 0.5x"),
            row(f"HTTP {label}", "p95 ms", result["p95"], floor["p95"], "≤ 50 ms", tail),
            row(
                f"HTTP {label}",
                "CPU ms per request",
                pages.cpu(result)[0],
                pages.cpu(floor)[0],
                note=pages.cpu(result)[1],
            ),
        ]
        print(
            f"  {label:50}{result['rps']:8.1f} req/s  p50 {result['p50']:7.1f}  "
            f"p95 {result['p95']:7.1f}  CPU {pages.cpu(result)[1]}"
        )
    print(f"  /healthz floor: {floor['rps']:.1f} req/s, p95 {floor['p95']:.1f} ms")
    return rows


if __name__ == "__main__":
    run()
