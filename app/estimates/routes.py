"""The office's estimate pages: the list, a new estimate for a property (from a job or on its
own), the estimate page where a draft's options and lines are built, and what happens to it
afterwards (sent, approved, declined, revised)."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import company, document_links, messaging, pricebook, roles
from app.audit.access import record_access, record_list
from app.auth import identity
from app.auth.forms import ConfirmForm
from app.estimates import bp, builder, document, links, service
from app.estimates.forms import (
    ApproveForm,
    DeclineForm,
    EstimateForm,
    ListFilter,
    OptionForm,
    PhotosForm,
)
from app.estimates.vocabulary import LINE_KINDS, STATUSES
from app.forms import LineForm, SendLinkForm
from app.integrations import files
from app.views import confirmed, form_page, found_or_404, page_number, saved, uuid_arg

View = Response | str | tuple[str, int]
LABELS = {"statuses": STATUSES, "line_kinds": LINE_KINDS}
OPEN = ("sent", "viewed")  # the states in which a customer's answer is taken


def _today() -> date:
    return datetime.now(company.zone()).date()


def _estimate(estimate_id: UUID) -> service.Estimate:
    found = found_or_404(service.get(current_user.tenant_id, estimate_id, _today()))
    record_access("public.estimates", estimate_id, view="estimate")
    return found


def list_filter() -> ListFilter:
    """The estimates list's filters from the query string (the list and its CSV file)."""
    form = ListFilter(request.args)
    form.set_statuses(STATUSES, every="Open and closed")
    form.set_technicians(company.technicians(current_user.tenant_id))
    return form


def list_params(form: ListFilter) -> dict[str, Any]:
    return service.list_params(
        current_user.tenant_id, form.criteria(), today=_today(), zone=company.zone().key
    )


@bp.get("/estimates")
@identity.company_required(*roles.OFFICE_STAFF)
def index() -> View:
    form = list_filter()
    number = page_number()
    filter_args = {k: v for k, v in request.args.items() if k != "page" and v}
    context: dict[str, Any] = {"form": form, "page": None, "filter_args": filter_args, **LABELS}
    if not form.validate() or number is None:
        if number is None:
            form.form_errors.append("That page does not exist.")
        return render_template("estimates/list.html", **context), 422
    page = service.list_estimates(list_params(form), number)
    record_list("public.estimates", (e["id"] for e in page.rows), view="estimates list")
    context["page"] = page
    return render_template("estimates/list.html", **context)


def _place() -> dict[str, Any]:
    """The property (and job) a new estimate is for, from the query string."""
    tenant_id = current_user.tenant_id
    job_id = uuid_arg("job_id")
    property_id = uuid_arg("property_id")
    if job_id is not None and property_id is None:
        property_id = service.job_property(tenant_id, job_id)
    if property_id is None:
        abort(404)
    found = found_or_404(service.place(tenant_id, property_id, job_id))
    if job_id is not None and found["job_id"] is None:
        abort(404)  # the job is not at that property
    return dict(found)


