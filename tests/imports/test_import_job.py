"""Large imports run in the jobs worker: all valid rows in one transaction or none, claimed once,
progress visible while they run, the audit log naming the import actor."""

from __future__ import annotations

import random
import threading
from uuid import UUID

import pytest
from psycopg import sql

from app.auth.identity import claims_for
from app.db import transaction
from app.imports import engine
from jobs import REGISTRY, customer_import
from tests.imports.support import import_id_of, skipped_rows, summary, text, upload


def big_file(rows: int, seed: int = 7) -> bytes:
    """A realistic export: names, emails, phones typed many ways, addresses, a few bad rows."""
    rng = random.Random(seed)
    formats = ("({a}) {b}-{c}", "{a}-{b}-{c}", "{a}.{b}.{c}", "+1 {a} {b} {c}")
    lines = ["First Name,Last Name,Email,Phone,Street,City,State,Zip,Tags"]
    for n in range(rows):
        phone = rng.choice(formats).format(a=312, b=f"{200 + n // 10000:03d}", c=f"{n % 10000:04d}")
        street = f"{n} Elm St" if n % 2 else ""
        city = "Springfield" if n % 2 else ""
        letters = "".join(chr(97 + int(digit)) for digit in str(n))  # names have no digits
        lines.append(
            f"Pat{letters},Lee{letters},pat{n}@example.com,{phone},{street},{city},IL,62701,vip"
        )
    lines[101] = "Bad,Phone,bad@example.com,555,,,,,"  # line 102: kept, the phone left out
    lines[202] = ",,noname@example.com,,,,,,"  # line 203: no name, left out
    lines[303] = lines[304].replace("Pat", "Dup")  # line 304: a namesake at line 305's address
    return ("\n".join(lines) + "\n").encode()


def _start(office, data: bytes, pool=None) -> str:
    """Upload, map, preview (by the worker for a large file) and confirm."""
    import_id = import_id_of(upload(office, data))
    assert office.submit(f"/customers/import/{import_id}/mapping").status_code == 302
    if pool is not None:
        assert customer_import.check_previews(pool) == 1
    assert office.submit(f"/customers/import/{import_id}/confirm").status_code == 302
    return import_id


def _count(admin, table: str = "customers") -> int:
    row = admin.execute(
        sql.SQL("select count(*) as n from {}").format(sql.Identifier("public", table))
    ).fetchone()
    assert row is not None
    return int(row["n"])


def test_ten_thousand_rows_import_in_the_worker(office, admin, company, pool):
    """How fast is measured in bench/imports.py; this proves what happens."""
    import_id = _start(office, big_file(10_000), pool)

    waiting = text(office.get(f"/customers/import/{import_id}"))
    assert '<meta http-equiv="refresh" content="2">' in waiting
    assert "waiting for the import worker to start it (9999 records to save)" in waiting
    assert _count(admin) == 0  # nothing happens in the request

    assert customer_import.sweep(pool) == 1
    page = text(office.get(f"/customers/import/{import_id}"))
    assert "refresh" not in page
    assert "Import finished: 9999 new, 0 updated, 0 already so, 1 row left out." in page
    assert skipped_rows(page) == [(203, "No name or company")]
    assert _count(admin) == 9999
    assert _count(admin, "properties") == 5000
    assert customer_import.sweep(pool) == 0  # done is done: nothing to claim again


def test_the_worker_imports_as_the_member_with_the_import_actor(office, admin, company, pool):
    _start(office, big_file(600))

    customer_import.sweep(pool)

    actors = admin.execute(
        "select table_name, actor_id, actor_label, count(*) as n from audit.changes"
        " where table_name in ('public.customers', 'public.properties') and operation = 'insert'"
        " group by 1, 2, 3 order by 1"
    ).fetchall()
    assert actors == [
        {
            "table_name": "public.customers",
            "actor_id": company.owner.account_id,
            "actor_label": "system:import",
            "n": 599,
        },
        {
            "table_name": "public.properties",
            "actor_id": company.owner.account_id,
            "actor_label": "system:import",
            "n": 300,
        },
    ]


