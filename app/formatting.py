"""Dates and times as every page shows them: in the company's time zone, one style per locale
(en-US by default: `Tue, Dec 8, 2026 · 9:00 AM`). Templates use the filters registered here
(`|date`, `|day`, `|month`, `|time`, `|datetime`, `|time_range`); machine-readable values
(`<time datetime>`, CSV, JSON, iCal) stay ISO and do not come through here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context, has_request_context
from flask_login import current_user

from app import company, phones

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
FULL_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
EN_DASH = "\N{EN DASH}"
SEPARATOR = " \N{MIDDLE DOT} "


@dataclass(frozen=True)
class Style:
    """How one locale writes a day and a clock time."""

    day_first: bool  # `Tue 8 Dec` rather than `Tue, Dec 8`
    twelve_hour: bool  # `9:00 AM` rather than `09:00`


STYLES = {"en-US": Style(day_first=False, twelve_hour=True), "en-GB": Style(True, False)}
DEFAULT_LOCALE = "en-US"


def _style() -> Style:
    locale = current_app.config.get("DATE_LOCALE") if has_app_context() else None
    return STYLES.get(locale or DEFAULT_LOCALE, STYLES[DEFAULT_LOCALE])


def company_zone() -> ZoneInfo:
    """The signed-in member's company's time zone (UTC outside a request or a company)."""
    if not has_request_context() or getattr(current_user, "tenant_id", None) is None:
        return ZoneInfo(company.FALLBACK_ZONE)
    return company.zone()


def local(moment: datetime, zone: ZoneInfo | None = None) -> datetime:
    """A moment in the company's zone (a naive one is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone or company_zone())


def _as_date(value: date | datetime, zone: ZoneInfo | None) -> date:
    return local(value, zone).date() if isinstance(value, datetime) else value


def format_day(value: date | datetime | None, zone: ZoneInfo | None = None) -> str:
    """`Tue, Dec 8` (no year)."""
    if value is None:
        return ""
    day = _as_date(value, zone)
    weekday, month = DAYS[day.weekday()], MONTHS[day.month - 1]
    if _style().day_first:
        return f"{weekday} {day.day} {month}"
    return f"{weekday}, {month} {day.day}"


def format_weekday(value: date | datetime | None, zone: ZoneInfo | None = None) -> str:
    """`Tue`."""
    return DAYS[_as_date(value, zone).weekday()] if value is not None else ""


def format_date(value: date | datetime | None, zone: ZoneInfo | None = None) -> str:
    """`Tue, Dec 8, 2026`."""
    if value is None:
        return ""
    day = _as_date(value, zone)
    if _style().day_first:
        return f"{format_day(day)} {day.year}"
    return f"{format_day(day)}, {day.year}"


def format_month(value: date | datetime | None, zone: ZoneInfo | None = None) -> str:
    """`December 2026`."""
    if value is None:
        return ""
    day = _as_date(value, zone)
    return f"{FULL_MONTHS[day.month - 1]} {day.year}"


def format_time(value: datetime | time | None, zone: ZoneInfo | None = None) -> str:
    """`9:00 AM` (or `09:00` where the locale uses a 24-hour clock)."""
    if value is None:
        return ""
    clock = local(value, zone).time() if isinstance(value, datetime) else value
    if not _style().twelve_hour:
        return f"{clock.hour:02d}:{clock.minute:02d}"
    hour = clock.hour % 12 or 12
    return f"{hour}:{clock.minute:02d} {'AM' if clock.hour < 12 else 'PM'}"


def format_datetime(value: datetime | None, zone: ZoneInfo | None = None) -> str:
    """`Tue, Dec 8, 2026 · 9:00 AM`."""
    if value is None:
        return ""
    return f"{format_date(value, zone)}{SEPARATOR}{format_time(value, zone)}"


def format_time_range(
    starts: datetime | None, ends: datetime | None, zone: ZoneInfo | None = None
) -> str:
    """`9:00-11:00 AM`, `11:00 AM-1:00 PM`, `Tue, Dec 8, 9:00 PM-Wed, Dec 9, 1:00 AM` across
    midnight (with an en dash between)."""
    if starts is None or ends is None:
        return ""
    first, last = local(starts, zone), local(ends, zone)
    if first.date() != last.date():
        return (
            f"{format_day(first, zone)}, {format_time(first, zone)}{EN_DASH}"
            f"{format_day(last, zone)}, {format_time(last, zone)}"
        )
    opening, closing = format_time(first, zone), format_time(last, zone)
    if _style().twelve_hour and opening[-2:] == closing[-2:]:
        opening = opening[:-3]
    return f"{opening}{EN_DASH}{closing}"


FILTERS = {
    "date": format_date,
    "day": format_day,
    "weekday": format_weekday,
    "month": format_month,
    "time": format_time,
    "datetime": format_datetime,
    "time_range": format_time_range,
    "phone": phones.readable,
}


def init_app(app: Flask) -> None:
    """Register the filters on the app's templates."""
    app.jinja_env.filters.update(FILTERS)
