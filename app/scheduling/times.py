"""Times as the scheduling pages and the technician's phone show them, in one place so that a
window reads the same on the board, the phone and the calendar."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

EN_DASH = "\N{EN DASH}"  # between the ends of a window


def clock(moment: datetime | time) -> str:
    """`9:05 AM` (as strftime's `%-I:%M %p` in English, without its cost: a board calls this
    for every card)."""
    return f"{moment.hour % 12 or 12}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def window_label(starts: datetime | None, ends: datetime | None, zone: ZoneInfo) -> str:
    """An arrival window, short enough for a card or a phone: '9:00-11:00 AM' or
    '11:00 AM-1:00 PM' (with an en dash between)."""
    if starts is None or ends is None:
        return "No time set"
    first, last = starts.astimezone(zone), ends.astimezone(zone)
    if (first.hour < 12) == (last.hour < 12):
        return f"{first.hour % 12 or 12}:{first.minute:02d}{EN_DASH}{clock(last)}"
    return f"{clock(first)}{EN_DASH}{clock(last)}"
