"""Searching a company's audit log: filters become SQL conditions, pages are keyset pages
(newest first by time and id), so page 1,000 costs what page 1 costs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import sql

from app import db

PAGE_SIZE = 50
# The viewer's statements are planned for each company (prepare=False): a prepared statement's
# generic plan is costed for an average company, and for one with a million entries it can pick
# a bitmap scan and sort instead of walking an index in order (measured in bench/audit.py:
# 1 ms planned per call, up to 290 ms generic). Planning costs about 0.3 ms.
OPERATIONS = {
    "insert": "Added",
    "update": "Changed",
    "delete": "Removed",
    "access": "Viewed",
    "erasure": "Erased",
}

# A homeowner's personal values are stored sealed under their key; audit.readable_values opens
# them for the company's owners and admins, and marks them {"erased": true} once the key is gone.
_COLUMNS = sql.SQL(
    "select c.id, c.changed_at, c.table_name, c.row_key, c.operation,"
    " audit.readable_values(c.old_values) as old_values,"
    " audit.readable_values(c.new_values) as new_values,"
    " c.actor_id, c.actor_label, c.request_id, m.full_name as actor_name"
    " from audit.changes c"
    " left join public.memberships m on m.tenant_id = c.tenant_id and m.account_id = c.actor_id"
)


@dataclass(frozen=True)
class Filters:
    starts: datetime | None = None
    ends: datetime | None = None
    actor_id: UUID | None = None
    table_name: str | None = None
    operation: str | None = None


@dataclass(frozen=True)
class Cursor:
    """The last entry of the page before: the next page starts after it."""

    changed_at: datetime
    id: int

    def token(self) -> str:
        return f"{self.changed_at.isoformat()}_{self.id}"

    @classmethod
    def parse(cls, token: str | None) -> Cursor | None:
        if not token:
            return None
        at, _, entry = token.rpartition("_")
        try:
            return cls(datetime.fromisoformat(at), int(entry))
        except ValueError:
            return None


def _conditions(tenant_id: UUID, filters: Filters) -> tuple[list[sql.Composable], dict[str, Any]]:
    conditions: list[sql.Composable] = [sql.SQL("c.tenant_id = %(tenant_id)s")]
    params: dict[str, Any] = {"tenant_id": tenant_id}
    for value, condition, name in (
        (filters.starts, "c.changed_at >= %(starts)s", "starts"),
        (filters.ends, "c.changed_at < %(ends)s", "ends"),
        (filters.actor_id, "c.actor_id = %(actor_id)s", "actor_id"),
        (filters.table_name, "c.table_name = %(table_name)s", "table_name"),
        (filters.operation, "c.operation = %(operation)s", "operation"),
    ):
        if value is not None:
            conditions.append(sql.SQL(condition))
            params[name] = value
    return conditions, params


def search_statement(
    tenant_id: UUID, filters: Filters, after: Cursor | None
) -> tuple[sql.Composed, dict[str, Any]]:
    """The statement for one page (also used by the benchmark to show its plan)."""
    conditions, params = _conditions(tenant_id, filters)
    if after is not None:
        conditions.append(sql.SQL("(c.changed_at, c.id) < (%(after_at)s, %(after_id)s)"))
        params.update(after_at=after.changed_at, after_id=after.id)
    statement = sql.SQL("{} where {} order by c.changed_at desc, c.id desc limit {}").format(
        _COLUMNS, sql.SQL(" and ").join(conditions), sql.Literal(PAGE_SIZE + 1)
    )
    return statement, params


def search(
    tenant_id: UUID, filters: Filters, after: Cursor | None
) -> tuple[list[dict[str, Any]], Cursor | None]:
    """One page of entries, newest first, and the cursor of the next page (None at the end)."""
    statement, params = search_statement(tenant_id, filters, after)
    rows = db.connection().execute(statement, params, prepare=False).fetchall()
    page = rows[:PAGE_SIZE]
    more = len(rows) > PAGE_SIZE
    return page, Cursor(page[-1]["changed_at"], page[-1]["id"]) if more and page else None


def record_history_statement(
    tenant_id: UUID, table_name: str, row_key: str
) -> tuple[sql.Composed, dict[str, Any]]:
    """The statement for one record's history (also used by the benchmark to show its plan)."""
    statement = sql.SQL(
        "{} where c.tenant_id = %(tenant_id)s and c.table_name = %(table_name)s"
        " and c.row_key = %(row_key)s order by c.id limit 1000"
    ).format(_COLUMNS)
    return statement, {"tenant_id": tenant_id, "table_name": table_name, "row_key": row_key}


def record_history(tenant_id: UUID, table_name: str, row_key: str) -> list[dict[str, Any]]:
    """Every entry of one record, oldest first."""
    statement, params = record_history_statement(tenant_id, table_name, row_key)
    return db.connection().execute(statement, params, prepare=False).fetchall()
