"""The dispatch board's geometry: an hour axis, a lane of cards per technician (overlapping
visits stacked in rows of their own), and the week's grid of technicians by days."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from app.scheduling.times import clock, window_label

Row = dict[str, Any]

FIRST_HOUR, LAST_HOUR = 8, 18  # the hour axis, widened when a visit falls outside it
SLOT_MINUTES = 15  # one column of a lane


@dataclass
class Card:
    visit: Row
    starts: datetime  # the arrival window, local
    ends: datetime
    window: str  # `9:00-11:00 AM` (with an en dash), short enough for a narrow card
    at: int  # first grid column (1-based) on the lane
    span: int
    row: int = 1
    others: list[str] = field(default_factory=list)  # the visit's other technicians
    starts_label: str = ""  # `9:00 AM`
    label: str = ""  # what a screen reader says for the card
    window_hours: str = ""  # the window's length in hours, as the Move form takes it


@dataclass
class Lane:
    technician_id: UUID | None  # None: visits booked on nobody on the board
    name: str
    cards: list[Card] = field(default_factory=list)
    rows: int = 1


@dataclass
class Axis:
    first_hour: int
    last_hour: int

    @property
    def slots(self) -> int:
        return (self.last_hour - self.first_hour) * 60 // SLOT_MINUTES

    def hours(self) -> list[tuple[int, str]]:
        """(grid column, label) of each hour mark."""
        return [
            ((hour - self.first_hour) * 60 // SLOT_MINUTES + 1, f"{time(hour):%-I %p}")
            for hour in range(self.first_hour, self.last_hour)
        ]


def axis_for(visits: Iterable[Row], zone: ZoneInfo) -> Axis:
    """8am to 6pm, or wider so that every visit of the day fits."""
    first, last = FIRST_HOUR, LAST_HOUR
    for visit in visits:
        starts = visit["window_starts_at"].astimezone(zone)
        minute = starts.hour * 60 + starts.minute
        first = min(first, minute // 60)
        last = max(last, min(24, math.ceil((minute + visit["duration_minutes"]) / 60)))
    return Axis(first, last)


def now_column(axis: Axis, now: datetime, day: date) -> int | None:
    """The lane column of the present moment when the board shows today within the axis."""
    if now.date() != day or not axis.first_hour <= now.hour < axis.last_hour:
        return None
    return (now.hour * 60 + now.minute - axis.first_hour * 60) // SLOT_MINUTES + 1


def _card(
    visit: Row, zone: ZoneInfo, axis: Axis, names: dict[UUID, str], lane: UUID | None
) -> Card:
    """A visit on a lane: it covers the technician's booked time (at least half an hour)."""
    starts = visit["window_starts_at"].astimezone(zone)
    ends = visit["window_ends_at"].astimezone(zone)
    offset = starts.hour * 60 + starts.minute - axis.first_hour * 60
    at = offset // SLOT_MINUTES + 1
    span = max(2, math.ceil(visit["duration_minutes"] / SLOT_MINUTES))
    others = [names[t] for t in visit["technician_ids"] if t != lane and t in names]
    window = window_label(starts, ends, zone)
    begins = clock(starts)
    length = visit["window_ends_at"] - visit["window_starts_at"]  # absolute time
    return Card(
        visit,
        starts,
        ends,
        window,
        at,
        min(span, axis.slots - at + 1),
        others=others,
        starts_label=begins,
        label=f"{begins} to {clock(ends)}, {visit['customer_name']}, {visit['summary']}",
        window_hours=f"{length.total_seconds() / 3600:g}",
    )


def _stack(cards: list[Card]) -> int:
    """Give overlapping cards rows of their own (a card is never drawn over another)."""
    ends: list[int] = []
    for card in sorted(cards, key=lambda c: (c.at, -c.span)):
        free = next((i for i, end in enumerate(ends) if end <= card.at), None)
        if free is None:
            ends.append(0)
            free = len(ends) - 1
        ends[free] = card.at + card.span
        card.row = free + 1
    return max(1, len(ends))


def lanes_for(
    technicians: list[Row],
    chosen: list[UUID] | None,
    visits: list[Row],
    zone: ZoneInfo,
    axis: Axis,
) -> list[Lane]:
    """One lane per technician shown, with their visits; a visit with two technicians is in
    both. Visits booked on no active technician get a lane of their own on the full board."""
    names = {t["account_id"]: t["full_name"] for t in technicians}
    lanes = {
        t["account_id"]: Lane(t["account_id"], t["full_name"])
        for t in technicians
        if chosen is None or t["account_id"] in chosen
    }
    nobody = Lane(None, "Not assigned")
    for visit in visits:
        for technician_id in visit["technician_ids"]:
            if technician_id in lanes:
                lanes[technician_id].cards.append(_card(visit, zone, axis, names, technician_id))
        if chosen is None and not any(t in names for t in visit["technician_ids"]):
            nobody.cards.append(_card(visit, zone, axis, names, None))
    result = [*lanes.values(), *([nobody] if nobody.cards else [])]
    for lane in result:
        lane.rows = _stack(lane.cards)
    return result


@dataclass
class WeekRow:
    technician_id: UUID | None
    name: str
    days: list[list[tuple[datetime, Row]]]  # per day: (local start, visit)


def week_rows(
    technicians: list[Row],
    chosen: list[UUID] | None,
    visits: list[Row],
    zone: ZoneInfo,
    first: date,
) -> list[WeekRow]:
    """A row per technician and a cell per day of the week, with the day's visits in time order."""
    rows = {
        t["account_id"]: WeekRow(t["account_id"], t["full_name"], [[] for _ in range(7)])
        for t in technicians
        if chosen is None or t["account_id"] in chosen
    }
    everyone = {t["account_id"] for t in technicians}
    nobody = WeekRow(None, "Not assigned", [[] for _ in range(7)])
    for visit in visits:
        starts = visit["window_starts_at"].astimezone(zone)
        index = (starts.date() - first).days
        for technician_id in visit["technician_ids"]:
            if technician_id in rows:
                rows[technician_id].days[index].append((starts, visit))
        if chosen is None and not everyone.intersection(visit["technician_ids"]):
            nobody.days[index].append((starts, visit))
    return [*rows.values(), *([nobody] if any(nobody.days) else [])]
