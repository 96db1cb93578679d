"""What other features show on the customer page, added by them: entries of the timeline (a
visit, …) and whole sections (maintenance plans, …). The customers feature imports none of
them; each registers itself here from its own package, so dependencies point one way."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from app import db

Row = dict[str, Any]


def _as_read(rows: list[Row]) -> list[Row]:
    return rows


@dataclass(frozen=True)
class PageRead:
    """A read another feature adds to the customer page: its SQL, given `%(tenant_id)s`,
    `%(customer_id)s` and `params`, and what makes its rows the page's (labels, …). The page
    sends every read in one round trip (db.query_together), so a feature gives its SQL rather
    than a function that reads."""

    sql: str
    shape: Callable[[list[Row]], list[Row]] = _as_read
    params: Mapping[str, Any] = field(default_factory=dict)


# An entry row carries `at`, the time it is sorted by.
_entries: dict[str, PageRead] = {}
_sections: dict[str, PageRead] = {}


def add_timeline_entries(kind: str, read: PageRead) -> None:
    """Rows of `read` join the customer's timeline, each marked `entry = kind`."""
    _entries[kind] = read


def add_page_section(name: str, read: PageRead) -> None:
    """The customer page gets `name` (its template shows the rows when there are some)."""
    _sections[name] = read


def reads(tenant_id: UUID, customer_id: UUID) -> list[tuple[str, db.Params]]:
    """The registered reads, entries then sections, as db.query_together takes them."""
    scope = {"tenant_id": tenant_id, "customer_id": customer_id}
    return [(r.sql, {**r.params, **scope}) for r in (*_entries.values(), *_sections.values())]


def assemble(notes: list[Row], rows: list[list[Row]]) -> dict[str, Any]:
    """The timeline (the notes and every registered entry, newest first) and the sections,
    from the rows of `reads`, in its order."""
    timeline = [{**n, "entry": "note", "at": n["created_at"]} for n in notes]
    for (kind, read), found in zip(_entries.items(), rows[: len(_entries)], strict=True):
        timeline += [{**row, "entry": kind} for row in read.shape(found)]
    sections = {
        name: read.shape(found)
        for (name, read), found in zip(_sections.items(), rows[len(_entries) :], strict=True)
    }
    return {"timeline": sorted(timeline, key=lambda row: row["at"], reverse=True), **sections}
