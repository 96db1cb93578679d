"""Team page, invitations and the company switcher."""

from __future__ import annotations

from uuid import UUID

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app import db, roles
from app.auth import identity
from app.auth.forms import ConfirmForm
from app.forms import choices
from app.tenancy import bp, service
from app.tenancy.forms import InviteForm, RoleForm, SwitchCompanyForm
from app.views import show_violation

View = Response | str | tuple[str, int]
LAST_PAGE = 100_000  # beyond any real team; keeps OFFSET inside bigint for absurd ?page= values


def _team_page(status: int = 200, invite_form: InviteForm | None = None) -> tuple[str, int]:
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), LAST_PAGE)
    members, total = service.list_members(current_user.tenant_id, page)
    return render_template(
        "tenancy/team.html",
        members=members,
        total=total,
        page=page,
        pages=max((total + service.PAGE_SIZE - 1) // service.PAGE_SIZE, 1),
        invitations=service.list_open_invitations(current_user.tenant_id),
        invite_form=invite_form or InviteForm(),
        role_form=RoleForm(),
        confirm_form=ConfirmForm(),
        roles=service.ROLES,
    ), status


@bp.get("/team")
@identity.company_required(*roles.MANAGERS)
def team() -> View:
    return _team_page()


@bp.post("/team/invitations")
@identity.company_required(*roles.MANAGERS)
def invite() -> View:
    form = InviteForm()
    if not form.validate_on_submit():
        return _team_page(422, form)
    try:
        service.invite(
            current_user.tenant_id,
            current_user.company.name,
            current_user.role,
            form.email.data or "",
            form.role.data or "",
        )
    except service.NotAllowed as refusal:
        form.email.errors = [str(refusal)]
        return _team_page(422, form)
    except db.ConstraintViolation as violation:
        show_violation(form, violation)
        return _team_page(422, form)
    flash(f"Invitation sent to {form.email.data}.", "success")
    return redirect(url_for("tenancy.team"))


@bp.post("/team/invitations/<uuid:invitation_id>/revoke")
@identity.company_required(*roles.MANAGERS)
def revoke_invitation(invitation_id: UUID) -> View:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not service.revoke_invitation(current_user.tenant_id, invitation_id):
        abort(404)
    flash("Invitation revoked; its link no longer works.", "success")
    return redirect(url_for("tenancy.team"))


def _member_or_404(membership_id: UUID) -> dict[str, object]:
    target = service.member(current_user.tenant_id, membership_id)
    if target is None:
        abort(404)
    return target


@bp.post("/team/members/<uuid:membership_id>/role")
@identity.company_required(*roles.MANAGERS)
def change_role(membership_id: UUID) -> View:
    target = _member_or_404(membership_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash("Choose one of the listed roles.", "error")
        return _team_page(422)
    try:
        service.change_role(current_user.tenant_id, current_user.role, target, form.role.data or "")
    except (service.NotAllowed, db.ConstraintViolation) as refusal:
        flash(str(refusal), "error")
        return _team_page(422)
    flash(f"{target['full_name']} is now {service.ROLES[form.role.data or '']}.", "success")
    return redirect(url_for("tenancy.team"))


@bp.post("/team/members/<uuid:membership_id>/remove")
@identity.company_required(*roles.MANAGERS)
def remove_member(membership_id: UUID) -> View:
    target = _member_or_404(membership_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        service.remove_member(current_user.tenant_id, current_user.role, target)
    except (service.NotAllowed, db.ConstraintViolation) as refusal:
        flash(str(refusal), "error")
        return _team_page(422)
    flash(f"{target['full_name']} no longer has access to {current_user.company.name}.", "success")
    return redirect(url_for("tenancy.team"))


@bp.post("/companies/switch")
@login_required
def switch_company() -> View:
    form = SwitchCompanyForm()
    form.tenant_id.choices = choices((str(c.tenant_id), c.name) for c in current_user.companies)
    if not form.validate_on_submit():
        abort(404)
    session["tenant_id"] = form.tenant_id.data
    chosen = next(c for c in current_user.companies if str(c.tenant_id) == form.tenant_id.data)
    flash(f"You are now working in {chosen.name}.", "info")
    return redirect(url_for("dashboard.home"))
