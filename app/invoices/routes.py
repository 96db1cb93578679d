"""The office's invoice pages: the list, a new invoice for a job or a property, the invoice page
where a draft's lines are built, and what happens to it afterwards (sent, paid, void)."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import company, document_links, payments, roles
from app.audit.access import record_access, record_list
from app.auth import identity
from app.auth.forms import ConfirmForm
from app.forms import LineForm, SendLinkForm
from app.invoices import bp, builder, document, links, service
from app.invoices.forms import (
    DraftForm,
    InvoiceForm,
    ListFilter,
    PaymentForm,
    VoidForm,
)
from app.invoices.vocabulary import METHODS, STATUSES, TERMS
from app.views import confirmed, form_page, found_or_404, page_number, saved, uuid_arg
from app.vocabulary import DOCUMENT_LINE_KINDS

View = Response | str | tuple[str, int]
LABELS = {"statuses": STATUSES, "terms": TERMS, "methods": METHODS}


def _today() -> date:
    return datetime.now(company.zone()).date()


def _invoice(invoice_id: UUID) -> service.Invoice:
    found = found_or_404(service.get(current_user.tenant_id, invoice_id))
    record_access("public.invoices", invoice_id, view="invoice")
    return found


def list_filter() -> ListFilter:
    """The invoices list's filters from the query string (the list and its CSV file)."""
    form = ListFilter(request.args)
    form.set_statuses(STATUSES)
    form.set_technicians(company.technicians(current_user.tenant_id))
    return form


@bp.get("/invoices")
@identity.company_required(*roles.OFFICE_STAFF)
def index() -> View:
    form = list_filter()
    number = page_number()
    filter_args = {k: v for k, v in request.args.items() if k != "page" and v}
    context: dict[str, Any] = {"form": form, "page": None, "filter_args": filter_args, **LABELS}
    if not form.validate() or number is None:
        if number is None:
            form.form_errors.append("That page does not exist.")
        return render_template("invoices/list.html", **context), 422
    page = service.list_invoices(current_user.tenant_id, form.criteria(), number)
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
        context["item_form"] = failed.get("item") or builder.item_form(current_user.tenant_id)
        context["line_form"] = failed.get("line") or LineForm(prefix=builder.LINE_PREFIX)
    if invoice.takes_payments:
        balance = invoice.row["balance"]
        context["payment_form"] = failed.get("payment") or PaymentForm(
            today=_today(), balance=balance
        )
    if invoice.row["status"] != "void":
        context["void_form"] = failed.get("void") or VoidForm()
    context |= _links(invoice.row, failed.get("send"))
    if not invoice.is_draft:
        context["online"] = payments.invoice_panel(current_user.tenant_id, invoice.row["id"])
        context["refund_form"] = payments.refund_form
    return render_template("invoices/show.html", **context), status


def _links(row: Any, failed: SendLinkForm | None) -> dict[str, Any]:
    """The homeowner's link: the form that sends it (not for a void invoice), the link just
    made (shown once) and the links made so far."""
    context: dict[str, Any] = {
        "shown_link": document_links.shown(links.KIND, row["id"]),
        "invoice_links": links.made(current_user.tenant_id, row["id"]),
    }
    if row["status"] != "void":
        send = failed or SendLinkForm()
        if send.to.data is None:
            send.to.data = links.address_for(row)
        context["send_form"] = send
    return context


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
    form = LineForm(prefix=builder.LINE_PREFIX)
    if builder.add_line(current_user.tenant_id, invoice_id, form):
        flash("Line added.", "success")
        return _back(invoice_id, "lines")
    return _show(invoice, {"line": form}, 422)


@bp.post("/invoices/<uuid:invoice_id>/items")
@identity.company_required(*roles.OFFICE_STAFF)
def add_item(invoice_id: UUID) -> View:
    invoice = _draft(invoice_id)
    form = builder.item_form(current_user.tenant_id)
    if builder.add_item(current_user.tenant_id, invoice, form):
        flash("Line added from the price book.", "success")
        return _back(invoice_id, "lines")
    return _show(invoice, {"item": form}, 422)


@bp.route("/invoices/lines/<uuid:invoice_line_id>/edit", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def edit_line(invoice_line_id: UUID) -> View:
    line = builder.draft_line(current_user.tenant_id, invoice_line_id)
    if request.method == "GET":
        form = LineForm(data=builder.line_data(line))
        return form_page("invoices/line_form.html", form, line=line)
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
    line = builder.draft_line(current_user.tenant_id, invoice_line_id)
    confirmed()
    service.remove_line(current_user.tenant_id, invoice_line_id)
    flash("Line removed.", "success")
    return _back(line["invoice_id"], "lines")


@bp.post("/invoices/<uuid:invoice_id>/sent")
@identity.company_required(*roles.OFFICE_STAFF)
def mark_sent(invoice_id: UUID) -> Response:
    invoice = _invoice(invoice_id)
    confirmed()
    sent = ("Marked as sent: it can now be paid, and changed only by voiding it.", "success")
    flash(*(builder.send(current_user.tenant_id, invoice) or sent))
    return _back(invoice_id)


@bp.post("/invoices/<uuid:invoice_id>/send")
@identity.company_required(*roles.OFFICE_STAFF)
def send(invoice_id: UUID) -> View:
    """A link to the invoice for the homeowner, emailed when an address is given (a draft
    becomes sent); the earlier links stop working."""
    invoice = _invoice(invoice_id)
    if invoice.row["status"] == "void":
        flash("A void invoice is not sent.", "error")
        return _back(invoice_id)
    form = SendLinkForm()
    lasts = "for a year unless the invoice is voided"
    if not document_links.send(
        form,
        partial(links.send, current_user.tenant_id, invoice.row),
        links.KIND,
        invoice_id,
        lasts,
    ):
        return _show(invoice, {"send": form}, 422)
    return _back(invoice_id, "send")


@bp.post("/invoices/links/<uuid:invoice_link_id>/revoke")
@identity.company_required(*roles.OFFICE_STAFF)
def revoke_link(invoice_link_id: UUID) -> Response:
    confirmed()
    invoice_id = found_or_404(links.revoke(current_user.tenant_id, invoice_link_id))
    flash("Link withdrawn: it no longer opens the invoice.", "success")
    return _back(invoice_id, "send")


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
        flash(builder.NOT_OPEN_FOR_PAYMENT, "error")
        return _back(invoice_id)
    form = PaymentForm(today=_today(), balance=invoice.row["balance"])
    if builder.record_payment(current_user.tenant_id, invoice_id, form):
        flash("Payment recorded.", "success")
        return _back(invoice_id, "payments")
    return _show(invoice, {"payment": form}, 422)
