"""The office's privacy requests: open ones by due date (overdue marked), answered ones, a
request's page with the answer form, and recording one taken by phone or email. Office staff
only; another company's request or customer is a 404."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import company, customers, db, roles, views
from app.audit.access import record_access, record_list
from app.auth import identity
from app.privacy_requests import bp, service
from app.privacy_requests.forms import AnswerForm, RecordForm
from app.privacy_requests.vocabulary import KINDS, SOURCES, STATUSES

View = Response | str | tuple[str, int]
WORDS = {"kinds": KINDS, "sources": SOURCES, "statuses": STATUSES}


def _today() -> Any:
    return datetime.now(company.zone(current_user.tenant_id)).date()


@bp.get("/privacy-requests")
@identity.company_required(*roles.OFFICE_STAFF)
def index() -> View:
    answered = request.args.get("show") == "answered"
    page = service.requests(current_user.tenant_id, answered, views.page_number() or 1)
    record_list("public.privacy_requests", (r["id"] for r in page.rows))
    return render_template(
        "privacy_requests/list.html",
        page=page,
        answered=answered,
        today=_today(),
        zone=company.zone(current_user.tenant_id),
        **WORDS,
    )


def _found(privacy_request_id: UUID) -> db.Row:
    return views.found_or_404(service.request(current_user.tenant_id, privacy_request_id))


def _show(found: db.Row, form: AnswerForm | None = None, status: int = 200) -> View:
    return render_template(
        "privacy_requests/show.html",
        r=found,
        form=form or AnswerForm(formdata=None),
        overdue=service.is_overdue(found, _today()),
        zone=company.zone(current_user.tenant_id),
        **WORDS,
    ), status


@bp.get("/privacy-requests/<uuid:privacy_request_id>")
@identity.company_required(*roles.OFFICE_STAFF)
def show(privacy_request_id: UUID) -> View:
    found = _found(privacy_request_id)
    record_access("public.privacy_requests", privacy_request_id)
    return _show(found)


@bp.post("/privacy-requests/<uuid:privacy_request_id>/answer")
@identity.company_required(*roles.OFFICE_STAFF)
def answer(privacy_request_id: UUID) -> View:
    found = _found(privacy_request_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _show(found, form, 422)
    try:
        done = service.answer(
            current_user.tenant_id,
            privacy_request_id,
            form.outcome.data or "",
            form.answer.data or "",
        )
    except db.ConstraintViolation as refused:
        form.form_errors.append(refused.message)
        return _show(found, form, 422)
    if not done:
        form.form_errors.append("This request has been answered already.")
        return _show(found, form, 409)
    flash("Answer recorded.", "success")
    return redirect(url_for("privacy_requests.show", privacy_request_id=privacy_request_id))


def _customer_or_404() -> db.Row | None:
    """The customer the request is recorded for (`?customer_id=`): None when not chosen yet,
    a 404 when it is not one of the company's."""
    customer_id = views.uuid_arg("customer_id")
    if customer_id is None:
        return None
    return views.found_or_404(customers.customer(current_user.tenant_id, customer_id))


def _new_page(form: RecordForm, status: int = 200) -> View:
    tenant_id = current_user.tenant_id
    term = (request.args.get("q") or "").strip()[:200]
    return render_template(
        "privacy_requests/new.html",
        form=form,
        term=term,
        found=customers.search_customers(tenant_id, term, "name", None)[0] if term else [],
        customer=_customer_or_404(),
    ), status


@bp.get("/privacy-requests/new")
@identity.company_required(*roles.OFFICE_STAFF)
def new() -> View:
    return _new_page(RecordForm(formdata=None))


@bp.post("/privacy-requests/new")
@identity.company_required(*roles.OFFICE_STAFF)
def record() -> View:
    customer = views.found_or_404(_customer_or_404())
    form = RecordForm()
    if not form.validate_on_submit():
        return _new_page(form, 422)
    try:
        made = service.record(
            current_user.tenant_id,
            customer["id"],
            form.kind.data or "",
            form.details.data or "",
            form.source.data or "",
        )
    except db.ConstraintViolation as refused:
        form.form_errors.append(refused.message)
        return _new_page(form, 422)
    if made is None:
        abort(404)
    flash("Request recorded. It is due in 30 days.", "success")
    return redirect(url_for("privacy_requests.show", privacy_request_id=made))