def test_two_workers_at_once_import_the_file_once(office, admin, company, pool):
    _start(office, big_file(2_000))
    handled: list[int] = []
    workers = [
        threading.Thread(target=lambda: handled.append(customer_import.sweep(pool)))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sorted(handled) == [0, 1]
    assert _count(admin) == 1999


def test_progress_is_visible_while_the_import_is_still_invisible(office, admin, company, pool):
    import_id = UUID(_start(office, big_file(2_500)))
    job = customer_import.claim(pool)
    assert job is not None
    claims = claims_for(company.owner.account_id, company.id) | {"actor": "system:import"}
    seen: list[tuple[int, int, int]] = []

    def progress(done: int) -> None:
        with transaction(pool, claims) as conn:
            engine.record_progress(conn, company.id, import_id, job["attempts"], done)
        row = admin.execute(
            "select rows_done from public.customer_imports where id = %s", [import_id]
        ).fetchone()
        assert row is not None
        seen.append((done, row["rows_done"], _count(admin)))

    with transaction(pool, claims) as conn:
        engine.run(conn, company.id, import_id, job["attempts"], progress)

    assert seen == [(1000, 1000, 0), (2000, 2000, 0), (2499, 2499, 0)]
    assert _count(admin) == 2499


def test_a_failed_import_saves_nothing_and_says_so(office, admin, make, company, pool):
    dispatcher = make.member(company.id, "dispatcher")
    client = office.application.test_client()
    client.sign_in(dispatcher.email)
    import_id = _start(client, big_file(700))
    admin.execute(
        "update public.memberships set status = 'removed' where id = %s",
        [dispatcher.membership_id],
    )

    assert customer_import.sweep(pool) == 1

    page = text(office.get(f"/customers/import/{import_id}"))
    assert (
        "The import stopped and nothing was saved: The member who confirmed this import no longer"
        " has access to the company." in page
    )
    assert _count(admin) == 0
    # The owner can start it again; it then runs as the owner.
    assert office.submit(f"/customers/import/{import_id}/confirm").status_code == 302
    assert customer_import.sweep(pool) == 1
    assert _count(admin) == 699


def test_a_stalled_run_is_taken_over_after_its_heartbeat_stops(office, admin, company, pool):
    import_id = _start(office, big_file(600))
    job = customer_import.claim(pool)  # a worker that claimed it, then died
    assert job is not None
    admin.execute(
        "update public.customer_imports set heartbeat_at = now() - interval '1 hour' where id = %s",
        [import_id],
    )

    assert customer_import.sweep(pool) == 1

    assert _count(admin) == 599
    claims = claims_for(company.owner.account_id, company.id)
    # The dead worker's late finish is refused and rolled back: the file is imported once.
    with pytest.raises(engine.ImportTaken), transaction(pool, claims) as conn:
        engine.run(conn, company.id, UUID(import_id), job["attempts"])
    assert _count(admin) == 599


def test_small_files_import_in_the_request_without_a_worker(office, admin, company):
    import_id = _start(office, big_file(400))

    page = text(office.get(f"/customers/import/{import_id}"))

    assert "Import finished: 399 new, 0 updated, 0 already so, 1 row left out." in page
    assert summary(page)["Created"] == 399
    assert _count(admin) == 399
    actor = admin.execute(
        "select distinct actor_label from audit.changes where table_name = 'public.customers'"
    ).fetchall()
    assert actor == [{"actor_label": "system:import"}]


def test_the_import_job_is_registered():
    assert REGISTRY["customer_import"].sweep is customer_import.sweep


def test_a_queued_import_says_it_waits_for_the_worker_and_then_when_it_finished(
    office, admin, company, pool
):
    """With the worker stopped, the page says the import is queued (and since when), not
    "Importing… 0 of N" forever; once done, the finish time is recorded and shown."""
    import_id = _start(office, big_file(600))
    waiting = text(office.get(f"/customers/import/{import_id}"))
    assert "Queued since" in waiting
    assert "waiting for the import worker to start it (599 records to save)" in waiting
    assert "Importing…" not in waiting

    admin.execute(  # the worker has claimed it and created 200 so far
        "update public.customer_imports set status = 'running', started_at = now(),"
        " rows_done = 200 where id = %s",
        [import_id],
    )
    assert "Importing… 200 of 599 records saved." in text(
        office.get(f"/customers/import/{import_id}")
    )
    admin.execute(
        "update public.customer_imports set status = 'queued', started_at = null, rows_done = 0"
        " where id = %s",
        [import_id],
    )

    assert customer_import.sweep(pool) == 1
    row = admin.execute(
        "select finished_at, started_at from public.customer_imports where id = %s", [import_id]
    ).fetchone()
    assert row is not None and row["finished_at"] >= row["started_at"]
    done = text(office.get(f"/customers/import/{import_id}"))
    assert "<dt>Finished</dt>" in done
    assert f'datetime="{row["finished_at"].isoformat()}"' in done
