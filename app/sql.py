"""Named SQL statements, kept in a feature's `queries.sql` and loaded once."""

from __future__ import annotations

import re
from pathlib import Path

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
