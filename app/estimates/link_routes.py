"""The homeowner's estimate page, reached by the emailed link. The token URL only hands its
token to this browser's session, under the estimate's id, and redirects to a page without it
(so the token is in no later URL, log line or referrer); every page of the flow says
`Referrer-Policy: no-referrer`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from app import document_links, documents, payments
from app.auth.links import no_referrer, page
from app.estimates import bp, links
from app.estimates.document import TEMPLATE, Document, Photo
from app.estimates.document import context as document_context
from app.estimates.forms import ApproveByLinkForm, DeclineForm
from app.integrations import files

View = Response | tuple[Response, int]
WHY_CLOSED = (
    "The estimate it opened has expired, was replaced by a newer one, or the link was withdrawn."
    " If you were expecting an estimate, call the company that sent it and ask them to send it"
    " again."
)


@bp.get("/estimate/<token>")
def link(token: str) -> Response:
    return document_links.opened(
        links.KIND, token, links.place, "estimates.for_customer", WHY_CLOSED
    )


def _token(estimate_id: UUID) -> str:
    return document_links.held(links.KIND, estimate_id)


def _held(estimate_id: UUID) -> Document | None:
    """The estimate this browser's link opens (404 without one; None when closed since)."""
    return document_links.held_document(
        links.KIND, estimate_id, links.document, lambda d: d.estimate["id"]
    )


def _page(
    estimate_id: UUID,
    approve: ApproveByLinkForm | None = None,
    decline: DeclineForm | None = None,
    status: int = 200,
) -> Response:
    document = _held(estimate_id)
    if document is None:
        return document_links.closed(WHY_CLOSED)
    approve = approve or ApproveByLinkForm()
    approve.set_options(document.options)
    if approve.option.data is None and document.options:
        approve.option.data = document.options[0].id
    context: dict[str, Any] = {
        **document_context(
            document,
            choice_label="Your choice",
            photo_src=lambda photo: _photo_url(estimate_id, photo),
        ),
        "approve_form": approve,
        "decline_form": decline or DeclineForm(),
        "deposit": payments.deposit_due(_token(estimate_id))
        if document.estimate["status"] == "approved"
        else None,
        "deposit_back": request.args.get("deposit", "")[:20],
    }
    return page("estimates/for_customer.html", status, **context)


@bp.get("/estimate/view/<uuid:estimate_id>")
def for_customer(estimate_id: UUID) -> Response:
    return _page(estimate_id)


def _photo_url(estimate_id: UUID, photo: Photo) -> str:
    return url_for("estimates.customer_photo", estimate_id=estimate_id, photo_id=photo.id)


@bp.get("/estimate/view/<uuid:estimate_id>/photos/<uuid:photo_id>")
def customer_photo(estimate_id: UUID, photo_id: UUID) -> Response:
    """A photo of the page's estimate, to the same browser only: the link's definer answers
    only for a photo of the estimate the link opens (any other is 404)."""
    token = _token(estimate_id)
    if not token:
        abort(404)
    found = links.photo(token, photo_id)
    if found is None or found[0] != estimate_id:
        abort(404)
    response = Response(found[1], mimetype="image/jpeg")
    # Kept by no cache: once the link is withdrawn, the photo is not still on the device.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = "inline"
    return no_referrer(response)


@bp.get("/estimate/view/<uuid:estimate_id>/estimate.pdf")
def customer_pdf(estimate_id: UUID) -> Response:
    """The page's document as a PDF to keep, to the same browser only."""
    document = _held(estimate_id)
    if document is None:
        abort(404)  # the link was withdrawn, or its estimate revised, since
    data = documents.pdf(TEMPLATE, **document_context(document, choice_label="Your choice"))
    return no_referrer(documents.download(data, document.filename))


@bp.post("/estimate/view/<uuid:estimate_id>/approve")
def approve_by_link(estimate_id: UUID) -> View:
    token = _token(estimate_id)
    if not token:
        abort(404)
    document = links.document(token)
    if document is None:
        return document_links.closed(WHY_CLOSED)
    form = ApproveByLinkForm()
    form.set_options(document.options)
    if not form.validate_on_submit():
        return _page(estimate_id, approve=form, status=422)
    try:
        signature = files.decode_signature(form.signature.data or "")
    except files.FileRefused as refused:
        form.signature.errors = [str(refused)]
        return _page(estimate_id, approve=form, status=422)
    outcome = links.approve(token, form.option.data or "", form.signed_by.data or "", signature)
    if outcome == "closed":
        flash("This estimate can no longer be approved. Call us to go ahead.", "error")
    elif outcome == "already":
        flash("This estimate was already approved: nothing was changed.", "info")
    else:
        flash(
            "Thank you: your approval is recorded. We will call you to schedule the work.",
            "success",
        )
    return no_referrer(
        redirect(url_for("estimates.for_customer", estimate_id=estimate_id), code=303)
    )


@bp.post("/estimate/view/<uuid:estimate_id>/decline")
def decline_by_link(estimate_id: UUID) -> View:
    token = _token(estimate_id)
    if not token:
        abort(404)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _page(estimate_id, decline=form, status=422)
    outcome = links.decline(token, form.reason.data or "")
    if outcome == "closed":
        abort(410)
    flash(
        "Thank you for letting us know." if outcome == "declined" else "Already declined.",
        "info",
    )
    return no_referrer(
        redirect(url_for("estimates.for_customer", estimate_id=estimate_id), code=303)
    )


@bp.post("/estimate/view/<uuid:estimate_id>/deposit")
def pay_deposit(estimate_id: UUID) -> View:
    """Send the homeowner to Stripe Checkout for the approved estimate's deposit; Stripe sends
    them back to this page (paid or cancelled)."""
    token = _token(estimate_id)
    if not token:
        abort(404)
    here = url_for("estimates.for_customer", estimate_id=estimate_id)
    return payments.pay_by_link(payments.start_deposit_checkout, token, here, "deposit")
