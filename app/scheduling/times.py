"""Times as the scheduling pages and the technician's phone show them, in one place so that a
window reads the same on the board, the phone and the calendar (app/formatting.py's style)."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from app.formatting import EN_DASH, format_time, format_time_range

__all__ = ["EN_DASH", "clock", "window_label"]


def clock(moment: datetime | time) -> str:
    """`9:05 AM` (a datetime is read as it is, already in the zone wanted)."""
    return format_time(moment.time() if isinstance(moment, datetime) else moment)


def window_label(starts: datetime | None, ends: datetime | None, zone: ZoneInfo) -> str:
    """An arrival window, short enough for a card or a phone: '9:00-11:00 AM' or
    '11:00 AM-1:00 PM' (with an en dash between)."""
    if starts is None or ends is None:
        return "No time set"
    return format_time_range(starts, ends, zone)
