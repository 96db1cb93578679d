"""What other features show on the customer page, added by them: entries of the timeline (a
visit, …) and whole sections (maintenance plans, …). The customers feature imports none of
them; each registers itself here from its own package, so dependencies point one way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

Row = dict[str, Any]
# (tenant id, customer id) → rows; an entry row carries `at`, the time it is sorted by.
Source = Callable[[UUID, UUID], list[Row]]

_entries: dict[str, Source] = {}
_sections: dict[str, Source] = {}


def add_timeline_entries(kind: str, source: Source) -> None:
    """Rows of `source` join the customer's timeline, each marked `entry = kind`."""
    _entries[kind] = source


def add_page_section(name: str, source: Source) -> None:
    """The customer page gets `name` (its template shows the rows when there are some)."""
    _sections[name] = source


def entries(tenant_id: UUID, customer_id: UUID, notes: list[Row]) -> list[Row]:
    """The customer's notes and every registered entry together, newest first."""
    rows = [{**n, "entry": "note", "at": n["created_at"]} for n in notes]
    for kind, source in _entries.items():
        rows += [{**row, "entry": kind} for row in source(tenant_id, customer_id)]
    return sorted(rows, key=lambda row: row["at"], reverse=True)


def sections(tenant_id: UUID, customer_id: UUID) -> dict[str, list[Row]]:
    return {name: source(tenant_id, customer_id) for name, source in _sections.items()}
