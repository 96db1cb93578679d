"""Carrying out a privacy request from its page (P-10): an access request's copy of the
customer's data, an erasure (owners and admins, confirmed; refused with its reason under a
legal hold), restricting or no longer restricting processing. A correction is the customer's
edit page, opened for the request (app/customers ties the changes to it in the audit log).
Each answer is then recorded on the request's page."""

from __future__ import annotations

from uuid import UUID

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import customers, db, roles
from app.auth import identity
from app.auth.forms import ConfirmForm
from app.privacy_requests import access, bp, service
from app.privacy_requests.vocabulary import KINDS

View = Response | str | tuple[str, int]


def _with_customer(privacy_request_id: UUID, kind: str | None = None) -> db.Row:
    """The company's request (of this kind, when named) still linked to its customer; a 404
    otherwise. A copy of the data or a restriction may go with any request (a homeowner asking
    to be erased may want their copy first); erasure only with a request to delete."""
    found = service.request(current_user.tenant_id, privacy_request_id)
    if found is None or found["customer_id"] is None or kind not in (None, found["kind"]):
        abort(404)
    return found


@bp.get("/privacy-requests/<uuid:privacy_request_id>/data.zip")
@identity.company_required(*roles.OFFICE_STAFF)
def data(privacy_request_id: UUID) -> View:
    found = _with_customer(privacy_request_id)
    archive = access.data_zip(current_user.tenant_id, found["customer_id"])
    name = f"customer-data-{found['customer_id']}.zip"
    return Response(
        archive,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/privacy-requests/<uuid:privacy_request_id>/erase", methods=["GET", "POST"])
@identity.company_required(*roles.MANAGERS)
def erase(privacy_request_id: UUID) -> View:
    found = _with_customer(privacy_request_id, "deletion")
    form = ConfirmForm()
    page = {"r": found, "form": form, "kinds": KINDS}
    if not form.validate_on_submit():
        return render_template("privacy_requests/erase.html", **page), (
            422 if form.is_submitted() else 200
        )
    try:
        if not customers.erase_customer(found["customer_id"]):
            abort(404)
    except db.ConstraintViolation as refused:
        form.form_errors.append(refused.message)
        if found["legal_hold"]:
            form.form_errors.append(f"The hold: {found['legal_hold']}")
        return render_template("privacy_requests/erase.html", **page), 409
    flash("The customer was erased. Record the answer to complete the request.", "success")
    return redirect(url_for("privacy_requests.show", privacy_request_id=privacy_request_id))


@bp.post("/privacy-requests/<uuid:privacy_request_id>/restriction")
@identity.company_required(*roles.OFFICE_STAFF)
def restriction(privacy_request_id: UUID) -> View:
    found = _with_customer(privacy_request_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    restricted = request.form.get("restricted") == "yes"
    customers.set_restriction(current_user.tenant_id, found["customer_id"], restricted)
    flash(
        "Processing is restricted: no messages, campaigns, reminders or office exports."
        if restricted
        else "Processing is no longer restricted.",
        "success",
    )
    return redirect(url_for("privacy_requests.show", privacy_request_id=privacy_request_id))
