"""What the office is owed, by how late it is: how many unpaid invoices are in each ageing
bucket (current, 1-30, 31-60, 61-90, over 90 days past due) and what they owe, then the unpaid
invoices themselves, a page at a time, most overdue first, all of them or one bucket's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import render_template, request
from flask_login import current_user

from app import company, db, roles, sql
from app.audit.access import record_list
from app.auth import identity
from app.invoices import bp
from app.views import page_number

queries = sql.load(__file__, "reports.sql")
View = str | tuple[str, int]
BUCKETS: dict[str, str] = {
    "current": "Not yet due",
    "1-30": "1\N{EN DASH}30 days late",
    "31-60": "31\N{EN DASH}60 days late",
    "61-90": "61\N{EN DASH}90 days late",
    "over-90": "Over 90 days late",
}


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    invoices: int
    balance: Decimal


def ageing(tenant_id: object, today: date) -> list[Bucket]:
    """Each bucket's unpaid invoices and what they owe, on the company's day `today`."""
    found = {
        row["bucket"]: row
        for row in db.query(queries.ageing_buckets, {"tenant_id": tenant_id, "today": today})
    }
    return [
        Bucket(key, label, found[key]["invoices"], found[key]["balance"])
        if key in found
        else Bucket(key, label, 0, Decimal("0"))
        for key, label in BUCKETS.items()
    ]


# Each bucket's due dates as days before today: due after the first, up to the second.
DUE_DAYS: dict[str | None, tuple[int | None, int | None]] = {
    None: (None, None),
    "current": (1, None),
    "1-30": (31, 1),
    "31-60": (61, 31),
    "61-90": (91, 61),
    "over-90": (None, 91),
}


def _days_before(today: date, days: int | None) -> date | None:
    return None if days is None else today - timedelta(days=days)


def unpaid_page(tenant_id: object, today: date, bucket: str | None, number: int) -> sql.Page:
    """One page of the unpaid invoices in a bucket (or all of them), most overdue first."""
    after, by = (_days_before(today, days) for days in DUE_DAYS[bucket])
    params = {"tenant_id": tenant_id, "today": today, "due_after": after, "due_by": by}
    return sql.page_of(db.query(queries.ageing_page, params | sql.paging(number)), number)


@bp.get("/invoices/ageing")
@identity.company_required(*roles.OFFICE_STAFF)
def ageing_report() -> View:
    today = datetime.now(company.zone()).date()
    buckets = ageing(current_user.tenant_id, today)
    bucket = request.args.get("bucket") or None
    number = page_number()
    context: dict[str, Any] = {
        "buckets": buckets,
        "bucket": bucket,
        "labels": BUCKETS,
        "total": sum((b.balance for b in buckets), Decimal("0")),
        "count": sum(b.invoices for b in buckets),
        "page": None,
        "error": None,
    }
    if bucket not in (None, *BUCKETS) or number is None:
        context["error"] = "That page of unpaid invoices does not exist."
        return render_template("invoices/ageing.html", **context), 422
    page = unpaid_page(current_user.tenant_id, today, bucket, number)
    record_list("public.invoices", (row["id"] for row in page.rows), view="unpaid invoices by age")
    context["page"] = page
    return render_template("invoices/ageing.html", **context)
