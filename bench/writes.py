"""Write paths with auditing on: a dispatcher creates a job and books its visit (one request),
then the technician marks it en route, on site and completed (one request each), through the
app's own service functions (`app.scheduling.service`) in request contexts with the members'
claims, on `bench.scale`'s large company. The baseline is the same requests with the audit
trigger disabled by the owner on every table that has it, in the same run; blocks of requests
alternate between the two, so that drift hits both alike. Every visit is booked for a
technician with no other work, on the next free hour (Mon-Fri, 8:00-16:00), so none clashes.

Run: `python -m bench.writes`.
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from datetime import time as clock
from functools import partial
from uuid import UUID

from flask import Flask

from app import create_app, db
from app.config import Settings
from app.db import Connection, admin_connection
from app.scheduling import service
from bench import scale
from bench.results import Row, p50_p95, row
from bench.rls_scale import member

ROUNDS, BLOCK = int(os.environ.get("BENCH_WRITE_ROUNDS", 60)), 10
STEPS = ["create job + book visit", "en route", "on site", "completed"]
STATUSES = ("en_route", "on_site", "completed")
COMPLETION = {"completion_notes": "Filter changed", "signed_by": "Pat"}


def request(app: Flask, claims: dict[str, str], work: Callable[[], object]) -> float:
    """One request's worth (its transaction, committed as a successful response does); ms."""
    started = time.perf_counter()
    with app.test_request_context("/"):
        app.preprocess_request()
        db.set_claims(claims)
        work()
        app.process_response(app.response_class())
    return (time.perf_counter() - started) * 1000


def slots(owner: Connection, writer: str, start: date) -> list[tuple[date, int]]:
    """Free hours for the writer: from the later of `start` and the day after their last."""
    last = owner.execute(
        "select max(upper(booked)) as at from public.visit_assignments where technician_id = %s",
        [writer],
    ).fetchone()
    day = max(
        start,
        last["at"].astimezone(scale.ZONE).date() + timedelta(days=1)
        if last and last["at"]
        else start,
    )
    free: list[tuple[date, int]] = []
    while len(free) < 2 * ROUNDS:
        if day.weekday() < 5:
            free += [(day, hour) for hour in range(8, 16)]
        day += timedelta(days=1)
    return free


def create_and_book(
    tenant: UUID, property_id: UUID, slot: tuple[date, int], crew: list[UUID], made: list[UUID]
) -> None:
    """What the dispatcher's request does: a job (with its first visit), then the booking."""
    values = {"kind": "maintenance", "priority": "normal", "summary": "Tune-up", "description": ""}
    job = service.create_job(tenant, property_id, values, [])
    visit = db.value(
        "select id from public.visits where tenant_id = %(t)s and job_id = %(j)s",
        {"t": tenant, "j": job},
    )
    day, hour = slot
    booking = service.Booking.local(scale.ZONE, day, clock(hour), 1, 60, crew)
    service.book(tenant, visit, booking)
    made.append(UUID(str(visit)))


def move(tenant: UUID, made: list[UUID], to: str) -> None:
    """What the technician's request does: the next status (notes and a signer to finish)."""
    service.move(tenant, made[0], to, **(COMPLETION if to == "completed" else {}))


def audit(owner: Connection, on: bool) -> None:
    tables = owner.execute(
        "select tgrelid::regclass::text as name, tgname from pg_trigger"
        " where tgname in ('audit_changes', 'audit_inserts')"
    ).fetchall()
    for table in tables:
        verb = "enable" if on else "disable"
        owner.execute(f"alter table {table['name']} {verb} trigger {table['tgname']}")


def run() -> list[Row]:
    admin_url, app_url = os.environ["DATABASE_ADMIN_URL"], os.environ["DATABASE_URL"]
    sizes, day, how = scale.ensure(admin_url)
    settings = dataclasses.replace(
        Settings.from_env(),
        env="test",
        database_url=scale.url(app_url),
        database_admin_url=scale.url(admin_url),
        prepared_statements=False,
    )
    app = create_app(settings)
    taken: dict[tuple[str, str], list[float]] = {}
    with admin_connection(scale.url(admin_url)) as owner:
        dispatcher = member(owner, scale.DISPATCHER)
        writer = member(owner, scale.WRITER)
        tenant = UUID(dispatcher["tenant_id"])
        houses = owner.execute(
            "select id from public.properties where tenant_id = %s order by id limit %s",
            [tenant, 2 * ROUNDS],
        ).fetchall()
        crew = [UUID(writer["sub"])]
        free = slots(owner, writer["sub"], day + timedelta(days=30))
        try:
            for n in range(2 * ROUNDS):
                side = "audited" if (n // BLOCK) % 2 == 0 else "plain"
                if n % BLOCK == 0:
                    audit(owner, side == "audited")
                made: list[UUID] = []
                create = partial(create_and_book, tenant, houses[n]["id"], free[n], crew, made)
                taken.setdefault((side, STEPS[0]), []).append(request(app, dispatcher, create))
                for step, status in zip(STEPS[1:], STATUSES, strict=True):
                    advance = partial(move, tenant, made, status)
                    taken.setdefault((side, step), []).append(request(app, writer, advance))
        finally:
            audit(owner, True)
    app.extensions["plenum.pool"].close()
    rows = []
    print(f"write paths on {scale.NAME} ({how}), {ROUNDS} visits each way, ms per request")
    for step in STEPS:
        a50, a95 = p50_p95(taken["audited", step])
        p50, _ = p50_p95(taken["plain", step])
        note = f"audited p95 {a95:.2f} ms; {a50 - p50:+.2f} ms at p50"
        rows.append(row(f"writes: {step}", "p50 ms, audited vs no audit", a50, p50, "", note))
        print(f"  {step:28}{p50:8.2f}{a50:8.2f}  {a50 / p50:5.2f}x")
    whole = [sum(x) for x in zip(*(taken["audited", s] for s in STEPS), strict=True)]
    plain = [sum(x) for x in zip(*(taken["plain", s] for s in STEPS), strict=True)]
    rows.append(
        row(
            "writes: create and complete a visit",
            "mean ms, 4 requests",
            statistics.fmean(whole),
            statistics.fmean(plain),
        )
    )
    del sizes
    return rows


if __name__ == "__main__":
    run()
