"""Named SQL statements, kept in a feature's `queries.sql` and loaded once; and what the lists
that read them share (pages, search patterns)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_NAME = re.compile(r"^--\s*name:\s*(\w+)\s*$", re.MULTILINE)


class Queries:
    """The statements of one `queries.sql`, each under the name of its `-- name: x` line."""

    def __init__(self, path: Path) -> None:
        text = path.read_text()
        parts = _NAME.split(text)
        self._statements: dict[str, str] = {}
        for name, body in zip(parts[1::2], parts[2::2], strict=True):
            if name in self._statements:
                raise ValueError(f"{path}: query {name!r} is defined twice")
            self._statements[name] = body.strip().rstrip(";")
        self._path = path

    def __getattr__(self, name: str) -> str:
        try:
            return self._statements[name]
        except KeyError:
            raise AttributeError(f"{self._path} has no query named {name!r}") from None

    def names(self) -> list[str]:
        return list(self._statements)


def load(module_file: str, name: str = "queries.sql") -> Queries:
    """The queries.sql (or another named file) beside a feature's module:
    `queries = sql.load(__file__)`."""
    return Queries(Path(module_file).with_name(name))


# --- a list's pages and search terms ---------------------------------------------------------

PAGE_SIZE = 50
LAST_PAGE = 10_000  # keeps OFFSET reasonable for absurd ?page= values


@dataclass(frozen=True)
class Page:
    """One page of a list read with `paging(number)`: its rows, and whether others surround it."""

    rows: list[dict[str, Any]]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def first(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1


def paging(number: int) -> dict[str, int]:
    """The LIMIT and OFFSET of page `number`: one row more than a page, to tell if one follows."""
    return {"limit": PAGE_SIZE + 1, "offset": (number - 1) * PAGE_SIZE}


def page_of(rows: list[dict[str, Any]], number: int) -> Page:
    """The rows read with `paging(number)` as that page."""
    return Page(rows[:PAGE_SIZE], number, len(rows) > PAGE_SIZE)


def like_pattern(term: str) -> str | None:
    """`term` as a LIKE pattern matching it anywhere (lower-cased, wildcards taken literally);
    None for no term."""
    if not term:
        return None
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def number_or_pattern(term: str, prefix: str) -> tuple[int | None, str | None]:
    """A document list's search: a number (`1001`, `EST-1001`), or else text to match."""
    number = term.upper().removeprefix(prefix).strip()
    if number.isdigit() and len(number) <= 9:
        return int(number), None
    return None, like_pattern(term)


# The LIMIT and OFFSET that read a list whole (its CSV file), in the order its pages show.
WHOLE_LIST: dict[str, Any] = {"limit": None, "offset": 0}


def document_filters(criteria: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """The parameters of an estimates or invoices list's query from its filters
    (forms.DocumentListFilter.criteria): status, number or name, technician and days."""
    number, pattern = number_or_pattern(criteria.get("term") or "", prefix)
    return {
        "status": criteria.get("status"),
        "number": number,
        "pattern": pattern,
        "technician_id": criteria.get("technician_id"),
        "starts": criteria.get("starts"),
        "ends": criteria.get("ends"),
    }
