"""Recording reads of sensitive data (P-07): one helper, used by every view that shows
personal data, an export, or a portal sign-in. The row goes into the same append-only,
hash-chained log as changes, with the operation `access`. The database records a read only
of rows the caller can read (audit.record_access checks it under their own policies)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from app import db, sql

queries = sql.load(__file__, "access.sql")


def record_access(table: str, row_key: object, **details: Any) -> None:
    """Note that the current member saw `table` row `row_key` (what they saw goes in details)."""
    db.value(
        queries.record_access,
        {"table": table, "row_key": str(row_key), "details": json.dumps(details, default=str)},
    )


def record_list(table: str, ids: Iterable[object], **details: Any) -> None:
    """Note that the current member saw a page of `table`'s rows: one entry naming them all
    (row key `list`, the ids in details), nothing when the page showed none."""
    shown = list(dict.fromkeys(str(row_id) for row_id in ids))
    if shown:
        record_access(table, "list", ids=shown, **details)
