"""The technician's invoice on site, on their phone: made from their completed visit (the
approved option's lines copied), lines added or changed while it is a draft, sent, and paid by
a payment taken on the spot (cash, cheque, the card terminal, a bank transfer) or on the
homeowner's own phone through the invoice's link, shown once as a QR code. The invoices
feature does the work (app/invoices, through its `__all__`); the database lets a technician
reach only the invoices of the jobs of their own visits, and never void one."""

from __future__ import annotations

from functools import partial
from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import company, document_links, invoices, payments, qr, roles
from app.audit.access import record_access
from app.auth import identity
from app.auth.forms import ConfirmForm
from app.forms import LineForm
from app.technician import bp, service
from app.technician.forms import PaymentLinkForm
from app.technician.routes import visit_or_404
from app.views import confirmed, form_page, found_or_404

View = Response | str | tuple[str, int]
LINE_PREFIX = "line-"
ITEM_PREFIX = "item-"


def _today() -> Any:
    return service.local_today(company.zone())


def _invoice(invoice_id: UUID) -> invoices.Invoice:
    found = found_or_404(invoices.get(current_user.tenant_id, invoice_id))
    record_access("public.invoices", invoice_id, view="technician invoice")
    return found


def _back(invoice_id: UUID, anchor: str | None = None) -> Response:
    return redirect(url_for("technician.invoice", invoice_id=invoice_id, _anchor=anchor))


@bp.post("/my-day/visits/<uuid:visit_id>/invoice")
@identity.company_required(*roles.TECHNICIANS)
def new_invoice(visit_id: UUID) -> Response:
    """The invoice of a completed visit: the one made already (not void), or a new draft."""
    found = visit_or_404(visit_id)
    confirmed()
    if found["status"] != "completed":
        flash("Complete the visit before making its invoice.", "error")
        return redirect(url_for("technician.visit", visit_id=visit_id))
    tenant_id = current_user.tenant_id
    for made in invoices.for_job(tenant_id, found["job_id"]):
        if made["visit_id"] == visit_id and made["status"] != "void":
            return _back(made["id"])
    invoice_id = found_or_404(invoices.create_from_visit(tenant_id, found, _today()))
    flash("Invoice started with the approved work: add what you did on site.", "success")
    return _back(invoice_id)


def _page(
    invoice: invoices.Invoice,
    failed: dict[str, Any] | None = None,
    status: int = 200,
    link: str | None = None,
) -> tuple[str, int]:
    """The invoice on the phone: its lines while a draft, its document and payments after;
    `link` is the homeowner's link just made, shown on this answer only."""
    failed = failed or {}
    tenant_id = current_user.tenant_id
    context: dict[str, Any] = {
        "invoice": invoice,
        "i": invoice.row,
        "number": invoices.display_number(invoice.row),
        "statuses": invoices.STATUSES,
        "confirm": ConfirmForm(),
        "visit_id": service.visit_of_job(tenant_id, invoice.row["job_id"]),
    }
    if invoice.is_draft:
        context["item_form"] = failed.get("item") or invoices.builder.item_form(tenant_id)
        context["line_form"] = failed.get("line") or LineForm(prefix=invoices.builder.LINE_PREFIX)
    else:
        letterhead = found_or_404(company.letterhead(tenant_id))
        context |= invoices.document_context(invoices.from_invoice(invoice, letterhead), heading=2)
    if invoice.takes_payments:
        context["payment_form"] = failed.get("payment") or _payment_form(invoice)
        context |= _payment_link(failed.get("link"), link)
    return render_template("technician/invoice.html", **context), status


def _payment_form(invoice: invoices.Invoice) -> invoices.PaymentForm:
    """A blank payment form (the balance, today), even on the answer to another form's POST."""
    balance, today = invoice.row["balance"], _today()
    return invoices.PaymentForm(
        formdata=None, data={"amount": balance, "received_on": today}, today=today, balance=balance
    )


def _payment_link(form: PaymentLinkForm | None, link: str | None) -> dict[str, Any]:
    """The payment link's form, and the link just made as its QR code (or neither)."""
    context: dict[str, Any] = {
        "link_form": form or PaymentLinkForm(formdata=None),
        "pays_by_card": payments.online(),
    }
    if link:
        context |= {"shown_link": link, "link_qr": qr.svg(link, sized=False)}
    return context


@bp.get("/my-day/invoices/<uuid:invoice_id>")
@identity.company_required(*roles.TECHNICIANS)
def invoice(invoice_id: UUID) -> View:
    return _page(_invoice(invoice_id))


