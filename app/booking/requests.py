"""Booking requests: what homeowners booked online while the company confirms online bookings
first. The office confirms the requested window (the visit is then scheduled on a free
technician and appears on the dispatch board, and the homeowner gets the booking confirmation)
or declines it (the visit is canceled)."""

from __future__ import annotations

from uuid import UUID

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import db, roles, sql, vocabulary
from app.auth import identity
from app.booking import bp
from app.views import confirmed, found_or_404

queries = sql.load(__file__, "requests.sql")
DECLINED = "Declined from the booking requests."


def awaiting_count() -> int:
    """How many requests wait (the menu's count); 0 on a page that acts with a link's or a
    webhook's narrow role rather than as the member."""
    if g.get("db_claims", {}).get("role") != "authenticated":
        return 0
    return int(db.value(queries.awaiting_count, {"tenant_id": current_user.tenant_id}) or 0)


@bp.get("/booking-requests")
@identity.company_required(*roles.OFFICE_STAFF)
def requests_list() -> str:
    rows = db.query(queries.awaiting, {"tenant_id": current_user.tenant_id})
    return render_template("booking/requests.html", requests=rows, kinds=vocabulary.JOB_KINDS)


def _awaiting(booking_id: UUID) -> None:
    found_or_404(
        db.one(queries.is_awaiting, {"tenant_id": current_user.tenant_id, "id": booking_id})
    )


@bp.post("/booking-requests/<uuid:booking_id>/confirm")
@identity.company_required(*roles.OFFICE_STAFF)
def confirm_request(booking_id: UUID) -> Response | tuple[str, int]:
    confirmed()
    _awaiting(booking_id)
    try:
        db.write(queries.confirm, {"id": booking_id})
    except db.ConstraintViolation:
        flash(
            "No technician is free at the requested time any more: open the job to book"
            " another time.",
            "error",
        )
        return redirect(url_for("booking.requests_list"))
    flash("Booked: the visit is on the board and the homeowner gets the confirmation.", "success")
    return redirect(url_for("booking.requests_list"))


@bp.post("/booking-requests/<uuid:booking_id>/decline")
@identity.company_required(*roles.OFFICE_STAFF)
def decline_request(booking_id: UUID) -> Response:
    confirmed()
    _awaiting(booking_id)
    reason = (request.form.get("reason") or "").strip()[:500] or DECLINED
    db.write(queries.decline, {"id": booking_id, "reason": reason})
    flash("Declined: the visit is canceled.", "success")
    return redirect(url_for("booking.requests_list"))
