"""Import throughput and memory: a 20,000-row customer export in a Housecall Pro-like layout
(names, three typed phone columns, two emails in some cells, ZIPs missing their leading zero,
one customer in ten on two rows with a second address) through the app's real path — upload,
column mapping, the worker's preview, confirm, then the worker's import — against a floor
measured in the same run: COPY of the same customers, properties and phones into an identical
database by its owner, no checks, no audit. Then the peak memory of reading and planning a
200,000-row file (the preview the worker makes; the run plans the same way), against the same
for the 20,000-row file, each in a fresh process.

Run: `make bench` (or `python -m bench.imports`). Reproducible: fixed seed.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
import tracemalloc
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg
import psycopg_pool
from psycopg import sql

from app import create_app, migrations
from app.auth.passwords import hash_password
from app.config import Settings
from app.db import admin_connection, create_pool
from bench.results import Row, row
from jobs import customer_import

NAME = "plenum_bench_imports"
ROWS = 20_000
LARGE_ROWS = 200_000
PASSWORD = "bench passphrase 2026"  # noqa: S105 (a throwaway benchmark account)
HEADER = (
    "Customer ID,First Name,Last Name,Company,Mobile Number,Home Number,Work Number,Email,"
    "Address,City,State,Zip,Tags,Notes,Lead Source"
)


def _url(base: str, name: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def _letters(n: int) -> str:
    return "".join(chr(97 + int(digit)) for digit in str(n))


def rows(count: int = ROWS, seed: int = 11) -> list[tuple[str, ...]]:
    """(id, first, last, company, mobile, home, work, email, street, city, state, zip, tags,
    notes, source); every tenth customer has a second row with another address."""
    rng = random.Random(seed)
    formats = ("({a}) {b}-{c}", "{a}-{b}-{c}", "{a}.{b}.{c}", "+1 {a} {b} {c}")
    made: list[tuple[str, ...]] = []
    for n in range(count):

        def phone(area: int, n: int = n) -> str:
            return rng.choice(formats).format(
                a=area, b=f"{200 + n // 10000:03d}", c=f"{n % 10000:04d}"
            )

        first, last = f"Pat{_letters(n)}", f"Lee{_letters(n)}"
        business = n % 25 == 0
        company = f"{last} Properties LLC" if business else ""
        email = f"pat{n}@example.com" + (f", billing{n}@example.com" if n % 7 == 0 else "")
        state, zip_code = ("MA", "1545") if n % 3 == 0 else ("IL", "62701")
        home = phone(217) if n % 2 else ""
        work = phone(312) + " x12" if n % 5 == 0 else ""
        made.append(
            (
                f"cus_{n}",
                first,
                last,
                company,
                phone(508),
                home,
                work,
                email,
                f"{n} Elm St",
                "Springfield",
                state,
                zip_code,
                "VIP, Maintenance plan",
                "Gate code on file" if n % 4 == 0 else "",
                "Google",
            )
        )
        if n % 10 == 0 and len(made) < count:
            second = list(made[-1])
            second[8] = f"{n} Shore Dr"
            made.append(tuple(second))
    return made[:count]


def csv_file(made: list[tuple[str, ...]]) -> bytes:
    out = io.StringIO()
    out.write(HEADER + "\n")
    for values in made:
        out.write(",".join(f'"{v}"' if "," in v else v for v in values) + "\n")
    return out.getvalue().encode()


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
    """COPY of the same customers, properties and other phones by the owner, triggers off, the
    values already in their stored form: the physical floor."""
    tables = ("customers", "properties", "customer_phones")
    ids: dict[str, uuid.UUID] = {}
    customers: list[tuple[object, ...]] = []
    places: list[tuple[object, ...]] = []
    numbers: list[tuple[object, ...]] = []
    for values in made:
        source, first, last, company, _mobile, home, work = values[:7]
        if source not in ids:
            ids[source] = uuid.uuid4()
            kind = "commercial" if company else "residential"
            customers.append((tenant, ids[source], kind, first, last, company, source))
            numbers += [
                (tenant, ids[source], "home", f"+1{re.sub(r'[^0-9]', '', n)[-10:]}")
                for n in (home, work)
                if n
            ]
        places.append((tenant, ids[source], values[8], values[9], values[10], values[11].zfill(5)))
    with admin_connection(admin_url) as conn:
        for table in tables:
            conn.execute(
                sql.SQL("alter table {} disable trigger user").format(
                    sql.Identifier("public", table)
                )
            )
        started = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur:
            with cur.copy(
                "copy public.customers (tenant_id, id, kind, first_name, last_name, company_name,"
                " source_id) from stdin"
            ) as copy:
                for record in customers:
                    copy.write_row(record)
            with cur.copy(
                "copy public.properties (tenant_id, customer_id, street, city, region, postal_code)"
                " from stdin"
            ) as copy:
                for record in places:
                    copy.write_row(record)
            with cur.copy(
                "copy public.customer_phones (tenant_id, customer_id, kind, number) from stdin"
            ) as copy:
                for record in numbers:
                    copy.write_row(record)
        elapsed = time.perf_counter() - started
        for table in tables:
            conn.execute(
                sql.SQL("alter table {} enable trigger user").format(
                    sql.Identifier("public", table)
                )
            )
    return elapsed


def _worker_pool() -> psycopg_pool.ConnectionPool:
    """The job runs as the worker does: its own login role, which may become service_role."""
    pool = create_pool(_url(os.environ["WORKER_DATABASE_URL"], NAME), 1, 4, prepared=True)
    pool.open(wait=True, timeout=30)
    return pool


def web_and_worker(data: bytes, expected: int) -> dict[str, float]:
    """The app's real path; returns the seconds of each part."""
    admin_url, app_url = os.environ["DATABASE_ADMIN_URL"], os.environ["DATABASE_URL"]
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
        {"file": (io.BytesIO(data), "customers.csv"), "kind": "customers"},
        content_type="multipart/form-data",
    )
    import_id = location.rstrip("/").split("/")[-2 if location.endswith("mapping") else -1]
    submit(f"/customers/import/{import_id}/mapping", {})
    uploaded = time.perf_counter()
    pool = _worker_pool()
    assert customer_import.check_previews(pool) == 1
    previewed = time.perf_counter()
    submit(f"/customers/import/{import_id}/confirm", {})
    worker_started = time.perf_counter()
    assert customer_import.sweep(pool) == 1
    imported = time.perf_counter()
    pool.close()
    app.extensions["plenum.pool"].close()
    with admin_connection(database) as conn:
        count = conn.execute(
            "select count(*) as n from public.customers where tenant_id = %(t)s", {"t": tenant}
        ).fetchone()
    assert count is not None and count["n"] == expected, (count, expected)
    return {
        "upload": uploaded - started,
        "preview": previewed - uploaded,
        "import": imported - worker_started,
    }