def _draft(invoice_id: UUID) -> invoices.Invoice:
    found = _invoice(invoice_id)
    if not found.is_draft:
        abort(409)
    return found


@bp.post("/my-day/invoices/<uuid:invoice_id>/lines")
@identity.company_required(*roles.TECHNICIANS)
def add_invoice_line(invoice_id: UUID) -> View:
    found = _draft(invoice_id)
    form = LineForm(prefix=invoices.builder.LINE_PREFIX)
    if invoices.builder.add_line(current_user.tenant_id, invoice_id, form):
        flash("Line added.", "success")
        return _back(invoice_id, "lines")
    return _page(found, {"line": form}, 422)


@bp.post("/my-day/invoices/<uuid:invoice_id>/items")
@identity.company_required(*roles.TECHNICIANS)
def add_invoice_item(invoice_id: UUID) -> View:
    found = _draft(invoice_id)
    form = invoices.builder.item_form(current_user.tenant_id)
    if invoices.builder.add_item(current_user.tenant_id, found, form):
        flash("Line added from the price book.", "success")
        return _back(invoice_id, "lines")
    return _page(found, {"item": form}, 422)


@bp.route("/my-day/invoice-lines/<uuid:invoice_line_id>/edit", methods=["GET", "POST"])
@identity.company_required(*roles.TECHNICIANS)
def edit_invoice_line(invoice_line_id: UUID) -> View:
    line = invoices.builder.draft_line(current_user.tenant_id, invoice_line_id)
    form = (
        LineForm(data=invoices.builder.line_data(line)) if request.method == "GET" else LineForm()
    )
    if request.method == "GET" or not invoices.builder.change_line(
        current_user.tenant_id, invoice_line_id, form
    ):
        return form_page("technician/invoice_line.html", form, line=line)
    flash("Line saved.", "success")
    return _back(line["invoice_id"], "lines")


@bp.post("/my-day/invoice-lines/<uuid:invoice_line_id>/remove")
@identity.company_required(*roles.TECHNICIANS)
def remove_invoice_line(invoice_line_id: UUID) -> Response:
    line = invoices.builder.draft_line(current_user.tenant_id, invoice_line_id)
    confirmed()
    invoices.remove_line(current_user.tenant_id, invoice_line_id)
    flash("Line removed.", "success")
    return _back(line["invoice_id"], "lines")


@bp.post("/my-day/invoices/<uuid:invoice_id>/sent")
@identity.company_required(*roles.TECHNICIANS)
def send_invoice(invoice_id: UUID) -> Response:
    found = _invoice(invoice_id)
    confirmed()
    sent = ("Marked as sent: take the payment now, or the customer pays later.", "success")
    flash(*(invoices.builder.send(current_user.tenant_id, found) or sent))
    return _back(invoice_id)


@bp.post("/my-day/invoices/<uuid:invoice_id>/payments")
@identity.company_required(*roles.TECHNICIANS)
def take_payment(invoice_id: UUID) -> View:
    found = _invoice(invoice_id)
    if not found.takes_payments:
        flash(invoices.builder.NOT_OPEN_FOR_PAYMENT, "error")
        return _back(invoice_id)
    form = invoices.PaymentForm(today=_today(), balance=found.row["balance"])
    if invoices.builder.record_payment(current_user.tenant_id, invoice_id, form):
        flash("Payment recorded.", "success")
        return _back(invoice_id, "payments")
    return _page(found, {"payment": form}, 422)


@bp.post("/my-day/invoices/<uuid:invoice_id>/payment-link")
@identity.company_required(*roles.TECHNICIANS)
def payment_link(invoice_id: UUID) -> View:
    """A new link to the invoice (the earlier ones stop working), emailed to the customer too
    when ticked, shown as a QR code on this answer only: never in a URL, a cookie or a later
    page."""
    found = _invoice(invoice_id)
    if not found.takes_payments:
        flash(invoices.builder.NOT_OPEN_FOR_PAYMENT, "error")
        return _back(invoice_id)
    form = PaymentLinkForm()
    address = found.row["bill_to_email"] if form.email_too.data else ""
    make_link = partial(invoices.send_link, current_user.tenant_id, found.row)
    to = ("email", address) if address else None
    link = document_links.made(form, make_link, to) if form.validate() else None
    if link is None:
        return _page(found, {"link": form}, 422)
    if link.refusal or link.turned_off:
        flash(*link.told(""))
    return _page(found, link=document_links.public_url(invoices.LINK_KIND, link.token))
