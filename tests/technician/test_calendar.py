"""The technician's calendar feed: a secret link of which only the hash is kept, a valid
RFC 5545 calendar of their own visits without streets or names, and revocation that ends it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from app import crypto
from app.technician.calendar import escape_text, fold
from tests.factories import Factory
from tests.policies.identity import acting_as, claims_of
from tests.technician.support import Day, at, html, today


def _open_link(tech) -> str:
    """Create a link on the calendar page; returns the token shown there."""
    response = tech.submit("/my-day/calendar")
    assert response.status_code == 200
    match = re.search(r'value="http://plenum\.test/calendar/([A-Za-z0-9_-]+)\.ics"', html(response))
    assert match, html(response)
    token = match.group(1)
    assert f'href="webcal://plenum.test/calendar/{token}.ics"' in html(response)
    return token


def _events(body: str) -> list[str]:
    return re.findall(r"BEGIN:VEVENT\r\n(.*?)END:VEVENT\r\n", body, re.S)


def test_a_new_link_is_shown_once_and_only_its_hash_is_kept(tech, admin, day: Day):
    token = _open_link(tech)

    feeds = admin.execute(
        "select technician_id, token_hash, revoked_at from public.calendar_feeds"
    ).fetchall()
    assert feeds == [
        {
            "technician_id": day.tech.account_id,
            "token_hash": crypto.token_hash(token),
            "revoked_at": None,
        }
    ]
    again = html(tech.get("/my-day/calendar"))
    assert token not in again
    assert "A link is open" in again


@pytest.mark.promise("P-01")
def test_a_member_cannot_open_a_feed_under_a_token_of_their_choosing(database, day: Day):
    """The link is minted by the database (app.open_calendar_feed); a session that inserts a
    feed with a hash it chose (so that it knows the token) is refused."""
    chosen = crypto.token_hash("a token I picked")
    with (
        acting_as(database, claims_of(day.tech)) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(
            "insert into public.calendar_feeds (tenant_id, technician_id, token_hash)"
            " values (%s, %s, %s)",
            [day.tenant.id, day.tech.account_id, chosen],
        )


@pytest.mark.promise("P-02")
def test_the_feed_is_a_calendar_of_the_technicians_own_visits(app, tech, day: Day):
    token = _open_link(tech)

    response = app.test_client().get(f"/calendar/{token}.ics")  # a calendar app: no session

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    body = response.get_data(as_text=True)
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")  # every line ends with CRLF
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    events = _events(body)
    uids = sorted(re.findall(r"UID:(\S+)@plenum", body))
    assert uids == sorted([str(day.first), str(day.second)])  # not the other technician's
    first = next(e for e in events if str(day.first) in e)
    unfolded = first.replace("\r\n ", "")
    assert "SUMMARY:Repair (Madison)" in unfolded
    assert "Furnace will not light" not in unfolded  # free text stays out of the calendar
    assert "STATUS:CONFIRMED" in unfolded
    assert f"/my-day/visits/{day.first}" in unfolded
    assert "Arrival window: " in unfolded and "9:00\N{EN DASH}11:00 AM" in unfolded
    dtstart = re.search(r"DTSTART:(\d{8}T\d{6}Z)", unfolded).group(1)  # type: ignore[union-attr]
    dtend = re.search(r"DTEND:(\d{8}T\d{6}Z)", unfolded).group(1)  # type: ignore[union-attr]
    begins = datetime.strptime(dtstart, "%Y%m%dT%H%M%SZ")
    assert begins.replace(tzinfo=UTC) == at(today(), 9)  # the window's start, in UTC
    assert datetime.strptime(dtend, "%Y%m%dT%H%M%SZ") - begins == timedelta(minutes=60)


@pytest.mark.promise("P-02")
def test_the_feed_names_no_street_customer_or_phone(app, tech, day: Day):
    body = app.test_client().get(f"/calendar/{_open_link(tech)}.ics").get_data(as_text=True)

    for private in ("Lakeview", "Dana", "Reyes", "5550142", "4821", "Hidden Lane", "Sam"):
        assert private not in body, private


def test_a_revoked_link_is_gone(app, tech, admin, day: Day):
    token = _open_link(tech)
    calendar_app = app.test_client()
    assert calendar_app.get(f"/calendar/{token}.ics").status_code == 200

    response = tech.submit("/my-day/calendar/revoke")

    assert response.status_code == 302
    assert calendar_app.get(f"/calendar/{token}.ics").status_code == 410
    assert "No link is open." in html(tech.get("/my-day/calendar"))


def test_a_new_link_ends_the_old_one(app, tech, admin, day: Day):
    old = _open_link(tech)
    new = _open_link(tech)
    calendar_app = app.test_client()

    assert calendar_app.get(f"/calendar/{old}.ics").status_code == 410
    assert calendar_app.get(f"/calendar/{new}.ics").status_code == 200
    open_feeds = admin.execute(
        "select count(*) as n from public.calendar_feeds where revoked_at is null"
    ).fetchone()
    assert open_feeds["n"] == 1


def test_an_unknown_link_is_gone(app, day: Day):
    assert app.test_client().get(f"/calendar/{crypto.new_token()}.ics").status_code == 410


def test_a_removed_technicians_link_stops_working(app, tech, admin, day: Day):
    token = _open_link(tech)

    admin.execute(
        "update public.memberships set status = 'removed' where account_id = %s",
        [day.tech.account_id],
    )

    assert app.test_client().get(f"/calendar/{token}.ics").status_code == 410


def test_text_is_escaped_and_long_lines_are_folded_by_octets():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "é" * 60  # two octets each
    folded = fold(line)
    parts = folded.split("\r\n ")
    assert "".join(parts) == line
    assert all(len(part.encode()) <= 74 for part in parts[1:])
    assert len(parts[0].encode()) <= 75
    assert fold("SHORT:line") == "SHORT:line"


def test_feed_pages_need_a_technician(app, make: Factory, day: Day):
    office = app.test_client()
    office.sign_in(day.tenant.owner.email)

    assert office.get("/my-day/calendar").status_code == 403
    assert office.submit("/my-day/calendar").status_code == 403
