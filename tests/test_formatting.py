"""Dates and times read one way everywhere: the company's time zone, en-US style, through the
filters of app/formatting.py; templates never format a date by hand; the favicon is served."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from app import formatting
from tests.conftest import Client

TEMPLATES = Path(__file__).resolve().parent.parent / "app" / "templates"
CHICAGO = ZoneInfo("America/Chicago")


def test_the_formats_are_en_us_in_the_zone_given():
    moment = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)  # 9 AM in Chicago
    assert formatting.format_datetime(moment, CHICAGO) == "Tue, Dec 8, 2026 · 9:00 AM"
    assert formatting.format_date(date(2026, 12, 8)) == "Tue, Dec 8, 2026"
    assert formatting.format_day(moment, CHICAGO) == "Tue, Dec 8"
    assert formatting.format_month(date(2026, 12, 8)) == "December 2026"
    assert formatting.format_time(time(0, 5)) == "12:05 AM"
    ends = datetime(2026, 12, 8, 17, 0, tzinfo=UTC)
    assert formatting.format_time_range(moment, ends, CHICAGO) == "9:00\N{EN DASH}11:00 AM"
    noon = datetime(2026, 12, 8, 19, 0, tzinfo=UTC)
    assert formatting.format_time_range(moment, noon, CHICAGO) == "9:00 AM\N{EN DASH}1:00 PM"


def test_no_template_formats_dates_by_hand():
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{n}"
        for path in TEMPLATES.rglob("*.html")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\.strftime\(|%H:%M|%-I:%M", line)
    ]
    assert offenders == [], "use the |date, |time, |datetime filters of app/formatting.py"


def test_pages_show_times_in_the_company_zone_in_one_style(client: Client, make, admin):
    tenant = make.tenant()
    admin.execute(
        "update public.tenants set time_zone = 'America/Chicago' where id = %s", [tenant.id]
    )
    customer = make.customer(tenant.id, "Jane", "Doe")
    prop = make.property(tenant.id, customer, street="12 Elm St")
    job = make.job(tenant.id, prop, "repair", "No heat")
    make.visit(tenant.id, job, datetime(2026, 12, 8, 15, 0, tzinfo=UTC))  # 9 AM in Chicago
    client.sign_in(tenant.owner.email)
    job_page = client.get(f"/jobs/{job}").get_data(as_text=True)
    assert "Tue, Dec 8, 2026 · 9:00\N{EN DASH}11:00 AM" in job_page
    audit = client.get("/audit").get_data(as_text=True)
    assert re.search(r"\w{3}, \w{3} \d{1,2}, \d{4} · \d{1,2}:\d{2} [AP]M", audit)
    assert not re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", audit)  # no raw timestamps shown
    jobs = client.get("/jobs?sort=date").get_data(as_text=True)
    assert "Tue, Dec 8, 9:00\N{EN DASH}11:00 AM" in jobs


def test_the_favicon_is_linked_and_served(client: Client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert client.get("/static/favicon.svg").status_code == 200
