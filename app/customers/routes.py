"""Customer list and search, customer records, contacts and notes, for office staff."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response

from app import company, db, phones, roles, views
from app.audit.access import changes_for_privacy_request, record_list
from app.auth import identity
from app.auth.forms import ConfirmForm
from app.customers import bp, numbers, search, service
from app.customers.forms import (
    EMAIL_KINDS,
    KINDS,
    PHONE_KINDS,
    PREFERRED_CONTACTS,
    SOURCE_SYSTEMS,
    ContactForm,
    CustomerForm,
    LegalHoldForm,
    NoteForm,
    OtherEmailForm,
    OtherPhoneForm,
    SearchForm,
)
from app.views import form_page, saved, show_violation

View = Response | str | tuple[str, int]


@bp.app_template_filter("phone")
def phone(e164: str) -> str:
    """`+13125550123` → `(312) 555-0123` in templates."""
    return phones.display(e164)


@bp.app_template_filter("address")
def address(place: dict[str, Any]) -> str:
    """`12 Elm St, Apt 2, Springfield, IL 62701`: a filter, not a macro, because a list page
    shows 50 of them and a macro call costs Jinja ~15 µs each."""
    text = place["street"]
    if place["unit"]:
        text += f", {place['unit']}"
    text += f", {place['city']}"
    if place["region"]:
        text += f", {place['region']}"
    if place["postal_code"]:
        text += f" {place['postal_code']}"
    return str(text)


RESTRICTED_BADGE = Markup(
    '<span class="badge badge-danger" title="Keep the record, but do not otherwise use it">'
    "Processing restricted</span>"
)
DO_NOT_CONTACT_BADGE = Markup('<span class="badge badge-warn">Do not contact</span>')
DO_NOT_SERVICE_BADGE = Markup(
    '<span class="badge badge-danger" title="The company does not take work from them">'
    "Do not service</span>"
)


@bp.app_template_filter("flags")
def flags(c: dict[str, Any], restricted: bool = True) -> Markup:
    """The customer's badges (restricted processing, do not service, do not contact): a filter,
    not a macro, for the same reason as `address`."""
    shown = [RESTRICTED_BADGE] if restricted and c["restrict_processing"] else []
    if c["do_not_service"]:
        shown.append(DO_NOT_SERVICE_BADGE)
    if c["do_not_contact"]:
        shown.append(DO_NOT_CONTACT_BADGE)
    return Markup(" ").join(shown)


def _customer_or_404(customer_id: UUID) -> dict[str, Any]:
    found = service.customer(current_user.tenant_id, customer_id)
    if found is None:
        abort(404)
    return found


@bp.get("/customers")
@identity.company_required(*roles.OFFICE_STAFF)
def index() -> View:
    form = SearchForm(request.args)
    context = {"form": form, "customers": [], "next_cursor": None, "after": None, "term": ""}
    if not form.validate():
        return render_template("customers/list.html", **context), 422
    sort = form.sort.data or "name"
    after = search.Cursor.parse(request.args.get("after"), sort)
    term = form.q.data or ""
    customers, next_cursor = search.search(current_user.tenant_id, term, sort, after)
    record_list("public.customers", (c["id"] for c in customers), view="customer list")
    context.update(customers=customers, next_cursor=next_cursor, after=after, term=term)
    return render_template("customers/list.html", **context), 200


@bp.route("/customers/new", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def new() -> View:
    form = CustomerForm()
    customer_id = saved(
        form,
        "customers/form.html",
        lambda: service.create_customer(current_user.tenant_id, form.values()),
        customer=None,
    )
    flash("Customer added.", "success")
    return redirect(url_for("customers.show", customer_id=customer_id))


def show_page(customer_id: UUID, **refused: FlaskForm) -> tuple[str, int]:
    """The customer page; with a form that was refused (`note_form`, `phone_form`,
    `email_form`), shown again with its errors (422)."""
    page = service.customer_page(current_user.tenant_id, customer_id)
    if page is None:
        abort(404)
    forms = {
        "note_form": NoteForm(),
        "phone_form": OtherPhoneForm(),
        "email_form": OtherEmailForm(),
        **refused,
    }
    return render_template(
        "customers/show.html",
        **page,
        **forms,
        own=numbers.of_contact,
        zone=company.zone(current_user.tenant_id),
        kinds=KINDS,
        preferred_contacts=PREFERRED_CONTACTS,
        phone_kinds=PHONE_KINDS,
        email_kinds=EMAIL_KINDS,
        source_systems=SOURCE_SYSTEMS,
    ), (422 if refused else 200)


@bp.get("/customers/<uuid:customer_id>")
@identity.company_required(*roles.OFFICE_STAFF)
def show(customer_id: UUID) -> View:
    return show_page(customer_id)


@bp.route("/customers/<uuid:customer_id>/edit", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def edit(customer_id: UUID) -> View:
    found = _customer_or_404(customer_id)
    for_request = views.uuid_arg("privacy_request")
    form = CustomerForm()
    if not form.is_submitted():
        form.fill(found)

    def save() -> bool:
        # A homeowner's correction request: the log names it beside each change (P-10).
        if for_request and not changes_for_privacy_request(
            current_user.tenant_id, customer_id, for_request
        ):
            abort(404)
        return service.update_customer(current_user.tenant_id, customer_id, form.values())

    saved(form, "customers/form.html", save, customer=found, for_request=for_request)
    flash("Changes saved.", "success")
    if for_request:
        return redirect(url_for("privacy_requests.show", privacy_request_id=for_request))
    return redirect(url_for("customers.show", customer_id=customer_id))


def _held(template: str, form: ConfirmForm, found: db.Row, refused: db.ConstraintViolation) -> View:
    """A delete or erasure the database refused (a legal hold): the page again, with why."""
    form.form_errors.append(refused.message)
    if found.get("legal_hold"):
        form.form_errors.append(f"The hold: {found['legal_hold']}")
    return render_template(template, form=form, customer=found), 409


@bp.route("/customers/<uuid:customer_id>/legal-hold", methods=["GET", "POST"])
@identity.company_required(*roles.MANAGERS)
def legal_hold(customer_id: UUID) -> View:
    found = _customer_or_404(customer_id)
    form = LegalHoldForm(data={"reason": found["legal_hold"]})
    saved(
        form,
        "customers/legal_hold.html",
        lambda: service.set_legal_hold(current_user.tenant_id, customer_id, form.reason.data or ""),
        customer=found,
    )
    flash("Legal hold set." if form.reason.data else "No legal hold.", "success")
    return redirect(url_for("customers.show", customer_id=customer_id))


@bp.route("/customers/<uuid:customer_id>/delete", methods=["GET", "POST"])
@identity.company_required(*roles.MANAGERS)
def delete(customer_id: UUID) -> View:
    found = _customer_or_404(customer_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return form_page("customers/delete.html", form, customer=found)
    try:
        service.delete_customer(current_user.tenant_id, customer_id)
    except db.ConstraintViolation as refused:
        return _held("customers/delete.html", form, found, refused)
    flash(f"{found['display_name']} was deleted.", "success")
    return redirect(url_for("customers.index"))


@bp.route("/customers/<uuid:customer_id>/erase", methods=["GET", "POST"])
@identity.company_required(*roles.MANAGERS)
def erase(customer_id: UUID) -> View:
    found = _customer_or_404(customer_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return form_page("customers/erase.html", form, customer=found)
    try:
        if not service.erase_customer(customer_id):
            abort(404)
    except db.ConstraintViolation as refused:
        return _held("customers/erase.html", form, found, refused)
    flash("The customer was erased.", "success")
    return redirect(url_for("customers.index"))


@bp.post("/customers/<uuid:customer_id>/notes")
@identity.company_required(*roles.OFFICE_STAFF)
def add_note(customer_id: UUID) -> View:
    _customer_or_404(customer_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return show_page(customer_id, note_form=form)
    try:
        service.add_note(current_user.tenant_id, customer_id, form.body.data or "")
    except db.ConstraintViolation as violation:
        show_violation(form, violation)
        return show_page(customer_id, note_form=form)
    flash("Note added.", "success")
    return redirect(url_for("customers.show", customer_id=customer_id, _anchor="timeline"))


@bp.post("/notes/<uuid:note_id>/remove")
@identity.company_required(*roles.OFFICE_STAFF)
def remove_note(note_id: UUID) -> View:
    found = service.note(current_user.tenant_id, note_id)
    if found is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.delete_note(current_user.tenant_id, note_id)
    flash("Note removed.", "success")
    return redirect(url_for("customers.show", customer_id=found["customer_id"]))


@bp.route("/customers/<uuid:customer_id>/contacts/new", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def new_contact(customer_id: UUID) -> View:
    found = _customer_or_404(customer_id)
    form = ContactForm()
    saved(
        form,
        "customers/contact_form.html",
        lambda: service.create_contact(current_user.tenant_id, customer_id, form.values()),
        customer=found,
        contact=None,
    )
    flash(f"Added {form.full_name.data}.", "success")
    return redirect(url_for("customers.show", customer_id=customer_id, _anchor="contacts"))


def contact_or_404(contact_id: UUID) -> dict[str, Any]:
    found = service.contact(current_user.tenant_id, contact_id)
    if found is None:
        abort(404)
    return found


def contact_context(found: dict[str, Any], **refused: FlaskForm) -> dict[str, Any]:
    """What the contact's edit page shows beside its form: their other numbers and addresses,
    with the forms that add one (`phone_form`, `email_form`, as refused when they were)."""
    phones, emails = numbers.listed(current_user.tenant_id, found["customer_id"])
    return {
        "customer": {"id": found["customer_id"], "display_name": found["customer_name"]},
        "contact": found,
        "phones": numbers.of_contact(phones, found["id"]),
        "emails": numbers.of_contact(emails, found["id"]),
        "phone_form": OtherPhoneForm(),
        "email_form": OtherEmailForm(),
        "phone_kinds": PHONE_KINDS,
        "email_kinds": EMAIL_KINDS,
        **refused,
    }


@bp.route("/contacts/<uuid:contact_id>/edit", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def edit_contact(contact_id: UUID) -> View:
    found = contact_or_404(contact_id)
    form = ContactForm()
    if not form.is_submitted():
        form.fill(found)
    saved(
        form,
        "customers/contact_form.html",
        lambda: service.update_contact(current_user.tenant_id, contact_id, form.values()),
        **contact_context(found),
    )
    flash(f"Saved {form.full_name.data}.", "success")
    return redirect(url_for("customers.show", customer_id=found["customer_id"], _anchor="contacts"))


@bp.post("/contacts/<uuid:contact_id>/remove")
@identity.company_required(*roles.OFFICE_STAFF)
def remove_contact(contact_id: UUID) -> View:
    found = contact_or_404(contact_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.delete_contact(current_user.tenant_id, contact_id)
    flash(f"Removed {found['full_name']}.", "success")
    return redirect(url_for("customers.show", customer_id=found["customer_id"], _anchor="contacts"))
