"""The technician's estimate on site, on their phone: a new estimate for their visit's job, its
options and lines (from the price book, at member prices for a plan customer, or by hand), then
shown to the homeowner, who picks an option and signs on the same screen. The estimates feature
does the work (app/estimates, through its `__all__`); the database lets a technician reach only
the estimates of the jobs of their own visits, so anything else is a 404."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import company, estimates, pricebook, roles
from app.audit.access import record_access
from app.auth import identity
from app.auth.forms import ConfirmForm
from app.integrations import files
from app.technician import bp, service
from app.technician.routes import visit_or_404
from app.views import confirmed, found_or_404

View = Response | str | tuple[str, int]
SEARCH_LENGTH = 100


def _today() -> Any:
    return service.local_today(company.zone())


def _estimate(estimate_id: UUID) -> estimates.Estimate:
    found = found_or_404(estimates.get(current_user.tenant_id, estimate_id, _today()))
    record_access("public.estimates", estimate_id, view="technician estimate")
    return found


def _draft(estimate_id: UUID) -> estimates.Estimate:
    found = _estimate(estimate_id)
    if not found.is_draft:
        abort(409)
    return found


def _back(estimate_id: UUID, anchor: str | None = None) -> Response:
    return redirect(url_for("technician.estimate", estimate_id=estimate_id, _anchor=anchor))


@bp.post("/my-day/visits/<uuid:visit_id>/estimates")
@identity.company_required(*roles.TECHNICIANS)
def new_estimate(visit_id: UUID) -> Response:
    """A draft for the visit's job, titled after it, valid for the usual days."""
    found = visit_or_404(visit_id)
    confirmed()
    values = {
        "title": (found["summary"] or "Estimate").strip()[:200],
        "note": "",
        "valid_until": _today() + timedelta(days=estimates.VALID_DAYS),
        "property_id": found["property_id"],
        "job_id": found["job_id"],
    }
    estimate_id = estimates.create_estimate(current_user.tenant_id, values)
    flash("Estimate started: add its lines, and options if you offer a choice.", "success")
    return _back(estimate_id)


def _items(term: str) -> list[Any]:
    """The price book's active items, those whose name holds `term` when one is given."""
    items = pricebook.line_choices(current_user.tenant_id)
    needle = term.casefold()
    return [i for i in items if needle in str(i["name"]).casefold()] if needle else items


def _page(
    estimate: estimates.Estimate, failed: dict[str, Any] | None = None, status: int = 200
) -> tuple[str, int]:
    """The estimate on the phone: its builder while a draft, its document afterwards."""
    failed = failed or {}
    row = estimate.row
    term = (request.args.get("q") or "").strip()[:SEARCH_LENGTH]
    context: dict[str, Any] = {
        "estimate": estimate,
        "e": row,
        "number": estimates.display_number(row),
        "statuses": estimates.STATUSES,
        "confirm": ConfirmForm(),
        "term": term,
        "visit_id": service.visit_of_job(current_user.tenant_id, row["job_id"]),
    }
    if estimate.is_draft:
        context["forms"] = estimates.builder.option_forms(estimate, _items(term), failed)
        context["option_form"] = failed.get("option") or estimates.builder.new_option_form()
    else:
        context |= _document(estimate)
    return render_template("technician/estimate.html", **context), status


def _document(estimate: estimates.Estimate) -> dict[str, Any]:
    letterhead = found_or_404(company.letterhead(current_user.tenant_id))
    return estimates.document_context(
        estimates.from_estimate(estimate, letterhead),
        heading=2,
        approval_note=estimates.approval_note(estimate.row),
    )


@bp.get("/my-day/estimates/<uuid:estimate_id>")
@identity.company_required(*roles.TECHNICIANS)
def estimate(estimate_id: UUID) -> View:
    return _page(_estimate(estimate_id))


@bp.post("/my-day/estimates/<uuid:estimate_id>/options")
@identity.company_required(*roles.TECHNICIANS)
def add_estimate_option(estimate_id: UUID) -> View:
    found = _draft(estimate_id)
    form = estimates.builder.new_option_form()
    option_id = estimates.builder.add_option(current_user.tenant_id, estimate_id, form)
    if option_id is None:
        return _page(found, {"option": form}, 422)
    flash(f"Option “{form.name.data}” added.", "success")
    return _back(estimate_id, f"option-{option_id}")


