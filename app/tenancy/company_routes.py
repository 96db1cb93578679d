"""The company's settings page, for owners and admins: its name, time zone and currency, and
what its estimates and invoices print about it (licence number, address, phone)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import money, roles
from app.auth import identity
from app.tenancy import bp, service
from app.tenancy.forms import CompanyForm, company_form_data
from app.views import form_page, saved

View = Response | str | tuple[str, int]
TEMPLATE = "tenancy/company.html"


@bp.route("/company", methods=["GET", "POST"])
@identity.company_required(*roles.MANAGERS)
def company_settings() -> View:
    found = service.company_settings(current_user.tenant_id)
    if found is None:
        abort(404)
    form = CompanyForm(data=company_form_data(found)) if request.method == "GET" else CompanyForm()
    form.offer(found)
    if request.method == "GET":
        return form_page(TEMPLATE, form, company=found)
    saved(
        form,
        TEMPLATE,
        lambda: service.update_company(current_user.tenant_id, form.values()),
        company=found,
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
