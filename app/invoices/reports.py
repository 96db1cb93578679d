"""What the office is owed, by how late it is: the unpaid invoices in ageing buckets (current,
1-30, 31-60, 61-90, over 90 days past due) with each bucket's balance."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from flask import render_template
from flask_login import current_user

from app import company, db, roles, sql
from app.audit.access import record_list
from app.auth import identity
from app.invoices import bp

queries = sql.load(__file__, "reports.sql")
BUCKETS: dict[str, str] = {
    "current": "Not yet due",
    "1-30": "1\N{EN DASH}30 days late",
    "31-60": "31\N{EN DASH}60 days late",
    "61-90": "61\N{EN DASH}90 days late",
    "over-90": "Over 90 days late",
}


@dataclass
class Bucket:
    key: str
    label: str
    rows: list[db.Row] = field(default_factory=list)

    @property
    def balance(self) -> Decimal:
        return sum((row["balance"] for row in self.rows), Decimal("0"))


def ageing(tenant_id: object) -> list[Bucket]:
    """The unpaid invoices, bucket by bucket, on the company's day."""
    today = datetime.now(company.zone()).date()
    buckets = {key: Bucket(key, label) for key, label in BUCKETS.items()}
    for row in db.query(queries.ageing, {"tenant_id": tenant_id, "today": today}):
        buckets[row["bucket"]].rows.append(row)
    return list(buckets.values())


@bp.get("/invoices/ageing")
@identity.company_required(*roles.OFFICE_STAFF)
def ageing_report() -> str:
    buckets = ageing(current_user.tenant_id)
    shown = [row["id"] for bucket in buckets for row in bucket.rows]
    record_list("public.invoices", shown, view="unpaid invoices by age")
    total = sum((bucket.balance for bucket in buckets), Decimal("0"))
    return render_template("invoices/ageing.html", buckets=buckets, total=total, count=len(shown))