def memory(count: int) -> dict[str, float]:
    """In this (fresh) process: a file of `count` rows uploaded through the service (read and
    stored) and planned by the worker for its preview (the whole plan in memory, then stored):
    the run plans it again the same way and writes it in batches. Returns the peak of Python's
    allocations from the file's making on (tracemalloc) and the process's peak resident size,
    in MB."""
    admin_url = os.environ["DATABASE_ADMIN_URL"]
    database = fresh_database(admin_url)
    tenant, _ = office_member(database)
    settings = dataclasses.replace(
        Settings.from_env(),
        env="test",
        database_url=_url(os.environ["DATABASE_URL"], NAME),
        database_admin_url=database,
    )
    app = create_app(settings)
    tracemalloc.start()  # Python's own allocations from here: the file, its reading, the plan
    data = csv_file(rows(count))
    with app.test_request_context():
        from app import db
        from app.auth.identity import claims_for
        from app.imports import service

        with admin_connection(database) as conn:
            member = conn.execute(
                "select account_id from public.memberships where tenant_id = %s", [tenant]
            ).fetchone()
        assert member is not None
        db.set_claims(claims_for(member["account_id"], tenant))
        import_id = service.upload(tenant, "customers", "customers.csv", data)
        del data
        found = service.get(tenant, import_id)
        assert found is not None
        assert service.preview(tenant, found, found["mapping"], found["options"])
        db.connection().commit()
    pool = _worker_pool()
    assert customer_import.check_previews(pool) == 1
    pool.close()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"peak": peak / 1024 / 1024, "rss": rss}


def _memory_in_a_fresh_process(count: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.imports", "memory", str(count)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run() -> list[Row]:
    made = rows()
    data = csv_file(made)
    customers = len({values[0] for values in made})
    seconds = web_and_worker(data, customers)
    floor_database = fresh_database(os.environ["DATABASE_ADMIN_URL"])
    floor_tenant, _ = office_member(floor_database)
    floor = floor_seconds(floor_database, floor_tenant, made)
    small = _memory_in_a_fresh_process(ROWS)
    large = _memory_in_a_fresh_process(LARGE_ROWS)

    total = sum(seconds.values())
    print(
        f"Customer import of {ROWS:,} rows ({customers:,} customers, {len(data) / 1e6:.1f} MB),"
        " Housecall Pro-like layout"
    )
    print(f"{'':52}{'seconds':>9}{'rows/s':>9}{'vs floor':>10}")
    for label, value in (
        ("upload and mapping (web requests)", seconds["upload"]),
        ("preview planned by the worker (stored, paged)", seconds["preview"]),
        ("import in the worker (planned again, audited)", seconds["import"]),
        ("end to end", total),
        ("floor: COPY by the owner, no checks or audit", floor),
    ):
        print(f"{label:52}{value:9.2f}{ROWS / value:9.0f}{value / floor:9.1f}x")
    print(f"{'peak memory, reading and planning':52}{'MB':>9}{'RSS MB':>9}{'vs 20k':>10}")
    for label, found in ((f"{ROWS:,} rows", small), (f"{LARGE_ROWS:,} rows", large)):
        ratio = found["peak"] / small["peak"]
        print(f"{label:52}{found['peak']:9.0f}{found['rss']:9.0f}{ratio:9.1f}x")
    scenario = f"Customer import of {ROWS:,} rows"
    return [
        row(scenario, "end to end s", total, floor, "", f"{ROWS / total:.0f} rows/s"),
        row(
            scenario,
            "worker import s",
            seconds["import"],
            floor,
            "",
            f"{ROWS / seconds['import']:.0f} rows/s",
        ),
        row(
            f"Customer import of {LARGE_ROWS:,} rows",
            "peak MB (reading, planning)",
            large["peak"],
            small["peak"],
            "",
            f"peak RSS {large['rss']:.0f} MB",
        ),
    ]


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "memory":
        print(json.dumps(memory(int(sys.argv[2]))))
        return
    run()


if __name__ == "__main__":
    main()
