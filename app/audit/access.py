"""Recording reads of sensitive data (P-07): one helper, used by every view that shows
personal data, an export, or a portal sign-in. The row goes into the same append-only,
hash-chained log as changes, with the operation `access`. The database records a read only
of rows the caller can read (audit.record_access checks it under their own policies)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from app import db, sql

queries = sql.load(__file__, "access.sql")


def record_access(table: str, row_key: object, **details: Any) -> None:
    """Note that the current member saw `table` row `row_key` (what they saw goes in details)."""
    db.value(
        queries.record_access,
        {"table": table, "row_key": str(row_key), "details": json.dumps(details, default=str)},
    )


def changes_for_privacy_request(tenant_id: UUID, customer_id: UUID, request_id: UUID) -> bool:
    """Tie the rest of this request's changes, in the audit log, to a homeowner's open request
    to correct this customer's data (P-10); False when it is not such a request."""
    params = {"tenant_id": tenant_id, "customer_id": customer_id, "request_id": request_id}
    return db.value(queries.changes_for_privacy_request, params) is not None


def record_list(table: str, ids: Iterable[object], **details: Any) -> None:
    """Note that the current member saw a page of `table`'s rows: one entry naming them all
    (row key `list`, the ids in details), nothing when the page showed none."""
    shown = list(dict.fromkeys(str(row_id) for row_id in ids))
    if shown:
        record_access(table, "list", ids=shown, **details)
