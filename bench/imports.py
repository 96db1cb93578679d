"""CSV import throughput: a 10,000-row file (names, emails, phones typed many ways, half with an
address) through the app's real path — upload, column mapping, preview, confirm, then the jobs
worker's import — against a floor measured in the same run: COPY of the same customers and
properties into an identical database by its owner, no checks, no audit.

Run: `make bench` (or `python -m bench.imports`). Reproducible: fixed seed.
"""

from __future__ import annotations

import dataclasses
import io
import os
import random
import re
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from app import create_app, migrations
from app.auth.passwords import hash_password
from app.config import Settings
from app.db import admin_connection, create_pool
from bench.results import Row, row
from jobs import customer_import

NAME = "plenum_bench_imports"
ROWS = 10_000
PASSWORD = "bench passphrase 2026"  # noqa: S105 (a throwaway benchmark account)


def _url(base: str, name: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def rows(seed: int = 11) -> list[tuple[str, ...]]:
    rng = random.Random(seed)
    formats = ("({a}) {b}-{c}", "{a}-{b}-{c}", "{a}.{b}.{c}", "+1 {a} {b} {c}")
    made: list[tuple[str, ...]] = []
    for n in range(ROWS):
        phone = rng.choice(formats).format(a=312, b=f"{200 + n // 10000:03d}", c=f"{n % 10000:04d}")
        street, city = (f"{n} Elm St", "Springfield") if n % 2 else ("", "")
        made.append((f"Pat{n}", f"Lee{n}", f"pat{n}@example.com", phone, street, city))
    return made


def csv_file(made: list[tuple[str, ...]]) -> bytes:
    lines = ["First Name,Last Name,Email,Phone,Street,City,State,Zip"]
    lines += [f"{a},{b},{c},{d},{e},{f},IL,62701" for a, b, c, d, e, f in made]
    return ("\n".join(lines) + "\n").encode()


def fresh_database(admin_url: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(NAME))
        )
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(NAME)))
    url = _url(admin_url, NAME)
    with admin_connection(url) as conn:
        migrations.up(conn)
    return url


def office_member(admin_url: str) -> tuple[uuid.UUID, str]:
    """A company with an office member who can sign in; returns (company id, email)."""
    with admin_connection(admin_url) as conn:
        tenant = conn.execute(
            "insert into public.tenants (name) values ('Bench HVAC') returning id"
        ).fetchone()
        assert tenant is not None
        conn.execute(
            "with a as (insert into iam.accounts (email, full_name, password_hash)"
            " values ('office@bench.example', 'Bench Office', %(hash)s) returning id)"
            " insert into public.memberships (tenant_id, account_id, full_name, email, role)"
            " select %(t)s, id, 'Bench Office', 'office@bench.example', 'office' from a",
            {"hash": hash_password(PASSWORD), "t": tenant["id"]},
        )
        return tenant["id"], "office@bench.example"


def floor_seconds(admin_url: str, tenant: uuid.UUID, made: list[tuple[str, ...]]) -> float:
    """COPY of the same customers and properties by the owner, triggers off: the physical floor."""
    with admin_connection(admin_url) as conn:
        conn.execute("alter table public.customers disable trigger user")
        conn.execute("alter table public.properties disable trigger user")
        started = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur:
            ids = [uuid.uuid4() for _ in made]
            with cur.copy(
                "copy public.customers (tenant_id, id, first_name, last_name, email, phone)"
                " from stdin"
            ) as copy:
                for customer, (first, last, email, _, _, _) in zip(ids, made, strict=True):
                    copy.write_row((tenant, customer, first, last, email, ""))
            with cur.copy(
                "copy public.properties (tenant_id, customer_id, street, city, region, postal_code)"
                " from stdin"
            ) as copy:
                for customer, (*_, street, city) in zip(ids, made, strict=True):
                    if street:
                        copy.write_row((tenant, customer, street, city, "IL", "62701"))
        elapsed = time.perf_counter() - started
        conn.execute("alter table public.customers enable trigger user")
        conn.execute("alter table public.properties enable trigger user")
    return elapsed


def run() -> list[Row]:
    admin_url, app_url = os.environ["DATABASE_ADMIN_URL"], os.environ["DATABASE_URL"]
    made = rows()
    data = csv_file(made)
    database = fresh_database(admin_url)
    tenant, email = office_member(database)
    settings = dataclasses.replace(
        Settings.from_env(),
        env="test",
        database_url=_url(app_url, NAME),
        database_admin_url=database,
    )
    app = create_app(settings)
    client = app.test_client()
    token = re.compile(r'<meta name="csrf-token" content="([^"]+)"')

    def submit(url: str, form: dict[str, object], **kwargs: object) -> str:
        page = client.get("/customers/import").get_data(as_text=True)
        match = token.search(page) or token.search(client.get("/sign-in").get_data(as_text=True))
        assert match is not None
        response = client.post(url, data={"csrf_token": match.group(1), **form}, **kwargs)
        assert response.status_code in (200, 302), (url, response.status_code)
        return response.headers.get("Location", "")

    submit("/sign-in", {"email": email, "password": PASSWORD})
    started = time.perf_counter()
    location = submit(
        "/customers/import",
        {"file": (io.BytesIO(data), "customers.csv")},
        content_type="multipart/form-data",
    )
    import_id = location.rstrip("/").split("/")[-2 if location.endswith("mapping") else -1]
    submit(f"/customers/import/{import_id}/mapping", {})
    previewed = time.perf_counter()
    submit(f"/customers/import/{import_id}/confirm", {})
    app.extensions["plenum.pool"].close()
    # The job runs as the worker does: its own login role, which may become service_role.
    pool = create_pool(_url(os.environ["WORKER_DATABASE_URL"], NAME), 1, 4, prepared=True)
    pool.open(wait=True, timeout=30)
    worker_started = time.perf_counter()
    assert customer_import.sweep(pool) == 1
    imported = time.perf_counter()
    with admin_connection(database) as conn:
        count = conn.execute(
            "select count(*) as n from public.customers where tenant_id = %(t)s", {"t": tenant}
        ).fetchone()
    assert count is not None and count["n"] == ROWS, count
    pool.close()

    floor_database = fresh_database(admin_url)
    floor_tenant, _ = office_member(floor_database)
    floor = floor_seconds(floor_database, floor_tenant, made)

    preview_s, import_s = previewed - started, imported - worker_started
    print(f"CSV import of {ROWS:,} rows ({ROWS // 2:,} with an address), {len(data) / 1e6:.1f} MB")
    print(f"{'':50}{'seconds':>9}{'rows/s':>9}{'vs floor':>10}")
    print(
        f"{'upload, mapping and preview (web requests)':50}{preview_s:9.2f}"
        f"{ROWS / preview_s:9.0f}{preview_s / floor:9.1f}x"
    )
    print(
        f"{'import in the worker (audited, one transaction)':50}{import_s:9.2f}"
        f"{ROWS / import_s:9.0f}{import_s / floor:9.1f}x"
    )
    print(
        f"{'floor: COPY by the owner, no checks or audit':50}{floor:9.2f}{ROWS / floor:9.0f}"
        f"{1:9.1f}x"
    )
    scenario = f"CSV import of {ROWS:,} rows"
    return [
        row(scenario, "upload+preview s", preview_s, floor, "", f"{ROWS / preview_s:.0f} rows/s"),
        row(scenario, "worker import s", import_s, floor, "", f"{ROWS / import_s:.0f} rows/s"),
    ]


def main() -> None:
    run()


if __name__ == "__main__":
    main()
