"""The office's side of privacy requests: the lists, one request, recording and answering."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from app import db, sql
from app.db import Row

queries = sql.load(__file__)


def requests(tenant_id: UUID, answered: bool, page: int) -> sql.Page:
    """One page of the open requests (soonest due first) or the answered ones (latest first)."""
    statement = queries.list_answered if answered else queries.list_open
    rows = db.query(statement, {"tenant_id": tenant_id, **sql.paging(page)})
    return sql.page_of(rows, page)


def open_count(tenant_id: UUID) -> int:
    return int(db.value(queries.open_count, {"tenant_id": tenant_id}) or 0)


def request(tenant_id: UUID, request_id: UUID) -> Row | None:
    return db.one(queries.get_request, {"tenant_id": tenant_id, "id": request_id})


def record(tenant_id: UUID, customer_id: UUID, kind: str, details: str, source: str) -> UUID | None:
    """Record a request the office took; None when the customer is not the company's."""
    rows = db.write(
        queries.record_request,
        {
            "tenant_id": tenant_id,
            "customer_id": customer_id,
            "kind": kind,
            "details": details,
            "source": source,
        },
    )
    return UUID(str(rows[0]["id"])) if rows else None


def answer(tenant_id: UUID, request_id: UUID, status: str, text: str) -> bool:
    """Answer an open request; False when it was answered already."""
    params = {"tenant_id": tenant_id, "id": request_id, "status": status, "answer": text}
    return bool(db.write(queries.answer, params))


def is_overdue(row: Row, today: date) -> bool:
    return row["status"] == "open" and row["due_on"] < today
