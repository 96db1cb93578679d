"""Accepting an invitation. The emailed link's token is exchanged for the session on first GET
(`links.exchange`); a signed-in account accepts an invitation to its own address by id."""

from __future__ import annotations

from uuid import UUID

from flask import abort, flash, redirect, session, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app import db, roles
from app.auth import identity, links
from app.auth.forms import ConfirmForm
from app.tenancy import bp, service
from app.tenancy.forms import JoinWithNewAccountForm
from app.views import show_violation

View = Response | str | tuple[str, int]


@bp.post("/team/invitations/<uuid:invitation_id>/resend")
@identity.company_required(*roles.MANAGERS)
def resend_invitation(invitation_id: UUID) -> View:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        resent = service.resend_invitation(invitation_id)
    except db.ConstraintViolation as refusal:
        flash(refusal.message, "error")
        return redirect(url_for("tenancy.team"))
    if resent is None:
        abort(404)
    flash("Invitation sent again; the earlier link no longer works.", "success")
    return redirect(url_for("tenancy.team"))


@bp.get("/invitations/<token>")
def invitation_link(token: str) -> Response:
    if service.invitation(token) is None:
        return links.page("tenancy/invitation_closed.html", 410, invitation=None)
    return links.exchange("invitation", token, "tenancy.invitation")


@bp.route("/invitation", methods=["GET", "POST"])
def invitation() -> View:
    token = links.recalled("invitation")
    found = service.invitation(token)
    if found is None or found.state != "open":
        return links.page("tenancy/invitation_closed.html", 410, invitation=found)
    if current_user.is_authenticated:
        if current_user.email != found.email:
            return links.page("tenancy/invitation_wrong_account.html", 403, invitation=found)
        return redirect(url_for("tenancy.my_invitation", my_invitation_id=found.id), code=303)
    pending = url_for("tenancy.my_invitation", my_invitation_id=found.id)
    if found.account_exists:
        return links.page("tenancy/invitation.html", invitation=found, form=None, next_url=pending)
    form = JoinWithNewAccountForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return links.page("tenancy/invitation.html", status, invitation=found, form=form)
    try:
        joined = service.accept_with_new_account(
            token, form.full_name.data or "", form.password.data or ""
        )
    except db.ConstraintViolation as violation:
        show_violation(form, violation)
        return links.page("tenancy/invitation.html", 422, invitation=found, form=form)
    if joined is None:
        return links.page("tenancy/invitation_closed.html", 410, invitation=None)
    account_id, tenant_id = joined
    identity.start_session(account_id, 1, tenant_id)
    flash(f"Welcome to {found.company_name}.", "success")
    return redirect(url_for("dashboard.home"), code=303)


@bp.route("/invitations/pending/<uuid:my_invitation_id>", methods=["GET", "POST"])
@login_required
def my_invitation(my_invitation_id: UUID) -> View:
    """An invitation to the signed-in account's own address: being signed in as that address
    is the proof, so nothing secret has to survive the sign-in."""
    found = service.my_invitation(my_invitation_id)
    if found is None:
        abort(404)
    if found.state != "open":
        return links.page("tenancy/invitation_closed.html", 410, invitation=found)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return links.page("tenancy/invitation.html", invitation=found, form=form)
    tenant_id = service.accept_mine(my_invitation_id)
    if tenant_id is None:
        return links.page("tenancy/invitation_closed.html", 410, invitation=None)
    links.forget("invitation")
    session["tenant_id"] = str(tenant_id)
    flash(f"You joined {found.company_name}.", "success")
    return redirect(url_for("dashboard.home"), code=303)
