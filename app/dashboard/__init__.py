"""The first page after sign-in, and the platform's health (liveness) and readiness checks."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import cache

import psycopg
from flask import Blueprint, current_app, redirect, render_template, send_from_directory, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import company, db, menu, migrations, privacy_requests, sql

bp = Blueprint("dashboard", __name__)
menu.add("Dashboard", "dashboard.home", order=10)
queries = sql.load(__file__)
OPEN = ("scheduled", "dispatched", "en_route", "on_site")


def _cards() -> tuple[dict[str, int], db.Row | None, list[db.Row]]:
    """How many visits today: still to do, done, and (for the office) waiting to be booked;
    and for office staff the Money card's figures and the privacy requests due next. Every
    read in one round trip."""
    tenant_id = current_user.tenant_id
    zone = company.zone(tenant_id)
    day = datetime.now(zone).date()
    starts = datetime.combine(day, time(), zone)
    reads: list[tuple[str, db.Params]] = [
        (
            queries.visits_today,
            {
                "tenant_id": tenant_id,
                "day_starts": starts,
                "day_ends": datetime.combine(day + timedelta(days=1), time(), zone),
                "mine": current_user.id if current_user.is_technician else None,
            },
        )
    ]
    office = current_user.is_office_staff
    if office:
        reads.append((queries.unscheduled_count, {"tenant_id": tenant_id}))
        reads.append((queries.money, {"tenant_id": tenant_id, "today": day}))
        reads.append((queries.privacy_requests_due, {"tenant_id": tenant_id, "today": day}))
    rows, *more = db.query_together(*reads)
    counts = {row["status"]: row["n"] for row in rows}
    summary = {
        "open": sum(counts.get(status, 0) for status in OPEN),
        "completed": counts.get("completed", 0),
    }
    if not office:
        return summary, None, []
    waiting, money, privacy = more
    summary["unscheduled"] = waiting[0]["count"]
    return summary, money[0], privacy


@bp.get("/")
def home() -> Response | str:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    if current_user.company is None:
        return render_template("dashboard/no_company.html")
    today, money, privacy_due = _cards()
    return render_template(
        "dashboard/home.html",
        today=today,
        money=money,
        privacy_due=privacy_due,
        privacy_kinds=privacy_requests.KINDS,
    )


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page links: the same icon, cached a day."""
    return send_from_directory(
        current_app.static_folder or "static",
        "favicon.svg",
        mimetype="image/svg+xml",
        max_age=86400,
    )


@bp.get("/healthz")
def health() -> tuple[dict[str, str], int]:
    """Liveness, for the platform's health checks: the app answers. It never asks the
    database, so an outage does not get a healthy process restarted."""
    return {"status": "ok"}, 200


@cache
def _newest_migration() -> str:
    """The version of the newest migration this code ships (read from the files once)."""
    return migrations.migrations()[-1].version


@bp.get("/readyz")
def ready() -> tuple[dict[str, str], int]:
    """Readiness: 200 when the database answers and has every migration this code ships,
    503 otherwise, saying which."""
    newest = _newest_migration()
    try:
        applied = db.applied_migration()
    except psycopg.Error as error:
        if not db.unavailable(error):
            raise
        return {"status": "unavailable", "database": "unreachable"}, 503
    # A database ahead of this code (old machines during a rolling deploy, after the release
    # ran) is ready: migrations only add what older code does not use.
    if applied is None or applied < newest:
        body = {"status": "unavailable", "database": "reachable", "migrations": "behind"}
        return body | {"applied": applied or "none", "newest": newest}, 503
    return {"status": "ok", "database": "reachable", "migrations": "current"}, 200


# What other features may use (tests/test_architecture.py holds them to it).
__all__ = ["bp"]