@bp.post("/my-day/estimate-options/<uuid:option_id>/lines")
@identity.company_required(*roles.TECHNICIANS)
def add_estimate_line(option_id: UUID) -> View:
    option = estimates.builder.draft_option(current_user.tenant_id, option_id)
    form = estimates.builder.line_form(option)
    if estimates.builder.add_line(current_user.tenant_id, option_id, form):
        flash("Line added.", "success")
        return _back(option["estimate_id"], f"option-{option_id}")
    return _page(_estimate(option["estimate_id"]), {f"line-{option_id}": form}, 422)


@bp.post("/my-day/estimate-options/<uuid:option_id>/items")
@identity.company_required(*roles.TECHNICIANS)
def add_estimate_item(option_id: UUID) -> View:
    tenant_id = current_user.tenant_id
    option = estimates.builder.draft_option(tenant_id, option_id)
    found = _estimate(option["estimate_id"])
    form = estimates.builder.item_form(option, pricebook.line_choices(tenant_id))
    if estimates.builder.add_item(tenant_id, option_id, bool(found.row["member"]), form):
        flash("Line added from the price book.", "success")
        return _back(option["estimate_id"], f"option-{option_id}")
    return _page(found, {f"item-{option_id}": form}, 422)


@bp.post("/my-day/estimate-lines/<uuid:line_id>/remove")
@identity.company_required(*roles.TECHNICIANS)
def remove_estimate_line(line_id: UUID) -> Response:
    line = dict(found_or_404(estimates.get_line(current_user.tenant_id, line_id)))
    if line["status"] != "draft":
        abort(409)
    confirmed()
    estimates.remove_line(current_user.tenant_id, line_id)
    flash("Line removed.", "success")
    return _back(line["estimate_id"], f"option-{line['option_id']}")


@bp.post("/my-day/estimates/<uuid:estimate_id>/show")
@identity.company_required(*roles.TECHNICIANS)
def show_estimate(estimate_id: UUID) -> Response:
    """The draft is final (marked sent) and the phone turns to the homeowner's view."""
    found = _estimate(estimate_id)
    confirmed()
    if found.is_draft:
        if not any(option.lines for option in found.options):
            flash("Add at least one line before showing the estimate.", "error")
            return _back(estimate_id)
        estimates.mark_sent(current_user.tenant_id, estimate_id)
    return redirect(url_for("technician.present_estimate", estimate_id=estimate_id))


def _presentation(
    found: estimates.Estimate, form: Any | None = None, status: int = 200
) -> tuple[str, int]:
    """What the homeowner sees on the technician's phone: the document and, while it is open,
    the choice, their name and their signature."""
    context = _document(found)
    d = context["d"]
    if d.open:
        form = form or estimates.SignedApprovalForm()
        form.set_options(d.options)
        if form.option.data is None and d.options:
            form.option.data = d.options[0].id
        context["approve_form"] = form
    context["visit_id"] = service.visit_of_job(current_user.tenant_id, found.row["job_id"])
    return render_template("technician/estimate_present.html", **context), status


@bp.get("/my-day/estimates/<uuid:estimate_id>/present")
@identity.company_required(*roles.TECHNICIANS)
def present_estimate(estimate_id: UUID) -> View:
    found = _estimate(estimate_id)
    if found.is_draft:
        return _back(estimate_id)
    return _presentation(found)


@bp.post("/my-day/estimates/<uuid:estimate_id>/approve")
@identity.company_required(*roles.TECHNICIANS)
def approve_estimate(estimate_id: UUID) -> View:
    found = _estimate(estimate_id)
    form = estimates.SignedApprovalForm()
    form.set_options(_document(found)["d"].options)
    if not form.validate_on_submit():
        return _presentation(found, form, 422)
    try:
        signature = files.decode_signature(form.signature.data or "")
        outcome = estimates.approve_in_person(
            current_user.tenant_id,
            estimate_id,
            UUID(form.option.data or ""),
            form.signed_by.data or "",
            signature,
        )
    except files.FileRefused as refused:
        form.signature.errors = [str(refused)]
        return _presentation(found, form, 422)
    if outcome == "approved":
        flash("Approved: the office will schedule the work.", "success")
    elif outcome == "already":
        flash("This estimate was already approved: nothing was changed.", "info")
    else:
        flash("This estimate is not open for approval (a draft, answered or expired).", "error")
    return redirect(url_for("technician.present_estimate", estimate_id=estimate_id))
