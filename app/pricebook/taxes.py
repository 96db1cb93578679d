"""The tax rates' pages, for office staff: the list (with the combined rate new documents
charge), adding, editing, archiving and restoring a rate. Routes attach to the price book's
blueprint."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import money, roles
from app.auth import identity
from app.auth.forms import ConfirmForm
from app.db import ConstraintViolation
from app.pricebook import bp, service
from app.pricebook.forms import TaxRateForm
from app.views import form_page, saved

View = Response | str | tuple[str, int]
LIST = "pricebook/tax_rates.html"
FORM = "pricebook/tax_rate_form.html"


def _tax_rate(tax_rate_id: UUID) -> dict[str, Any]:
    found = service.get_tax_rate(current_user.tenant_id, tax_rate_id)
    if found is None:
        abort(404)  # another company's id reads as missing, never as forbidden
    return found


def _list_context() -> dict[str, Any]:
    rates = service.tax_rates(current_user.tenant_id)
    charged, combined = service.charged_rates(rates)
    return {"rates": rates, "charged": charged, "combined": combined, "confirm": ConfirmForm()}


@bp.route("/price-book/taxes", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def tax_rates() -> View:
    form = TaxRateForm()
    if request.method == "GET":
        return form_page(LIST, form, **_list_context())
    saved(
        form,
        LIST,
        lambda: service.create_tax_rate(current_user.tenant_id, form.values()),
        **_list_context(),
    )
    flash(f"Tax rate “{form.name.data}” added.", "success")
    return redirect(url_for("pricebook.tax_rates"))


@bp.route("/price-book/taxes/<uuid:tax_rate_id>/edit", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def edit_tax_rate(tax_rate_id: UUID) -> View:
    found = _tax_rate(tax_rate_id)
    if request.method == "GET":
        shown = {**found, "percent": money.format_number(found["percent"])}
        return form_page(FORM, TaxRateForm(data=shown), tax_rate=found)
    form = TaxRateForm()
    saved(
        form,
        FORM,
        lambda: service.update_tax_rate(current_user.tenant_id, tax_rate_id, form.values()),
        tax_rate=found,
    )
    flash("Tax rate saved. Estimates and invoices already made keep their own rates.", "success")
    return redirect(url_for("pricebook.tax_rates"))


def _set_archived(tax_rate_id: UUID, archived: bool) -> Response:
    found = _tax_rate(tax_rate_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        service.set_tax_rate_archived(current_user.tenant_id, found["id"], archived)
    except ConstraintViolation:
        # Only restoring can clash: another active rate has taken the name meanwhile.
        flash(
            f"“{found['name']}” cannot be restored: an active tax rate has that name."
            " Rename one of them first.",
            "error",
        )
        return redirect(url_for("pricebook.tax_rates"))
    flash(
        f"Tax rate “{found['name']}” archived: new estimates and invoices no longer charge it."
        if archived
        else f"Tax rate “{found['name']}” restored"
        + (": new estimates and invoices charge it again." if found["applies"] else "."),
        "success",
    )
    return redirect(url_for("pricebook.tax_rates"))


@bp.post("/price-book/taxes/<uuid:tax_rate_id>/archive")
@identity.company_required(*roles.OFFICE_STAFF)
def archive_tax_rate(tax_rate_id: UUID) -> Response:
    return _set_archived(tax_rate_id, True)


@bp.post("/price-book/taxes/<uuid:tax_rate_id>/restore")
@identity.company_required(*roles.OFFICE_STAFF)
def restore_tax_rate(tax_rate_id: UUID) -> Response:
    return _set_archived(tax_rate_id, False)
