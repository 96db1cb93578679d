"""The homeowner's service agreements (maintenance plans) and the next tune-up of each: the
booked visit when there is one, else the month it is due."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import render_template

from app import db, sql
from app.portal import bp
from app.portal.identity import portal_required, signed_in
from app.portal.nav import NAV
from app.portal.visits import when
from app.portal.zone import company_zone

queries = sql.load(__file__, "agreements.sql")
NAV.append(("Maintenance plans", "portal.agreements"))
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
STATUSES = {"active": "Active", "paused": "Paused", "canceled": "Canceled"}


def next_due_month(months: list[int], today: date) -> str:
    """The name of the next month (this one included) in which a tune-up is due."""
    ahead = sorted(months, key=lambda month: (month - today.month) % 12)
    return MONTHS[ahead[0] - 1] if ahead else ""


def _shown(agreement: db.Row, today: date, zone: ZoneInfo) -> dict[str, Any]:
    starts, ends = agreement["next_visit_starts_at"], agreement["next_visit_ends_at"]
    return {
        **agreement,
        "next_when": when(starts, ends, zone) if starts else "",
        "due_month": next_due_month(list(agreement["months"]), today),
        "month_names": [MONTHS[m - 1] for m in sorted(agreement["months"])],
        "label": STATUSES.get(agreement["status"], agreement["status"]),
    }


@bp.get("/agreements")
@portal_required
def agreements() -> str:
    me = signed_in()
    zone = company_zone()
    today = datetime.now(zone).date()
    rows = db.query(
        queries.list_agreements, {"tenant_id": me.tenant_id, "customer_id": me.customer_id}
    )
    return render_template(
        "portal/agreements.html", agreements=[_shown(a, today, zone) for a in rows]
    )
