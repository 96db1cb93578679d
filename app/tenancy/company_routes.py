"""The company's settings page, for owners and admins: its name, time zone and currency, and
what its estimates and invoices print about it (licence number, address, phone, logo)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import documents, money, roles
from app.auth import identity
from app.auth.forms import ConfirmForm
from app.integrations import files
from app.tenancy import bp, service
from app.tenancy.forms import CompanyForm, LogoForm, company_form_data
from app.views import form_page, saved

View = Response | str | tuple[str, int]
TEMPLATE = "tenancy/company.html"


def _company() -> dict[str, Any]:
    found = service.company_settings(current_user.tenant_id)
    if found is None:
        abort(404)
    return dict(found)


def _context(found: dict[str, Any], logo_form: LogoForm | None = None) -> dict[str, Any]:
    """What the page shows besides the details' form: the logo and its forms."""
    return {
        "company": found,
        "logo_src": documents.image_url(found["logo_key"]),
        "logo_form": logo_form or LogoForm(formdata=None),
        "confirm": ConfirmForm(),
    }


@bp.route("/company", methods=["GET", "POST"])
@identity.company_required(*roles.MANAGERS)
def company_settings() -> View:
    found = _company()
    form = CompanyForm(data=company_form_data(found)) if request.method == "GET" else CompanyForm()
    form.offer(found)
    if request.method == "GET":
        return form_page(TEMPLATE, form, **_context(found))
    saved(
        form,
        TEMPLATE,
        lambda: service.update_company(current_user.tenant_id, form.values()),
        **_context(found),
    )
    currency = form.currency.data or ""
    if currency != found["currency"]:
        flash(
            f"Saved: prices are now in {money.CURRENCIES.get(currency, currency)} ({currency})."
            " Amounts in the price book were not converted, and estimates and invoices already"
            " made keep their own currency.",
            "warning",
        )
    else:
        flash("Company details saved.", "success")
    # The company core read the old values for this request; the next one reads the new.
    return redirect(url_for("tenancy.company_settings"), code=303)


@bp.post("/company/logo")
@identity.company_required(*roles.MANAGERS)
def upload_logo() -> View:
    found = _company()
    form = LogoForm()
    if form.validate_on_submit():
        try:
            data = form.logo.data.read(files.MAX_LOGO_BYTES + 1)
            changed = service.set_logo(current_user.tenant_id, data)
        except files.FileRefused as refused:
            form.logo.errors = [refused.message]
        else:
            if not changed:
                abort(404)
            flash("Logo saved: your estimates and invoices show it from now on.", "success")
            return redirect(url_for("tenancy.company_settings", _anchor="logo"), code=303)
    details = CompanyForm(data=company_form_data(found))
    details.offer(found)
    page = render_template(TEMPLATE, form=details, **_context(found, form))
    return page, 422


@bp.post("/company/logo/remove")
@identity.company_required(*roles.MANAGERS)
def remove_logo() -> Response:
    _company()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not service.set_logo(current_user.tenant_id, None):
        abort(404)
    flash("Logo removed: your documents show your company's name only.", "success")
    return redirect(url_for("tenancy.company_settings", _anchor="logo"), code=303)
