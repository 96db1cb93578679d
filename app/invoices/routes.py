"""The office's invoice pages: the list, a new invoice for a job or a property, the invoice page
where a draft's lines are built, and what happens to it afterwards (sent, paid, void)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import company, payments, pricebook, roles
from app.audit.access import record_access, record_list
from app.auth import identity
from app.auth.forms import ConfirmForm
from app.db import ConstraintViolation
from app.forms import BookItemForm, LineForm
from app.invoices import bp, document, service
from app.invoices.forms import (
    DraftForm,
    InvoiceForm,
    ListFilter,
    PaymentForm,
    VoidForm,
)
from app.invoices.vocabulary import METHODS, STATUSES, TERMS
from app.views import form_page, found_or_404, page_number, saved, show_violation, uuid_arg
from app.vocabulary import DOCUMENT_LINE_KINDS

View = Response | str | tuple[str, int]
LABELS = {"statuses": STATUSES, "terms": TERMS, "methods": METHODS}
LINE_PREFIX = "line-"
ITEM_PREFIX = "item-"


def _today() -> date:
    return datetime.now(company.zone()).date()


def _invoice(invoice_id: UUID) -> service.Invoice:
    found = found_or_404(service.get(current_user.tenant_id, invoice_id))
    record_access("public.invoices", invoice_id, view="invoice")
    return found


@bp.get("/invoices")
@identity.company_required(*roles.OFFICE_STAFF)
def index() -> View:
    form = ListFilter(request.args)
    form.set_statuses(STATUSES)
    number = page_number()
    filter_args = {k: v for k, v in request.args.items() if k != "page" and v}
    context: dict[str, Any] = {"form": form, "page": None, "filter_args": filter_args, **LABELS}
    if not form.validate() or number is None:
        if number is None:
            form.form_errors.append("That page does not exist.")
        return render_template("invoices/list.html", **context), 422
    page = service.list_invoices(
        current_user.tenant_id,
        status=form.status.data or None,
        term=form.q.data or "",
        starts=form.starts.data,
        ends=form.ends.data,
        page=number,
    )
    record_list("public.invoices", (i["id"] for i in page.rows), view="invoices list")
    context["page"] = page
    return render_template("invoices/list.html", **context)


def _place() -> dict[str, Any]:
    """The property (and job) a new invoice is for, from the query string."""
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


@bp.route("/invoices/new", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def new() -> View:
    where = _place()
    form = InvoiceForm(today=_today())
    invoice_id = saved(
        form,
        "invoices/new.html",
        lambda: service.create(current_user.tenant_id, where, form.values()),
        place=where,
    )
    if where["estimate_id"] is not None:
        flash(f"Invoice started with the lines of EST-{where['estimate_number']}.", "success")
    else:
        flash("Invoice started: add its lines.", "success")
    return redirect(url_for("invoices.show", invoice_id=invoice_id))


def _show(
    invoice: service.Invoice, failed: dict[str, Any] | None = None, status: int = 200
) -> tuple[str, int]:
    """The invoice page; `failed` holds a refused form to show again with its errors."""
    failed = failed or {}
    context: dict[str, Any] = {
        "invoice": invoice,
        "i": invoice.row,
        "number": service.display_number(invoice.row),
        "confirm": ConfirmForm(),
        "line_kinds": DOCUMENT_LINE_KINDS,
        **LABELS,
    }
    if not invoice.is_draft:
        letterhead = found_or_404(company.letterhead(current_user.tenant_id))
        context |= document.context(document.from_invoice(invoice, letterhead), heading=2)
    if invoice.is_draft:
        item_form = failed.get("item") or BookItemForm(prefix=ITEM_PREFIX)
        item_form.set_items(pricebook.line_choices(current_user.tenant_id), DOCUMENT_LINE_KINDS)
        context["item_form"] = item_form
        context["line_form"] = failed.get("line") or LineForm(prefix=LINE_PREFIX)
    if invoice.takes_payments:
        balance = invoice.row["balance"]
        context["payment_form"] = failed.get("payment") or PaymentForm(
            today=_today(), balance=balance
        )
    if invoice.row["status"] != "void":
        context["void_form"] = failed.get("void") or VoidForm()
    if not invoice.is_draft:
        context["online"] = payments.invoice_panel(current_user.tenant_id, invoice.row["id"])
        context["refund_form"] = payments.refund_form
    return render_template("invoices/show.html", **context), status


@bp.get("/invoices/<uuid:invoice_id>")
@identity.company_required(*roles.OFFICE_STAFF)
def show(invoice_id: UUID) -> View:
    return _show(_invoice(invoice_id))


def _back(invoice_id: UUID, anchor: str | None = None) -> Response:
    return redirect(url_for("invoices.show", invoice_id=invoice_id, _anchor=anchor))


def _draft(invoice_id: UUID) -> service.Invoice:
    invoice = _invoice(invoice_id)
    if not invoice.is_draft:
        abort(409)
    return invoice


@bp.route("/invoices/<uuid:invoice_id>/edit", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def edit(invoice_id: UUID) -> View:
    invoice = _invoice(invoice_id)
    if not invoice.is_draft:
        flash("Only a draft can be changed: void the invoice instead.", "error")
        return _back(invoice_id)
    row = invoice.row
    if request.method == "GET":
        fields = ("terms", "issued_on", "note", "bill_to_name", "bill_to_email", "bill_to_address")
        form = DraftForm(data={k: row[k] for k in fields}, today=_today())
        return form_page("invoices/edit.html", form, i=row, number=service.display_number(row))
    form = DraftForm(today=_today())
    saved(
        form,
        "invoices/edit.html",
        lambda: service.update_draft(current_user.tenant_id, invoice_id, form.values()),
        i=row,
        number=service.display_number(row),
    )
    flash("Invoice saved.", "success")
    return _back(invoice_id)


@bp.post("/invoices/<uuid:invoice_id>/lines")
@identity.company_required(*roles.OFFICE_STAFF)
def add_line(invoice_id: UUID) -> View:
    invoice = _draft(invoice_id)
    form = LineForm(prefix=LINE_PREFIX)
    if form.validate_on_submit():
        try:
            service.add_line(current_user.tenant_id, invoice_id, form.values())
        except ConstraintViolation as violation:
            show_violation(form, violation)
        else:
            flash("Line added.", "success")
            return _back(invoice_id, "lines")
    return _show(invoice, {"line": form}, 422)


@bp.post("/invoices/<uuid:invoice_id>/items")
@identity.company_required(*roles.OFFICE_STAFF)
def add_item(invoice_id: UUID) -> View:
    invoice = _draft(invoice_id)
    tenant_id = current_user.tenant_id
    form = BookItemForm(prefix=ITEM_PREFIX)
    form.set_items(pricebook.line_choices(tenant_id), DOCUMENT_LINE_KINDS)
    if form.validate_on_submit():
        quantity = form.item_quantity.data
        assert quantity is not None  # validate_item_quantity refused an empty one
        member = bool(invoice.row["member"])
        if service.add_item(tenant_id, invoice_id, UUID(form.item.data), quantity, member):
            flash("Line added from the price book.", "success")
            return _back(invoice_id, "lines")
        form.item.errors = ["That item is no longer in the price book."]
    return _show(invoice, {"item": form}, 422)


def _line(line_id: UUID) -> dict[str, Any]:
    found = dict(found_or_404(service.get_line(current_user.tenant_id, line_id)))
    if found["status"] != "draft":
        abort(409)
    return found


@bp.route("/invoices/lines/<uuid:invoice_line_id>/edit", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def edit_line(invoice_line_id: UUID) -> View:
    line = _line(invoice_line_id)
    if request.method == "GET":
        data = {k: line[k] for k in ("description", "quantity", "unit", "unit_price", "taxable")}
        data["discount_percent"] = line["discount_percent"] or None
        return form_page("invoices/line_form.html", LineForm(data=data), line=line)
    form = LineForm()
    saved(
        form,
        "invoices/line_form.html",
        lambda: service.update_line(current_user.tenant_id, invoice_line_id, form.values()),
        line=line,
    )
    flash("Line saved.", "success")
    return _back(line["invoice_id"], "lines")


@bp.post("/invoices/lines/<uuid:invoice_line_id>/remove")
@identity.company_required(*roles.OFFICE_STAFF)
def remove_line(invoice_line_id: UUID) -> Response:
    line = _line(invoice_line_id)
    _confirmed()
    service.remove_line(current_user.tenant_id, invoice_line_id)
    flash("Line removed.", "success")
    return _back(line["invoice_id"], "lines")


def _confirmed() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


@bp.post("/invoices/<uuid:invoice_id>/sent")
@identity.company_required(*roles.OFFICE_STAFF)
def mark_sent(invoice_id: UUID) -> Response:
    invoice = _invoice(invoice_id)
    _confirmed()
    if not invoice.is_draft:
        flash("This invoice was already sent.", "error")
    elif not invoice.lines:
        flash("Add at least one line before sending the invoice.", "error")
    elif service.mark_sent(current_user.tenant_id, invoice_id):
        flash("Marked as sent: it can now be paid, and changed only by voiding it.", "success")
    return _back(invoice_id)


@bp.post("/invoices/<uuid:invoice_id>/void")
@identity.company_required(*roles.OFFICE_STAFF)
def void(invoice_id: UUID) -> View:
    invoice = _invoice(invoice_id)
    if invoice.row["status"] == "void":
        flash("This invoice is void already.", "error")
        return _back(invoice_id)
    form = VoidForm()
    if not form.validate_on_submit():
        return _show(invoice, {"void": form}, 422)
    service.void(current_user.tenant_id, invoice_id, form.void_reason.data or "")
    flash(f"{service.display_number(invoice.row)} is void; it keeps its number.", "success")
    return _back(invoice_id)


@bp.post("/invoices/<uuid:invoice_id>/payments")
@identity.company_required(*roles.OFFICE_STAFF)
def record_payment(invoice_id: UUID) -> View:
    invoice = _invoice(invoice_id)
    if not invoice.takes_payments:
        flash("Payments are recorded only against a sent invoice with a balance due.", "error")
        return _back(invoice_id)
    form = PaymentForm(today=_today(), balance=invoice.row["balance"])
    if form.validate_on_submit():
        try:
            service.record_payment(current_user.tenant_id, invoice_id, form.values())
        except ConstraintViolation as violation:
            show_violation(form, violation)
        else:
            flash("Payment recorded.", "success")
            return _back(invoice_id, "payments")
    return _show(invoice, {"payment": form}, 422)
