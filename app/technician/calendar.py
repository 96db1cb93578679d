"""A technician's schedule in their phone's calendar: an ICS feed (RFC 5545) at a secret URL.
Only the token's hash is kept; opening a new link or revoking ends the old one. The feed
carries the kind of job, its summary and the city, never a street, name or phone number."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import company, db, roles, sql
from app.auth import identity
from app.auth.forms import ConfirmForm
from app.scheduling import window_label
from app.technician import bp
from app.vocabulary import JOB_KINDS, VISIT_STATUSES

queries = sql.load(__file__, "calendar.sql")
Row = dict[str, Any]

PRODID = "-//Plenum//Technician schedule//EN"
LINE_OCTETS = 75  # RFC 5545 3.1: longer content lines are folded


# --- managing the link --------------------------------------------------------------------


def open_feed(tenant_id: UUID, technician_id: UUID) -> Row | None:
    return db.one(queries.open_feed, {"tenant_id": tenant_id, "technician_id": technician_id})


def revoke(tenant_id: UUID, technician_id: UUID) -> bool:
    """End the technician's open link, if any; their calendar stops updating."""
    scope = {"tenant_id": tenant_id, "technician_id": technician_id}
    return bool(db.write(queries.revoke_feeds, scope))


def new_feed() -> str:
    """A new secret link for the signed-in member (the old one, if any, is revoked), minted by
    the database, which keeps only its hash; returns the token, shown once."""
    return str(db.write(queries.open_new_feed)[0]["token"])


def feed_urls(token: str) -> dict[str, str]:
    """The link as a web address and as webcal:, which phones open in their calendar app."""
    https = f"{current_app.config['PLENUM'].public_url}/calendar/{token}.ics"
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


# --- the ICS text ---------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines escaped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """Lines longer than 75 octets continue after CRLF and a space, never inside a character."""
    parts: list[str] = []
    current, size, limit = "", 0, LINE_OCTETS
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, LINE_OCTETS - 1  # the leading space counts
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(row: Row, stamp: datetime, public_url: str) -> list[str]:
    zone = ZoneInfo(row["time_zone"])
    starts = row["window_starts_at"]
    ends = starts + timedelta(minutes=row["duration_minutes"])
    city = f" ({row['city']})" if row["city"] else ""
    # Kind and city only: the summary is free text and the feed lives in the calendar's cloud.
    summary = f"{JOB_KINDS.get(row['job_kind'], row['job_kind'])}{city}"
    link = f"{public_url}/my-day/visits/{row['visit_id']}"
    arrival = window_label(starts, row["window_ends_at"], zone)
    description = (
        f"Arrival window: {starts.astimezone(zone):%a %b %-d}, {arrival}\n"
        f"Status: {VISIT_STATUSES.get(row['status'], row['status'])}\n"
        f"Details: {link}"
    )
    return [
        "BEGIN:VEVENT",
        f"UID:{row['visit_id']}@plenum",
        f"DTSTAMP:{_utc(stamp)}",
        f"LAST-MODIFIED:{_utc(row['updated_at'])}",
        f"DTSTART:{_utc(starts)}",
        f"DTEND:{_utc(ends)}",
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"URL:{link}",
        "STATUS:CONFIRMED",
        "END:VEVENT",
    ]


def ics(rows: Iterable[Row], stamp: datetime, public_url: str) -> str:
    """The whole calendar, CRLF line endings and folded lines."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:My visits",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    for row in rows:
        lines += _event(row, stamp, public_url)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


# --- pages ------------------------------------------------------------------------------------


@bp.route("/my-day/calendar", methods=["GET", "POST"])
@identity.company_required(*roles.TECHNICIANS)
def calendar_page() -> str:
    """Whether a link is open; a POST makes a new one and shows it, this once."""
    urls = None
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        urls = feed_urls(new_feed())
    return render_template(
        "technician/calendar.html",
        feed=open_feed(current_user.tenant_id, current_user.id),
        urls=urls,
        zone=company.zone(current_user.tenant_id),
    )


@bp.post("/my-day/calendar/revoke")
@identity.company_required(*roles.TECHNICIANS)
def revoke_calendar() -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if revoke(current_user.tenant_id, current_user.id):
        flash("Calendar link revoked: calendars using it stop updating.", "success")
    return redirect(url_for("technician.calendar_page"))


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str) -> Response:
    """The feed, for a calendar app: no sign-in, the token is the only credential. The read runs
    as a token holder whoever asks. A link that is unknown or revoked is gone (410), as other
    links are."""
    db.set_claims(db.SIGN_IN)
    if not db.value(queries.feed_is_open, {"token": token}):
        abort(410)
    rows = db.query(queries.feed_visits, {"token": token})
    body = ics(rows, datetime.now(UTC), current_app.config["PLENUM"].public_url)
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
