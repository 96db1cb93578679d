"""Property pages and forms, and the equipment of each property. Office roles only for now:
technicians will see the properties of their own visits once scheduling exists."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import customers, roles
from app.auth import identity
from app.auth.forms import ConfirmForm
from app.properties import bp, geocoding, service
from app.properties.forms import EquipmentForm, PinForm, PropertyForm, equipment_form_data
from app.views import form_page, saved

View = Response | str | tuple[str, int]
PROPERTY_FORM = "properties/property_form.html"
EQUIPMENT_FORM = "properties/equipment_form.html"
UNREADABLE_NOTES = (
    "The stored access notes cannot be read with the current encryption keys. Saving this form"
    " replaces them with what the field holds."
)


def customer_path(customer_id: UUID) -> str:
    """The customer's page (served by the customers feature)."""
    return url_for("customers.show", customer_id=customer_id)


def _found(row: dict[str, Any] | None) -> dict[str, Any]:
    if row is None:
        abort(404)  # another company's id reads as missing, never as forbidden
    return row


def _property(property_id: UUID) -> dict[str, Any]:
    return _found(service.get_property(current_user.tenant_id, property_id))


def _equipment(equipment_id: UUID) -> dict[str, Any]:
    return _found(service.get_equipment(current_user.tenant_id, equipment_id))


def _back_to(property_id: UUID, equipment_id: UUID | None = None) -> Response:
    anchor = f"equipment-{equipment_id}" if equipment_id else "equipment"
    return redirect(url_for("properties.show", property_id=property_id, _anchor=anchor))


def _equipment_page(prop: dict[str, Any], item: dict[str, Any] | None) -> dict[str, Any]:
    """What the equipment form shows besides the form itself."""
    return {
        "prop": prop,
        "item": item,
        "title": service.property_title(prop),
        "refrigerants": service.REFRIGERANTS,
    }


