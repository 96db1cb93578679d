"""A customer's other phones and emails, and their contact people's: added from the customer
page (or the contact's page) and removed one at a time, for office staff."""

from __future__ import annotations

from collections.abc import Callable
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
# What each kind of entry is added with: its form, its write, the page's name for the form.
ADDING: dict[str, tuple[type[OtherPhoneForm | OtherEmailForm], Callable[..., bool], str]] = {
    "number": (OtherPhoneForm, numbers.add_phone, "phone_form"),
    "email": (OtherEmailForm, numbers.add_email, "email_form"),
}


def _back(customer_id: UUID, contact_id: UUID | None) -> Response:
    """To the page the number or address is listed on: its contact's, or the customer's."""
    if contact_id:
        return redirect(url_for("customers.edit_contact", contact_id=contact_id))
    return redirect(url_for("customers.show", customer_id=customer_id, _anchor="numbers"))


def _contact_page(found: dict[str, Any], **refused: Any) -> tuple[str, int]:
    """The contact's page again, with the refused form's errors (422)."""
    form = ContactForm()
    form.fill(found)
    context = contact_context(found, **refused)
    return render_template("customers/contact_form.html", form=form, **context), 422


def _add(what: str, customer_id: UUID, contact: dict[str, Any] | None = None) -> View:
    """Add another number or email of the customer (or of one of their contact people)."""
    form_class, add, form_name = ADDING[what]
    form = form_class()
    contact_id = contact["id"] if contact else None
    added = submitted(
        form, lambda: add(current_user.tenant_id, customer_id, contact_id, form.values())
    )
    if added is None:
        if contact:
            return _contact_page(contact, **{form_name: form})
        return show_page(customer_id, **{form_name: form})
    if not added:
        abort(404)
    flash(f"Added the {what}" + (f" of {contact['full_name']}." if contact else "."), "success")
    return _back(customer_id, contact_id)


def _remove(what: str, found: dict[str, Any] | None, remove: Callable[[Any, Any], None]) -> View:
    if found is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    remove(current_user.tenant_id, found["id"])
    flash(f"Removed the {what}.", "success")
    return _back(found["customer_id"], found["contact_id"])


@bp.post("/customers/<uuid:customer_id>/phones")
@identity.company_required(*roles.OFFICE_STAFF)
def add_phone(customer_id: UUID) -> View:
    return _add("number", customer_id)


@bp.post("/customers/<uuid:customer_id>/emails")
@identity.company_required(*roles.OFFICE_STAFF)
def add_email(customer_id: UUID) -> View:
    return _add("email", customer_id)


@bp.post("/contacts/<uuid:contact_id>/phones")
@identity.company_required(*roles.OFFICE_STAFF)
def add_contact_phone(contact_id: UUID) -> View:
    found = contact_or_404(contact_id)
    return _add("number", found["customer_id"], found)


@bp.post("/contacts/<uuid:contact_id>/emails")
@identity.company_required(*roles.OFFICE_STAFF)
def add_contact_email(contact_id: UUID) -> View:
    found = contact_or_404(contact_id)
    return _add("email", found["customer_id"], found)


@bp.post("/customer-phones/<uuid:phone_id>/remove")
@identity.company_required(*roles.OFFICE_STAFF)
def remove_phone(phone_id: UUID) -> View:
    found = numbers.phone(current_user.tenant_id, phone_id)
    return _remove("number", found, numbers.remove_phone)


@bp.post("/customer-emails/<uuid:email_id>/remove")
@identity.company_required(*roles.OFFICE_STAFF)
def remove_email(email_id: UUID) -> View:
    found = numbers.email(current_user.tenant_id, email_id)
    return _remove("email", found, numbers.remove_email)
