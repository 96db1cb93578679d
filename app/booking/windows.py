"""Windows as the booking pages show them: grouped by the company's local day, each with the
value its radio button posts (the start, as ISO 8601 UTC)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import groupby
from zoneinfo import ZoneInfo

from app import db


@dataclass(frozen=True)
class Window:
    starts: datetime
    ends: datetime

    @property
    def value(self) -> str:
        return self.starts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def by_day(rows: list[db.Row], zone: ZoneInfo) -> list[tuple[date, list[Window]]]:
    """The windows of `rows` (window_starts_at, window_ends_at) by local day, in order."""
    windows = [Window(r["window_starts_at"], r["window_ends_at"]) for r in rows]
    return [
        (day, list(group))
        for day, group in groupby(windows, key=lambda w: w.starts.astimezone(zone).date())
    ]


def parse(value: str | None) -> datetime | None:
    """A posted window's start, or None when it is not one of ours."""
    try:
        found = datetime.strptime(value or "", "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None
    return found.replace(tzinfo=UTC)
