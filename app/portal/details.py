"""My details: the homeowner's names, phone and email, how they like to be reached, and what
they agree to receive: messages about visits and bills, and marketing by text and by email
(the messaging guard, app.message_refusal, holds every message to these). Saved through
`app.portal_update_details`, which changes only these columns of the signed-in customer."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, RadioField

from app import customers, db, phones, sql
from app.forms import choices
from app.portal import bp
from app.portal.identity import portal_required, signed_in
from app.portal.nav import NAV
from app.portal.zone import company_zone
from app.views import show_violation

queries = sql.load(__file__, "details.sql")
NAV.append(("My details", "portal.details"))


class DetailsForm(FlaskForm):
    first_name = customers.text_field("First name", max_length=100)
    last_name = customers.text_field("Last name", max_length=100)
    email = customers.optional_email_field()
    phone = customers.phone_field("Mobile or phone")
    preferred_contact = RadioField(
        "How should we reach you?", choices=choices(customers.PREFERRED_CONTACTS.items())
    )
    transactional_messages = BooleanField("Messages about my visits and bills")
    marketing_by_sms = BooleanField("Offers and reminders by text")
    marketing_by_email = BooleanField("Offers and reminders by email")

    def __init__(self, *args: Any, named_business: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.named_business = named_business

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if not self.named_business and not (self.first_name.data or self.last_name.data):
            self.first_name.errors = [*self.first_name.errors, "Enter your name."]
            valid = False
        way = self.preferred_contact.data
        if way == "email" and not self.email.data:
            self.email.errors = [
                *self.email.errors,
                "Enter an email address to be reached by email.",
            ]
            valid = False
        if way in ("sms", "phone") and not self.phone.data:
            self.phone.errors = [*self.phone.errors, "Enter a phone number to be reached by phone."]
            valid = False
        return valid

    def values(self) -> dict[str, Any]:
        return {
            "first_name": self.first_name.data or "",
            "last_name": self.last_name.data or "",
            "email": self.email.data or "",
            "phone": phones.normalize(self.phone.data or ""),
            "preferred_contact": self.preferred_contact.data,
            "transactional_messages": self.transactional_messages.data,
            "marketing_by_sms": self.marketing_by_sms.data,
            "marketing_by_email": self.marketing_by_email.data,
        }

    def fill(self, found: db.Row) -> None:
        for name in ("first_name", "last_name", "email", "preferred_contact"):
            getattr(self, name).data = found[name]
        self.phone.data = phones.display(found["phone"])
        self.transactional_messages.data = found["transactional_messages"]
        self.marketing_by_sms.data = found["marketing_consent"] and found["marketing_by_sms"]
        self.marketing_by_email.data = found["marketing_consent"] and found["marketing_by_email"]


def _current() -> db.Row:
    me = signed_in()
    found = db.one(queries.get_details, {"tenant_id": me.tenant_id, "customer_id": me.customer_id})
    assert found is not None  # the session's customer exists while the session is open
    return found


def _page(form: DetailsForm, found: db.Row, status: int = 200) -> tuple[str, int]:
    page = render_template("portal/details.html", form=form, found=found, zone=company_zone())
    return page, status


@bp.route("/details", methods=["GET", "POST"])
@portal_required
def details() -> Response | tuple[str, int]:
    found = _current()
    named_business = found["kind"] == "commercial" and bool(found["company_name"])
    form = DetailsForm(named_business=named_business)
    if not form.is_submitted():
        form.fill(found)
        return _page(form, found)
    if not form.validate():
        return _page(form, found, 422)
    try:
        db.write(queries.update_details, form.values())
    except db.ConstraintViolation as refused:
        show_violation(form, refused)
        return _page(form, found, 422)
    flash("Your details are saved.", "success")
    return redirect(url_for("portal.details"), code=303)