@bp.route("/customers/<uuid:customer_id>/properties/new", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def new(customer_id: UUID) -> View:
    customer = _found(customers.customer(current_user.tenant_id, customer_id))
    form = PropertyForm()
    page = {"customer": customer, "prop": None, "customer_path": customer_path(customer_id)}
    property_id = saved(
        form,
        PROPERTY_FORM,
        lambda: service.create_property(current_user.tenant_id, customer_id, form.values()),
        **page,
    )
    flash(f"Property added for {customer['display_name']}.", "success")
    return redirect(url_for("properties.show", property_id=property_id))


@bp.get("/properties/<uuid:property_id>")
@identity.company_required(*roles.OFFICE_STAFF)
def show(property_id: UUID) -> View:
    return _show(_property(property_id), PinForm(formdata=None))


def _show(prop: dict[str, Any], pin_form: PinForm) -> str:
    may_read_access = current_user.can(*service.ACCESS_NOTE_ROLES)
    return render_template(
        "properties/show.html",
        prop=prop,
        pin_form=pin_form,
        title=service.property_title(prop),
        maps_link=service.maps_link(prop),
        customer_path=customer_path(prop["customer_id"]),
        access_notes=service.reveal_access_notes(prop, "property page") if may_read_access else "",
        equipment=service.list_equipment(current_user.tenant_id, prop["id"]),
        confirm_form=ConfirmForm(),
        property_types=service.PROPERTY_TYPES,
        kinds=service.EQUIPMENT_KINDS,
        geocode_states=service.GEOCODE_STATES,
        equipment_title=service.equipment_title,
    )


@bp.post("/properties/<uuid:property_id>/pin")
@identity.company_required(*roles.OFFICE_STAFF)
def pin(property_id: UUID) -> View:
    """Place the property on the map by hand (an address the geocoder cannot find)."""
    prop = _property(property_id)
    form = PinForm()
    if not form.validate_on_submit():
        return _show(prop, form), 422
    assert form.latitude.data is not None and form.longitude.data is not None
    geocoding.place_pin(prop, form.latitude.data, form.longitude.data)
    flash(f"{service.property_title(prop)} is placed on the map by hand.", "success")
    return redirect(url_for("properties.show", property_id=property_id))


@bp.route("/properties/<uuid:property_id>/edit", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def edit(property_id: UUID) -> View:
    prop = _property(property_id)
    stored = None
    if request.method == "GET":  # only a first showing reveals (and records) the access notes
        notes = service.reveal_access_notes(prop, "edit form")
        if notes is None:
            flash(UNREADABLE_NOTES, "warning")
        stored = {**prop, "access_notes": notes or ""}
    form = PropertyForm(data=stored)
    page = {"customer": None, "prop": prop, "customer_path": customer_path(prop["customer_id"])}
    saved(
        form,
        PROPERTY_FORM,
        lambda: service.update_property(current_user.tenant_id, property_id, form.values()),
        **page,
    )
    flash("Property saved.", "success")
    return redirect(url_for("properties.show", property_id=property_id))


@bp.route("/properties/<uuid:property_id>/delete", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def delete(property_id: UUID) -> View:
    """A page naming what goes with the property; deleting one with jobs (its visit history)
    is for owners and admins, as for a customer: others are offered to archive it."""
    prop = _property(property_id)
    held = service.history(current_user.tenant_id, property_id)
    allowed = not held["jobs"] or current_user.is_manager
    form = ConfirmForm()
    if not form.validate_on_submit():
        page = {"prop": prop, "title": service.property_title(prop), "held": held}
        return form_page("properties/delete.html", form, allowed=allowed, **page)
    if not allowed:
        abort(403)
    _found(service.delete_property(current_user.tenant_id, property_id))
    flash(f"{service.property_title(prop)} and everything at it were deleted.", "success")
    return redirect(customer_path(prop["customer_id"]))


@bp.post("/properties/<uuid:property_id>/archive")
@identity.company_required(*roles.OFFICE_STAFF)
def archive(property_id: UUID) -> View:
    return _archived(property_id, True)


@bp.post("/properties/<uuid:property_id>/restore")
@identity.company_required(*roles.OFFICE_STAFF)
def restore(property_id: UUID) -> View:
    return _archived(property_id, False)


def _archived(property_id: UUID, archived: bool) -> View:
    prop = _property(property_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    paused = service.archive_property(current_user.tenant_id, property_id, archived)
    title = service.property_title(prop)
    if paused is None:
        flash(f"{title} is already {'archived' if archived else 'in use'}.", "warning")
    elif archived:
        plans = f" {paused} maintenance plan{'' if paused == 1 else 's'} paused." if paused else ""
        flash(
            f"{title} archived: its history is kept, no new work is booked there.{plans}", "success"
        )
    else:
        flash(f"{title} restored.", "success")
    return redirect(url_for("properties.show", property_id=property_id))


@bp.route("/properties/<uuid:property_id>/equipment/new", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def new_equipment(property_id: UUID) -> View:
    prop = _property(property_id)
    form = EquipmentForm()
    page = _equipment_page(prop, None)
    equipment_id = saved(
        form,
        EQUIPMENT_FORM,
        lambda: service.create_equipment(current_user.tenant_id, property_id, form.values()),
        **page,
    )
    flash(f"{service.EQUIPMENT_KINDS[form.equipment_kind.data or 'other']} added.", "success")
    return _back_to(property_id, equipment_id)


@bp.route("/equipment/<uuid:equipment_id>/edit", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def edit_equipment(equipment_id: UUID) -> View:
    item = _equipment(equipment_id)
    prop = _property(item["property_id"])
    form = EquipmentForm(data=equipment_form_data(item) if request.method == "GET" else None)
    page = _equipment_page(prop, item)
    saved(
        form,
        EQUIPMENT_FORM,
        lambda: service.update_equipment(current_user.tenant_id, equipment_id, form.values()),
        **page,
    )
    flash(f"{service.equipment_title(form.values())} saved.", "success")
    return _back_to(item["property_id"], equipment_id)


@bp.post("/equipment/<uuid:equipment_id>/delete")
@identity.company_required(*roles.OFFICE_STAFF)
def delete_equipment(equipment_id: UUID) -> View:
    item = _equipment(equipment_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    _found(service.delete_equipment(current_user.tenant_id, equipment_id))
    flash(f"{service.equipment_title(item)} was deleted.", "success")
    return _back_to(item["property_id"])
