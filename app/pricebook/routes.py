"""The price book's pages, for office staff: the list with search and filters, an item's page
(a package's parts), adding, editing, archiving and restoring items, and the categories."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import roles
from app.auth import identity
from app.auth.forms import ConfirmForm
from app.db import ConstraintViolation
from app.pricebook import bp, service
from app.pricebook.forms import CategoryForm, ItemForm, ListFilter, PartForm, item_form_data
from app.pricebook.vocabulary import KINDS, STATUSES, UNITS
from app.views import form_page, found_or_404, page_number, saved, show_violation

View = Response | str | tuple[str, int]
ITEM_FORM = "pricebook/item_form.html"
LABELS = {"kinds": KINDS, "units": UNITS, "statuses": STATUSES}


def _item(item_id: UUID) -> dict[str, Any]:
    return found_or_404(service.get_item(current_user.tenant_id, item_id))


@bp.get("/price-book")
@identity.company_required(*roles.OFFICE_STAFF)
def index() -> View:
    tenant_id = current_user.tenant_id
    form = ListFilter(request.args)
    form.set_categories(service.categories(tenant_id))
    number = page_number()
    filter_args = {k: v for k, v in request.args.items() if k != "page" and v}
    context: dict[str, Any] = {"form": form, "page": None, "filter_args": filter_args, **LABELS}
    if not form.validate() or number is None:
        if number is None:
            form.form_errors.append("That page does not exist.")
        return render_template("pricebook/list.html", **context), 422
    context["page"] = service.list_items(
        tenant_id,
        term=form.q.data or "",
        kind=form.kind.data or None,
        category_id=form.category.data or None,
        status=form.status.data or "active",
        page=number,
    )
    return render_template("pricebook/list.html", **context)


def _item_form(form: ItemForm) -> ItemForm:
    form.set_categories(service.categories(current_user.tenant_id))
    return form


@bp.route("/price-book/new", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def new_item() -> View:
    kind = request.args.get("kind", "service")
    form = _item_form(ItemForm(kind=kind if kind in KINDS else "service"))
    item_id = saved(
        form,
        ITEM_FORM,
        lambda: service.create_item(current_user.tenant_id, form.values()),
        item=None,
        **LABELS,
    )
    flash("Item added to the price book.", "success")
    return redirect(url_for("pricebook.item", item_id=item_id))


@bp.get("/price-book/<uuid:item_id>")
@identity.company_required(*roles.OFFICE_STAFF)
def item(item_id: UUID) -> View:
    return _item_page(_item(item_id))


def _item_page(found: dict[str, Any], part_form: PartForm | None = None) -> tuple[str, int]:
    tenant_id = current_user.tenant_id
    parts: list[dict[str, Any]] = []
    if found["kind"] == "package":
        parts = service.package_parts(tenant_id, found["id"])
        if part_form is None:
            part_form = PartForm()
        part_form.set_items(service.part_choices(tenant_id))
    parts_value = sum((p["price"] * p["quantity"] for p in parts), start=0)
    return render_template(
        "pricebook/item.html",
        item=found,
        parts=parts,
        parts_value=parts_value,
        part_form=part_form,
        confirm=ConfirmForm(),
        **LABELS,
    ), (422 if part_form is not None and part_form.errors else 200)


@bp.route("/price-book/<uuid:item_id>/edit", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def edit_item(item_id: UUID) -> View:
    found = _item(item_id)
    form = ItemForm(data=item_form_data(found)) if request.method == "GET" else ItemForm()
    form.kind.data = found["kind"]  # the kind is kept: parts and lines were made for it
    _item_form(form)
    if request.method == "GET":
        return form_page(ITEM_FORM, form, item=found, **LABELS)
    saved(
        form,
        ITEM_FORM,
        lambda: service.update_item(current_user.tenant_id, item_id, form.values()),
        item=found,
        **LABELS,
    )
    flash("Item saved. Estimates and invoices already made keep their own prices.", "success")
    return redirect(url_for("pricebook.item", item_id=item_id))


def _set_archived(item_id: UUID, archived: bool) -> Response:
    found = _item(item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.set_item_archived(current_user.tenant_id, found["id"], archived)
    flash(
        "Item archived: it is no longer offered on new estimates."
        if archived
        else "Item restored.",
        "success",
    )
    return redirect(url_for("pricebook.item", item_id=item_id))


@bp.post("/price-book/<uuid:item_id>/archive")
@identity.company_required(*roles.OFFICE_STAFF)
def archive_item(item_id: UUID) -> Response:
    return _set_archived(item_id, True)


@bp.post("/price-book/<uuid:item_id>/restore")
@identity.company_required(*roles.OFFICE_STAFF)
def restore_item(item_id: UUID) -> Response:
    return _set_archived(item_id, False)


@bp.post("/price-book/<uuid:item_id>/parts")
@identity.company_required(*roles.OFFICE_STAFF)
def add_part(item_id: UUID) -> View:
    found = _item(item_id)
    if found["kind"] != "package":
        abort(404)
    tenant_id = current_user.tenant_id
    form = PartForm()
    form.set_items(service.part_choices(tenant_id))
    if not form.validate_on_submit():
        return _item_page(found, form)
    try:
        service.add_part(tenant_id, found["id"], UUID(form.part.data), form.quantity.data)
    except ConstraintViolation as violation:
        show_violation(form, violation)
        return _item_page(found, form)
    flash("Part added to the package.", "success")
    return redirect(url_for("pricebook.item", item_id=item_id, _anchor="parts"))


@bp.post("/price-book/parts/<uuid:part_id>/remove")
@identity.company_required(*roles.OFFICE_STAFF)
def remove_part(part_id: UUID) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    package_id = service.remove_part(current_user.tenant_id, part_id)
    if package_id is None:
        abort(404)  # another company's part reads as missing
    flash("Part removed from the package.", "success")
    return redirect(url_for("pricebook.item", item_id=package_id, _anchor="parts"))


# --- categories ---------------------------------------------------------------------------


def _category(category_id: UUID) -> dict[str, Any]:
    return found_or_404(service.get_category(current_user.tenant_id, category_id))


@bp.route("/price-book/categories", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def categories() -> View:
    tenant_id = current_user.tenant_id
    form = CategoryForm()
    listed = service.categories(tenant_id)
    if request.method == "GET":
        return form_page(
            "pricebook/categories.html", form, categories=listed, confirm=ConfirmForm()
        )
    saved(
        form,
        "pricebook/categories.html",
        lambda: service.create_category(tenant_id, form.name.data),
        categories=listed,
        confirm=ConfirmForm(),
    )
    flash(f"Category “{form.name.data}” added.", "success")
    return redirect(url_for("pricebook.categories"))


@bp.route("/price-book/categories/<uuid:category_id>/edit", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def edit_category(category_id: UUID) -> View:
    found = _category(category_id)
    form = CategoryForm(data={"name": found["name"]}) if request.method == "GET" else CategoryForm()
    if request.method == "GET":
        return form_page("pricebook/category_form.html", form, category=found)
    saved(
        form,
        "pricebook/category_form.html",
        lambda: service.rename_category(current_user.tenant_id, category_id, form.name.data),
        category=found,
    )
    flash("Category renamed.", "success")
    return redirect(url_for("pricebook.categories"))


def _set_category_archived(category_id: UUID, archived: bool) -> Response:
    found = _category(category_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.set_category_archived(current_user.tenant_id, found["id"], archived)
    flash(
        f"Category “{found['name']}” archived: its items keep it, new items cannot choose it."
        if archived
        else f"Category “{found['name']}” restored.",
        "success",
    )
    return redirect(url_for("pricebook.categories"))


@bp.post("/price-book/categories/<uuid:category_id>/archive")
@identity.company_required(*roles.OFFICE_STAFF)
def archive_category(category_id: UUID) -> Response:
    return _set_category_archived(category_id, True)


@bp.post("/price-book/categories/<uuid:category_id>/restore")
@identity.company_required(*roles.OFFICE_STAFF)
def restore_category(category_id: UUID) -> Response:
    return _set_category_archived(category_id, False)
