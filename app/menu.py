"""The main menu: each feature adds its own entries (label, endpoint, who sees it, order) from
its package with `menu.add(...)`; base.html renders what the signed-in member may open, as a
bar on wide screens and under the Menu button on a phone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from flask import Flask, g, request
from flask_login import current_user


@dataclass(frozen=True)
class Entry:
    label: str
    endpoint: str
    roles: tuple[str, ...]  # empty: every member of the company
    order: int
    when: Callable[[], bool] | None  # an extra condition (e.g. not in production)
    # Other endpoints of the same section: the entry is marked current on them too.
    section: tuple[str, ...] = ()
    shortcut: str = ""  # a key that opens the page (app/static/shortcuts.js), e.g. "n"
    # A number shown beside the label when not zero (e.g. unread texts), read per page.
    count: Callable[[], int] | None = None


@dataclass(frozen=True)
class Link:
    label: str
    endpoint: str
    current: bool
    shortcut: str = ""
    count: int = 0


_entries: dict[str, Entry] = {}


def add(
    label: str,
    endpoint: str,
    *,
    roles: tuple[str, ...] = (),
    order: int = 100,
    when: Callable[[], bool] | None = None,
    section: tuple[str, ...] = (),
    shortcut: str = "",
    count: Callable[[], int] | None = None,
) -> None:
    """Add (or replace, by endpoint) an entry of the main menu; lower `order` comes first."""
    _entries[endpoint] = Entry(
        label, endpoint, tuple(roles), order, when, tuple(section), shortcut, count
    )


def company_count(count: Callable[[UUID], int]) -> Callable[[], int]:
    """An entry's number read for the signed-in member's company (`count(tenant_id)`); 0 on a
    page that acts with a link's or a webhook's narrow role rather than as the member."""

    def read() -> int:
        if g.get("db_claims", {}).get("role") != "authenticated":
            return 0
        return count(current_user.tenant_id)

    return read


def entries() -> list[Entry]:
    """Every registered entry, in menu order."""
    return sorted(_entries.values(), key=lambda entry: (entry.order, entry.label))


def links() -> list[Link]:
    """The entries the signed-in member may open, the current page's marked."""
    if not current_user.is_authenticated or current_user.company is None:
        return []
    endpoint = request.endpoint or ""
    return [
        Link(
            entry.label,
            entry.endpoint,
            endpoint in (entry.endpoint, *entry.section),
            entry.shortcut,
            entry.count() if entry.count else 0,
        )
        for entry in entries()
        if (not entry.roles or current_user.can(*entry.roles))
        and (entry.when is None or entry.when())
    ]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["menu_links"] = links
