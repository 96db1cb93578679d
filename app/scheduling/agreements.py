"""Service agreements (maintenance plans): tune-ups due in given months, every year. Their jobs
are made ahead of time: here when a plan is added, then by the jobs worker
(jobs/maintenance_jobs.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import company, customers, db, roles, sql
from app.auth import identity
from app.auth.forms import ConfirmForm
from app.scheduling import bp, service
from app.scheduling.forms import MONTHS, AgreementForm
from app.views import saved

queries = sql.load(__file__, "agreements.sql")
Row = dict[str, Any]
View = Response | str | tuple[str, int]

DAYS_AHEAD = 60  # how far ahead tune-up jobs exist, so the office can book them in time
DUE_SOON_DAYS = 30
PAGE_SIZE = 50
LAST_PAGE = 100_000  # keeps OFFSET sane for absurd ?page= values
LISTED_DUE = 200
CANCELED_WITH_PLAN = "Plan canceled"
# How each state of a plan reads ('canceled' is a plan the office ended).
PLAN_STATES = {"active": "Active", "paused": "Paused", "canceled": "Ended"}
# Pause and resume: the state each starts from and leads to, and what the office is told.
STATE_CHANGES = {
    "pause": ("active", "paused", "paused: no tune-ups are made until it is resumed."),
    "resume": ("paused", "active", "resumed: its tune-ups are made again."),
}
AGREEMENT_FORM = "scheduling/agreement_form.html"


def today() -> date:
    """Today in the company's time zone: a plan's months turn there."""
    return datetime.now(company.zone(current_user.tenant_id)).date()


def month_names(months: list[int]) -> str:
    return ", ".join(MONTHS[m] for m in sorted(months))


def place(row: Row) -> str:
    return row["label"] or " ".join(p for p in (row["street"], row["unit"]) if p)


def create_agreement(
    tenant_id: UUID, customer_id: UUID, values: dict[str, Any]
) -> tuple[UUID, int]:
    """Add a plan and make the tune-up jobs already due within the horizon; returns the plan
    and how many jobs were made."""
    with db.atomic():
        rows = db.write(
            queries.create_agreement, {"tenant_id": tenant_id, "customer_id": customer_id, **values}
        )
        if not rows:
            raise db.ConstraintViolation(
                None, "property_id", "Choose one of the customer's properties."
            )
        made = db.write(queries.generate_jobs, {"tenant_id": tenant_id, "days_ahead": DAYS_AHEAD})
    return UUID(str(rows[0]["id"])), int(made[0]["made"])


def update_agreement(tenant_id: UUID, agreement_id: UUID, values: dict[str, Any]) -> int:
    """Save a plan's changes and make the tune-ups its new months call for within the horizon
    (those already made stay); returns how many were made."""
    with db.atomic():
        if not db.write(
            queries.update_agreement, {"tenant_id": tenant_id, "id": agreement_id, **values}
        ):
            raise db.ConstraintViolation(
                None, "property_id", "Choose one of the customer's properties."
            )
        made = db.write(queries.generate_jobs, {"tenant_id": tenant_id, "days_ahead": DAYS_AHEAD})
    return int(made[0]["made"])


def cancel_plan(tenant_id: UUID, agreement_id: UUID) -> int:
    """End a plan; its visits not yet booked are canceled with it. Returns how many."""
    scope = {"tenant_id": tenant_id, "id": agreement_id, "reason": CANCELED_WITH_PLAN}
    with db.atomic():
        if not db.write(queries.cancel_agreement, scope):
            return 0
        return len(db.write(queries.cancel_unscheduled_visits, scope))


def _with_place(rows: list[Row]) -> list[Row]:
    return [{**row, "place": place(row), "month_names": month_names(row["months"])} for row in rows]


# The customer's plans, for the customer page.
FOR_CUSTOMER: customers.PageRead = customers.PageRead(queries.customer_agreements, _with_place)


def due(tenant_id: UUID, on: date) -> tuple[list[Row], list[Row]]:
    """Open tune-ups: overdue (their month is over) and due within the next 30 days."""
    rows = db.query(
        queries.due_jobs,
        {"tenant_id": tenant_id, "until": on + timedelta(days=DUE_SOON_DAYS), "limit": LISTED_DUE},
    )
    this_month = on.replace(day=1)
    return (
        [row for row in rows if row["due_on"] < this_month],
        [row for row in rows if row["due_on"] >= this_month],
    )


# --- pages --------------------------------------------------------------------------------


def _agreement(agreement_id: UUID) -> Row:
    found = db.one(queries.agreement, {"tenant_id": current_user.tenant_id, "id": agreement_id})
    if found is None:
        abort(404)
    return found


@bp.route("/customers/<uuid:customer_id>/agreements/new", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def new_agreement(customer_id: UUID) -> View:
    tenant_id = current_user.tenant_id
    customer = customers.customer(tenant_id, customer_id)
    if customer is None:
        abort(404)
    properties = db.query(
        queries.customer_properties, {"tenant_id": tenant_id, "customer_id": customer_id}
    )
    if not properties:
        flash("Add the property the plan covers first.", "warning")
        return redirect(url_for("properties.new", customer_id=customer_id))
    form = AgreementForm(data=None if request.method == "POST" else {"starts_on": today()})
    form.offer_properties((row["id"], f"{place(row)}, {row['city']}") for row in properties)
    agreement_id, made = saved(
        form,
        AGREEMENT_FORM,
        lambda: create_agreement(tenant_id, customer_id, form.values()),
        customer=customer,
        agreement=None,
    )
    if made:
        flash(
            f"Plan added. {made} tune-up job{'' if made == 1 else 's'} ready to schedule.",
            "success",
        )
    else:
        flash(f"Plan added. Tune-up jobs appear {DAYS_AHEAD} days before they are due.", "success")
    return redirect(url_for("scheduling.agreement", agreement_id=agreement_id))


@bp.get("/agreements/<uuid:agreement_id>")
@identity.company_required(*roles.OFFICE_STAFF)
def agreement(agreement_id: UUID) -> View:
    return _plan_page(_agreement(agreement_id))


def _plan_page(found: Row, status: int = 200, error: str = "") -> tuple[str, int]:
    jobs = db.query(
        queries.agreement_jobs, {"tenant_id": current_user.tenant_id, "id": found["id"]}
    )
    return render_template(
        "scheduling/agreement.html",
        agreement=found,
        place=place(found),
        month_names=month_names(found["months"]),
        jobs=jobs,
        statuses=service.STATUSES,
        plan_states=PLAN_STATES,
        zone=company.zone(current_user.tenant_id),
        days_ahead=DAYS_AHEAD,
        confirm_form=ConfirmForm(),
        error=error,
    ), status


@bp.route("/agreements/<uuid:agreement_id>/edit", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def edit_agreement(agreement_id: UUID) -> View:
    tenant_id = current_user.tenant_id
    found = _agreement(agreement_id)
    if found["status"] == "canceled":
        flash("This plan has ended: it can no longer be changed.", "warning")
        return redirect(url_for("scheduling.agreement", agreement_id=agreement_id))
    properties = db.query(
        queries.customer_properties, {"tenant_id": tenant_id, "customer_id": found["customer_id"]}
    )
    stored = {**found, "property_id": str(found["property_id"])}
    form = AgreementForm(data=None if request.method == "POST" else stored)
    form.offer_properties((row["id"], f"{place(row)}, {row['city']}") for row in properties)
    made = saved(
        form,
        AGREEMENT_FORM,
        lambda: update_agreement(tenant_id, agreement_id, form.values()),
        customer={"id": found["customer_id"], "display_name": found["customer_name"]},
        agreement=found,
    )
    more = f" {made} new tune-up job{'' if made == 1 else 's'} ready to schedule." if made else ""
    flash(f"Plan saved.{more}", "success")
    return redirect(url_for("scheduling.agreement", agreement_id=agreement_id))


@bp.post("/agreements/<uuid:agreement_id>/pause")
@identity.company_required(*roles.OFFICE_STAFF)
def pause_agreement(agreement_id: UUID) -> View:
    return _change_state(agreement_id, "pause")


@bp.post("/agreements/<uuid:agreement_id>/resume")
@identity.company_required(*roles.OFFICE_STAFF)
def resume_agreement(agreement_id: UUID) -> View:
    return _change_state(agreement_id, "resume")


def _change_state(agreement_id: UUID, action: str) -> View:
    """Pause or resume a plan; a plan not in the state the action starts from is refused."""
    found = _agreement(agreement_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    from_status, to_status, told = STATE_CHANGES[action]
    if found["status"] == to_status:  # sent twice, or from two screens: nothing to do
        flash(f"{found['name']} is already {PLAN_STATES[to_status].lower()}.", "warning")
        return redirect(url_for("scheduling.agreement", agreement_id=agreement_id))
    scope = {"tenant_id": current_user.tenant_id, "id": agreement_id}
    if not db.write(
        queries.set_agreement_status, {**scope, "from_status": from_status, "to_status": to_status}
    ):
        state = PLAN_STATES[found["status"]].lower()
        return _plan_page(found, 422, f"{found['name']} is {state}: it cannot be {action}d.")
    flash(f"{found['name']} {told}", "success")
    return redirect(url_for("scheduling.agreement", agreement_id=agreement_id))


@bp.post("/agreements/<uuid:agreement_id>/cancel")
@identity.company_required(*roles.OFFICE_STAFF)
def cancel_agreement(agreement_id: UUID) -> View:
    found = _agreement(agreement_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    canceled = cancel_plan(current_user.tenant_id, agreement_id)
    message = f"{found['name']} ended."
    if canceled:
        message += f" {canceled} visit{'' if canceled == 1 else 's'} not yet booked canceled too."
    flash(message, "success")
    return redirect(url_for("scheduling.agreement", agreement_id=agreement_id))


@bp.get("/agreements")
@identity.company_required(*roles.OFFICE_STAFF)
def agreements() -> View:
    tenant_id = current_user.tenant_id
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), LAST_PAGE)
    on = today()
    overdue, due_soon = due(tenant_id, on)
    total = db.value(queries.count_agreements, {"tenant_id": tenant_id}) or 0
    plans = db.query(
        queries.list_agreements,
        {
            "tenant_id": tenant_id,
            "today": on,
            "limit": PAGE_SIZE,
            "offset": (page - 1) * PAGE_SIZE,
        },
    )
    return render_template(
        "scheduling/agreements.html",
        overdue=overdue,
        due_soon=due_soon,
        plans=[
            {**row, "place": place(row), "month_names": month_names(row["months"])} for row in plans
        ],
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        total=total,
        statuses=service.STATUSES,
        plan_states=PLAN_STATES,
        zone=company.zone(tenant_id),
        due_soon_days=DUE_SOON_DAYS,
    )
