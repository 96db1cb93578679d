"""A customer's other phones and emails, and their contact people's: added from the customer
page (or the contact's page) and removed one at a time, for office staff."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import roles
from app.auth import identity
from app.auth.forms import ConfirmForm
from app.customers import bp, numbers
from app.customers.forms import ContactForm, OtherEmailForm, OtherPhoneForm
from app.customers.routes import contact_context, contact_or_404, show_page
from app.views import submitted

View = Response | str | tuple[str, int]


def _back(row: dict[str, Any]) -> Response:
    """To the page the number or address is listed on: its contact's, or the customer's."""
    if row["contact_id"]:
        return redirect(url_for("customers.edit_contact", contact_id=row["contact_id"]))
    return redirect(url_for("customers.show", customer_id=row["customer_id"], _anchor="numbers"))


@bp.post("/customers/<uuid:customer_id>/phones")
@identity.company_required(*roles.OFFICE_STAFF)
def add_phone(customer_id: UUID) -> View:
    form = OtherPhoneForm()
    added = submitted(
        form, lambda: numbers.add_phone(current_user.tenant_id, customer_id, None, form.values())
    )
    if added is None:
        return show_page(customer_id, phone_form=form)
    if not added:
        abort(404)
    flash("Number added.", "success")
    return _back({"contact_id": None, "customer_id": customer_id})


@bp.post("/customers/<uuid:customer_id>/emails")
@identity.company_required(*roles.OFFICE_STAFF)
def add_email(customer_id: UUID) -> View:
    form = OtherEmailForm()
    added = submitted(
        form, lambda: numbers.add_email(current_user.tenant_id, customer_id, None, form.values())
    )
    if added is None:
        return show_page(customer_id, email_form=form)
    if not added:
        abort(404)
    flash("Email added.", "success")
    return _back({"contact_id": None, "customer_id": customer_id})


def _contact_page(found: dict[str, Any], **refused: Any) -> tuple[str, int]:
    form = ContactForm()
    form.fill(found)
    context = contact_context(found, **refused)
    return render_template("customers/contact_form.html", form=form, **context), 422


@bp.post("/contacts/<uuid:contact_id>/phones")
@identity.company_required(*roles.OFFICE_STAFF)
def add_contact_phone(contact_id: UUID) -> View:
    found = contact_or_404(contact_id)
    form = OtherPhoneForm()
    added = submitted(
        form,
        lambda: numbers.add_phone(
            current_user.tenant_id, found["customer_id"], contact_id, form.values()
        ),
    )
    if added is None:
        return _contact_page(found, phone_form=form)
    flash(f"Number added for {found['full_name']}.", "success")
    return _back({"contact_id": contact_id, "customer_id": found["customer_id"]})


@bp.post("/contacts/<uuid:contact_id>/emails")
@identity.company_required(*roles.OFFICE_STAFF)
def add_contact_email(contact_id: UUID) -> View:
    found = contact_or_404(contact_id)
    form = OtherEmailForm()
    added = submitted(
        form,
        lambda: numbers.add_email(
            current_user.tenant_id, found["customer_id"], contact_id, form.values()
        ),
    )
    if added is None:
        return _contact_page(found, email_form=form)
    flash(f"Email added for {found['full_name']}.", "success")
    return _back({"contact_id": contact_id, "customer_id": found["customer_id"]})


@bp.post("/customer-phones/<uuid:phone_id>/remove")
@identity.company_required(*roles.OFFICE_STAFF)
def remove_phone(phone_id: UUID) -> View:
    found = numbers.phone(current_user.tenant_id, phone_id)
    if found is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    numbers.remove_phone(current_user.tenant_id, phone_id)
    flash("Number removed.", "success")
    return _back(found)


@bp.post("/customer-emails/<uuid:email_id>/remove")
@identity.company_required(*roles.OFFICE_STAFF)
def remove_email(email_id: UUID) -> View:
    found = numbers.email(current_user.tenant_id, email_id)
    if found is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    numbers.remove_email(current_user.tenant_id, email_id)
    flash("Email removed.", "success")
    return _back(found)
