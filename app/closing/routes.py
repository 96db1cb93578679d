"""Closing the company and reopening it: owners only (the database checks it too)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from werkzeug.wrappers import Response

from app import company, roles
from app.auth import identity
from app.closing import bp, service
from app.closing.forms import CloseForm
from app.views import confirmed, form_page

View = Response | str | tuple[str, int]
TEMPLATE = "closing/close.html"


def _company() -> company.Company:
    found = company.current()
    if found is None:
        abort(404)
    return found


@bp.route("/company/close", methods=["GET", "POST"])
@identity.company_required(*roles.OWNERS)
def close() -> View:
    found = _company()
    form = CloseForm(found.name)
    if not found.is_open:
        return form_page(TEMPLATE, form, company=found)
    if not form.validate_on_submit():
        return form_page(TEMPLATE, form, company=found)
    try:
        service.close(form.company_name.data or "")
    except service.Refused as refused:
        form.company_name.errors = [refused.message]
        return form_page(TEMPLATE, form, company=found)
    flash(
        f"{found.name} is closed: it is read-only from now on. You can export its data and"
        " reopen it for 30 days. Every owner was emailed the dates.",
        "warning",
    )
    return redirect(url_for("tenancy.company_settings"), code=303)


@bp.post("/company/reopen")
@identity.company_required(*roles.OWNERS)
def reopen() -> View:
    found = _company()
    confirmed()
    try:
        service.reopen()
    except service.Refused as refused:
        abort(409, refused.message)
    flash(f"{found.name} is open again: your team can work in it as before.", "success")
    return redirect(url_for("tenancy.company_settings"), code=303)
