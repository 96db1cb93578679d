"""The New call page: search as you type, pick the caller's property or take a new caller's
details, create everything in one submit, then book a window on the next page."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import company, customers, db, roles, scheduling, vocabulary
from app.audit.access import record_access
from app.auth import identity
from app.calls import bp, service
from app.calls.forms import Parts, SearchForm

View = Response | str | tuple[str, int]

NEW = "calls/new.html"
# Which part of the page a refused constraint belongs to, by its table's prefix.
PARTS = (
    ("customers_", "customer"),
    ("properties_", "property"),
    ("equipment_", "equipment"),
    ("job", "job"),
)


def _term() -> str:
    form = SearchForm(request.args)
    return (form.q.data or "") if form.validate() else ""


def _found(term: str, chosen: str = "", equipment: list[str] | None = None) -> dict[str, Any]:
    """What the matches show: the customers found, or what a miss fills in for a new caller."""
    tenant_id = current_user.tenant_id
    start = service.prefill(term)
    return {
        "matches": service.matches(tenant_id, term),
        "term": term,
        "min_term": service.MIN_TERM,
        "chosen": chosen,
        "chosen_equipment": equipment or [],
        "prefill": {
            f"{part}-{name}": v for part, values in start.items() for name, v in values.items()
        },
        "zone": company.zone(tenant_id),
        "statuses": vocabulary.VISIT_STATUSES,
        "priorities": vocabulary.JOB_PRIORITIES,
    }


@bp.get("/calls/search")
@identity.company_required(*roles.OFFICE_STAFF)
def search() -> View:
    """The matches for what is typed, as a piece of the page (the page's script asks)."""
    return render_template("calls/_matches.html", **_found(_term()))


@bp.route("/calls/new", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def new() -> View:
    if request.method == "GET":
        term = _term()
        parts = Parts(service.prefill(term))
        parts.call.q.data = term
        return _page(parts)
    return _take(Parts())


def _page(parts: Parts, status: int = 200, duplicates: list[Any] | None = None) -> View:
    term = parts.call.q.data or ""
    return render_template(
        NEW,
        search=SearchForm(data={"q": term}),
        parts=parts,
        form=parts.call,
        duplicates=duplicates or [],
        **_found(term, parts.call.choice.data or "", parts.job.equipment_ids.data),
    ), status


def _needed(parts: Parts, property_id: UUID | None, customer_id: UUID | None) -> list[str]:
    """The parts a submit must fill: the job always; a new property's address; a new
    customer's details; equipment when its type is chosen."""
    needed = ["job"]
    if property_id is None:
        needed.append("property")
    if property_id is None and customer_id is None:
        needed.append("customer")
    if parts.with_equipment():
        needed.append("equipment")
    return needed


def _take(parts: Parts) -> View:
    tenant_id = current_user.tenant_id
    call = parts.call
    if not call.validate_on_submit():
        return _page(parts, 422)
    property_id, customer_id = call.property_id(), call.customer_id() or call.used_customer()
    if property_id is not None:
        parts.job.offer_equipment(scheduling.equipment_choices(tenant_id, property_id))
    needed = _needed(parts, property_id, customer_id)
    if not parts.valid(*needed):
        return _page(parts, 422)
    if customer_id is not None and customers.customer(tenant_id, customer_id) is None:
        call.form_errors.append("That customer no longer exists. Search again.")
        return _page(parts, 422)
    values = parts.values(needed)
    if property_id is None and (customer_id is None or call.used_customer()):
        same = service.duplicates(tenant_id, values["customer"], values["place"])
        if customer_id is None and same and not call.confirm_new.data:
            return _page(parts, 200, same)  # nothing saved: shown before saving
        # "Use this customer": their property at the address typed, when they have it.
        mine = next((row for row in same if row["id"] == customer_id), None)
        property_id = mine["same_address_property_id"] if mine else None
    taken = service.Call(
        job=values["job"],
        customer_id=customer_id,
        property_id=property_id,
        customer=values["customer"],
        place=values["place"],
        equipment=values["equipment"],
        equipment_ids=parts.job.chosen_equipment() if call.property_id() else [],
    )
    return _created(parts, taken)


def _created(parts: Parts, taken: service.Call) -> View:
    try:
        visit_id = service.take(current_user.tenant_id, taken)
    except db.ConstraintViolation as violation:
        _show_refusal(parts, violation)
        return _page(parts, 422)
    except scheduling.SchedulingRefused as refusal:
        parts.call.form_errors.append(refusal.message)
        return _page(parts, 422)
    flash("Job created. Choose its window: one click books it.", "success")
    return redirect(url_for("calls.book", visit_id=visit_id))


def _show_refusal(parts: Parts, violation: db.ConstraintViolation) -> None:
    """The database's refusal next to the field it concerns, or above the form."""
    name = violation.constraint or ""
    part = next((part for prefix, part in PARTS if name.startswith(prefix)), None)
    form = parts.forms().get(part or "")
    field = getattr(form, violation.field, None) if form and violation.field else None
    if field is not None:
        field.errors = [*field.errors, violation.message]
    else:
        parts.call.form_errors.append(violation.message)


@bp.route("/calls/visits/<uuid:visit_id>", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def book(visit_id: UUID) -> View:
    """The call's last step: the earliest windows, one click books."""
    tenant_id = current_user.tenant_id
    visit = scheduling.visit(tenant_id, visit_id)
    if visit is None:
        abort(404)  # another company's visit reads as missing
    record_access("public.jobs", visit["job_id"], view="new call booking")
    job_page = url_for("scheduling.job", job_id=visit["job_id"])
    if visit["window_starts_at"] is not None and request.method == "GET":
        flash("This visit is booked already: move it from its job.", "warning")
        return redirect(job_page)
    return scheduling.schedule_page(
        tenant_id, visit, "calls/book.html", "calls.book", job_page, prefix="call"
    )
