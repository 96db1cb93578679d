"""The homeowner's estimate page, reached by the emailed link. The token URL only hands its
token to this browser's session, under the estimate's id, and redirects to a page without it
(so the token is in no later URL, log line or referrer); every page of the flow says
`Referrer-Policy: no-referrer`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, request, session, url_for
from werkzeug.wrappers import Response

from app import documents, payments
from app.auth import links as link_pages
from app.estimates import bp, links
from app.estimates.document import TEMPLATE
from app.estimates.document import context as document_context
from app.estimates.forms import ApproveByLinkForm, DeclineForm
from app.integrations import files

View = Response | tuple[Response, int]
KEPT_LINKS = 10  # estimates one browser may have open at once


def _session_key(estimate_id: UUID) -> str:
    return f"estimate:{estimate_id}"


@bp.get("/estimate/<token>")
def link(token: str) -> Response:
    where = links.place(token)
    if where is None:
        return link_pages.page("estimates/link_closed.html", 410)
    kept = [key for key in session if key.startswith("estimate:")]
    for key in kept[: max(0, len(kept) - KEPT_LINKS + 1)]:
        session.pop(key, None)
    session[_session_key(where[1])] = token[:200]
    return link_pages.no_referrer(
        redirect(url_for("estimates.for_customer", estimate_id=where[1]), code=303)
    )


def _token(estimate_id: UUID) -> str:
    token = session.get(_session_key(estimate_id))
    return token if isinstance(token, str) else ""


def _page(
    estimate_id: UUID,
    approve: ApproveByLinkForm | None = None,
    decline: DeclineForm | None = None,
    status: int = 200,
) -> Response:
    token = _token(estimate_id)
    if not token:
        abort(404)  # this browser never opened a link to it
    document = links.document(token)
    if document is None or str(document.estimate["id"]) != str(estimate_id):
        return link_pages.page("estimates/link_closed.html", 410)
    approve = approve or ApproveByLinkForm()
    approve.set_options(document.options)
    if approve.option.data is None and document.options:
        approve.option.data = document.options[0].id
    context: dict[str, Any] = {
        **document_context(document, choice_label="Your choice"),
        "approve_form": approve,
        "decline_form": decline or DeclineForm(),
        "deposit": payments.deposit_due(token)
        if document.estimate["status"] == "approved"
        else None,
        "deposit_back": request.args.get("deposit", "")[:20],
    }
    return link_pages.page("estimates/for_customer.html", status, **context)


@bp.get("/estimate/view/<uuid:estimate_id>")
def for_customer(estimate_id: UUID) -> Response:
    return _page(estimate_id)


@bp.get("/estimate/view/<uuid:estimate_id>/estimate.pdf")
def customer_pdf(estimate_id: UUID) -> Response:
    """The page's document as a PDF to keep, to the same browser only."""
    token = _token(estimate_id)
    if not token:
        abort(404)
    document = links.document(token)
    if document is None or str(document.estimate["id"]) != str(estimate_id):
        abort(404)  # the link was withdrawn, or its estimate revised, since
    data = documents.pdf(TEMPLATE, **document_context(document, choice_label="Your choice"))
    return link_pages.no_referrer(documents.download(data, document.filename))


@bp.post("/estimate/view/<uuid:estimate_id>/approve")
def approve_by_link(estimate_id: UUID) -> View:
    token = _token(estimate_id)
    if not token:
        abort(404)
    document = links.document(token)
    if document is None:
        return link_pages.page("estimates/link_closed.html", 410)
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
    return link_pages.no_referrer(
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
    return link_pages.no_referrer(
        redirect(url_for("estimates.for_customer", estimate_id=estimate_id), code=303)
    )


@bp.post("/estimate/view/<uuid:estimate_id>/deposit")
def pay_deposit(estimate_id: UUID) -> View:
    """Send the homeowner to Stripe Checkout for the approved estimate's deposit; Stripe sends
    them back to this page (paid or cancelled)."""
    token = _token(estimate_id)
    if not token:
        abort(404)
    back = payments.public_url(url_for("estimates.for_customer", estimate_id=estimate_id))
    try:
        url = payments.start_deposit_checkout(
            token, back + "?deposit=paid", back + "?deposit=cancelled"
        )
    except payments.PaymentsUnavailable as refused:
        flash(str(refused), "error")
        url = None
    if url is None:
        return link_pages.no_referrer(
            redirect(url_for("estimates.for_customer", estimate_id=estimate_id), code=303)
        )
    return link_pages.no_referrer(redirect(url, code=303))