@bp.route("/estimates/new", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def new() -> View:
    where = _place()
    if where["archived_at"] is not None:
        flash("This property is archived: restore it before making an estimate for it.", "error")
        return redirect(url_for("properties.show", property_id=where["property_id"]))
    today = _today()
    form = EstimateForm(today=today)
    if request.method == "GET" and where["job_summary"]:
        form.title.data = where["job_summary"]
    estimate_id = saved(
        form,
        "estimates/new.html",
        lambda: service.create(
            current_user.tenant_id,
            {
                **form.values(),
                "property_id": where["property_id"],
                "job_id": where["job_id"],
            },
        ),
        place=where,
    )
    flash("Estimate started: add its lines, and options if you offer a choice.", "success")
    return redirect(url_for("estimates.show", estimate_id=estimate_id))


def _show(
    estimate: service.Estimate, failed: dict[str, Any] | None = None, status: int = 200
) -> tuple[str, int]:
    """The estimate page; `failed` holds a refused form to show again with its errors."""
    tenant_id = current_user.tenant_id
    failed = failed or {}
    context: dict[str, Any] = {
        "estimate": estimate,
        "e": estimate.row,
        "number": service.display_number(estimate.row),
        "confirm": ConfirmForm(),
        "failed": failed,
        "shown_link": document_links.shown(links.KIND, estimate.row["id"]),
        **LABELS,
    }
    if estimate.row["status"] in ("draft", *OPEN):
        send = failed.get("send") or SendLinkForm()
        if send.to.data is None:
            row = estimate.row
            send.to.data = messaging.document_messages.address_for(
                row["customer_preferred_contact"], row["customer_phone"], row["customer_email"]
            )
        context["send_form"] = send
    context["estimate_links"] = service.links(tenant_id, estimate.row["id"])
    if not estimate.is_draft:
        context |= _document(estimate)
    if estimate.is_draft:
        items = pricebook.line_choices(tenant_id)
        context["forms"] = builder.option_forms(estimate, items, failed)
        context["option_form"] = failed.get("option") or builder.new_option_form()
        context["photos_form"] = failed.get("photos") or PhotosForm.of(
            estimate.photos, service.job_photos(tenant_id, estimate.row["id"]), service.MAX_PHOTOS
        )
    elif estimate.row["status"] in OPEN:
        approve = failed.get("approve") or ApproveForm()
        approve.set_options([o.row for o in estimate.options])
        context["approve_form"] = approve
        context["decline_form"] = failed.get("decline") or DeclineForm()
    return render_template("estimates/show.html", **context), status


def _document(estimate: service.Estimate) -> dict[str, Any]:
    """The estimate as its document shows it inside the office's page."""
    row = estimate.row
    letterhead = found_or_404(company.letterhead(current_user.tenant_id))
    signature = url_for("estimates.signature", estimate_id=row["id"])
    return document.context(
        document.from_estimate(estimate, letterhead),
        heading=2,
        approval_note=document.approval_note(row, address=True),
        signature_src=signature if row["signature_key"] else None,
        # The visit's photo as the job's page shows it (a recorded read of the visit's file).
        photo_src=lambda photo: url_for("technician.file", file_id=photo.file_id),
    )


@bp.get("/estimates/<uuid:estimate_id>")
@identity.company_required(*roles.OFFICE_STAFF)
def show(estimate_id: UUID) -> View:
    return _show(_estimate(estimate_id))


@bp.route("/estimates/<uuid:estimate_id>/edit", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def edit(estimate_id: UUID) -> View:
    estimate = _estimate(estimate_id)
    if not estimate.is_draft:
        flash("Only a draft can be changed: revise the estimate instead.", "error")
        return redirect(url_for("estimates.show", estimate_id=estimate_id))
    row = estimate.row
    today = _today()
    if request.method == "GET":
        data = {"title": row["title"], "note": row["note"], "valid_until": row["valid_until"]}
        return form_page("estimates/edit.html", EstimateForm(data=data, today=today), e=row)
    form = EstimateForm(today=today)
    saved(
        form,
        "estimates/edit.html",
        lambda: service.update(current_user.tenant_id, estimate_id, form.values()),
        e=row,
    )
    flash("Estimate saved.", "success")
    return redirect(url_for("estimates.show", estimate_id=estimate_id))


def _draft(estimate_id: UUID) -> service.Estimate:
    estimate = _estimate(estimate_id)
    if not estimate.is_draft:
        abort(409)
    return estimate


def _back(estimate_id: UUID, anchor: str | None = None) -> Response:
    return redirect(url_for("estimates.show", estimate_id=estimate_id, _anchor=anchor))


@bp.post("/estimates/<uuid:estimate_id>/options")
@identity.company_required(*roles.OFFICE_STAFF)
def add_option(estimate_id: UUID) -> View:
    estimate = _draft(estimate_id)
    form = builder.new_option_form()
    option_id = builder.add_option(current_user.tenant_id, estimate_id, form)
    if option_id is None:
        return _show(estimate, {"option": form}, 422)
    flash(f"Option “{form.name.data}” added.", "success")
    return _back(estimate_id, f"option-{option_id}")


def _option(option_id: UUID) -> dict[str, Any]:
    return builder.draft_option(current_user.tenant_id, option_id)


@bp.route("/estimates/options/<uuid:option_id>/edit", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def edit_option(option_id: UUID) -> View:
    option = _option(option_id)
    if request.method == "GET":
        data = {"name": option["name"], "description": option["description"]}
        return form_page("estimates/option_form.html", OptionForm(data=data), option=option)
    form = OptionForm()
    saved(
        form,
        "estimates/option_form.html",
        lambda: service.update_option(
            current_user.tenant_id, option_id, form.name.data, form.description.data or ""
        ),
        option=option,
    )
    flash("Option saved.", "success")
    return _back(option["estimate_id"], f"option-{option_id}")


@bp.post("/estimates/options/<uuid:option_id>/remove")
@identity.company_required(*roles.OFFICE_STAFF)
def remove_option(option_id: UUID) -> Response:
    option = _option(option_id)
    confirmed()
    if service.remove_option(current_user.tenant_id, option_id):
        flash(f"Option “{option['name']}” removed with its lines.", "success")
    else:
        flash("An estimate has at least one option.", "error")
    return _back(option["estimate_id"])


@bp.post("/estimates/options/<uuid:option_id>/lines")
@identity.company_required(*roles.OFFICE_STAFF)
def add_line(option_id: UUID) -> View:
    option = _option(option_id)
    form = builder.line_form(option)
    if builder.add_line(current_user.tenant_id, option_id, form):
        flash("Line added.", "success")
        return _back(option["estimate_id"], f"option-{option_id}")
    estimate = _estimate(option["estimate_id"])
    return _show(estimate, {f"line-{option_id}": form}, 422)


@bp.post("/estimates/options/<uuid:option_id>/items")
@identity.company_required(*roles.OFFICE_STAFF)
def add_item(option_id: UUID) -> View:
    option = _option(option_id)
    tenant_id = current_user.tenant_id
    form = builder.item_form(option, pricebook.line_choices(tenant_id))
    estimate = _estimate(option["estimate_id"])
    if builder.add_item(tenant_id, option_id, bool(estimate.row["member"]), form):
        flash("Line added from the price book.", "success")
        return _back(option["estimate_id"], f"option-{option_id}")
    return _show(estimate, {f"item-{option_id}": form}, 422)


def _line(line_id: UUID) -> dict[str, Any]:
    found = dict(found_or_404(service.get_line(current_user.tenant_id, line_id)))
    if found["status"] != "draft":
        abort(409)
    return found


@bp.route("/estimates/lines/<uuid:line_id>/edit", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def edit_line(line_id: UUID) -> View:
    line = _line(line_id)
    if request.method == "GET":
        data = {k: line[k] for k in ("description", "quantity", "unit", "unit_price", "taxable")}
        data["discount_percent"] = line["discount_percent"] or None
        return form_page("estimates/line_form.html", LineForm(data=data), line=line)
    form = LineForm()
    values = form.values() if form.validate() else {}
    saved(
        form,
        "estimates/line_form.html",
        lambda: service.update_line(current_user.tenant_id, line_id, values),
        line=line,
    )
    flash("Line saved.", "success")
    return _back(line["estimate_id"], f"option-{line['option_id']}")


@bp.post("/estimates/lines/<uuid:line_id>/remove")
@identity.company_required(*roles.OFFICE_STAFF)
def remove_line(line_id: UUID) -> Response:
    line = _line(line_id)
    confirmed()
    service.remove_line(current_user.tenant_id, line_id)
    flash("Line removed.", "success")
    return _back(line["estimate_id"], f"option-{line['option_id']}")


@bp.post("/estimates/<uuid:estimate_id>/sent")
@identity.company_required(*roles.OFFICE_STAFF)
def mark_sent(estimate_id: UUID) -> Response:
    estimate = _estimate(estimate_id)
    confirmed()
    if not any(option.lines for option in estimate.options):
        flash("Add at least one line before sending the estimate.", "error")
    elif service.mark_sent(current_user.tenant_id, estimate_id):
        flash(
            "Marked as sent: it can now be approved or declined, and changed only by a revision.",
            "success",
        )
    else:
        flash("This estimate was already sent.", "error")
    return _back(estimate_id)


@bp.post("/estimates/<uuid:estimate_id>/approve")
@identity.company_required(*roles.OFFICE_STAFF)
def approve(estimate_id: UUID) -> View:
    estimate = _estimate(estimate_id)
    if estimate.row["status"] not in OPEN:
        flash("This estimate is not open for approval (not sent, answered or expired).", "error")
        return _back(estimate_id)
    form = ApproveForm()
    form.set_options([o.row for o in estimate.options])
    if not form.validate_on_submit():
        return _show(estimate, {"approve": form}, 422)
    tenant_id = current_user.tenant_id
    if service.approve(tenant_id, estimate_id, UUID(form.option.data), _today()):
        flash("Approval recorded.", "success")
    else:
        flash("This estimate is not open for approval (already answered or expired).", "error")
    return _back(estimate_id)


@bp.post("/estimates/<uuid:estimate_id>/decline")
@identity.company_required(*roles.OFFICE_STAFF)
def decline(estimate_id: UUID) -> View:
    estimate = _estimate(estimate_id)
    if estimate.row["status"] not in OPEN:
        flash("This estimate is not open for an answer (not sent, answered or expired).", "error")
        return _back(estimate_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _show(estimate, {"decline": form}, 422)
    reason = form.reason.data or ""
    if service.decline(current_user.tenant_id, estimate_id, reason, _today()):
        flash("Marked as declined.", "success")
    else:
        flash("This estimate is not open for an answer (already answered or expired).", "error")
    return _back(estimate_id)


@bp.post("/estimates/<uuid:estimate_id>/revise")
@identity.company_required(*roles.OFFICE_STAFF)
def revise(estimate_id: UUID) -> Response:
    _estimate(estimate_id)
    confirmed()
    new_id = service.revise(current_user.tenant_id, estimate_id, _today())
    if new_id is None:
        flash("Only a sent, declined or expired estimate is revised.", "error")
        return _back(estimate_id)
    flash("A new revision was made as a draft: change it, then send it.", "success")
    return _back(new_id)


@bp.post("/estimates/<uuid:estimate_id>/delete")
@identity.company_required(*roles.OFFICE_STAFF)
def delete(estimate_id: UUID) -> Response:
    estimate = _estimate(estimate_id)
    confirmed()
    if not service.delete_draft(current_user.tenant_id, estimate_id):
        flash("Only a draft is deleted: a sent estimate is kept.", "error")
        return _back(estimate_id)
    flash(f"Draft {service.display_number(estimate.row)} deleted.", "success")
    return redirect(url_for("customers.show", customer_id=estimate.row["customer_id"]))


@bp.post("/estimates/<uuid:estimate_id>/send")
@identity.company_required(*roles.OFFICE_STAFF)
def send(estimate_id: UUID) -> View:
    estimate = _estimate(estimate_id)
    form = SendLinkForm()
    send = partial(service.send, current_user.tenant_id, estimate.row)
    if not document_links.send(form, send, links.KIND, estimate_id, "until the estimate expires"):
        return _show(estimate, {"send": form}, 422)
    return _back(estimate_id, "send")


@bp.post("/estimates/links/<uuid:link_id>/revoke")
@identity.company_required(*roles.OFFICE_STAFF)
def revoke_link(link_id: UUID) -> Response:
    confirmed()
    estimate_id = service.revoke_link(current_user.tenant_id, link_id)
    if estimate_id is None:
        abort(404)
    flash("Link revoked: it no longer opens the estimate.", "success")
    return _back(estimate_id, "send")


@bp.get("/estimates/<uuid:estimate_id>/signature.png")
@identity.company_required(*roles.OFFICE_STAFF)
def signature(estimate_id: UUID) -> Response:
    key = service.signature_key(current_user.tenant_id, estimate_id)
    if key is None:
        abort(404)
    record_access("public.estimates", estimate_id, view="estimate signature")
    try:
        data = files.store().get(key)
    except files.FileMissing:
        abort(404)
    response = Response(data, mimetype="image/png")
    response.headers["Cache-Control"] = "private, no-store"
    return response
