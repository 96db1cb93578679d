"""The account's own settings: password and two-step sign-in."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.auth import bp, checks, identity, mfa, service
from app.auth.forms import (
    ChangePasswordForm,
    ConfirmForm,
    ConfirmTotpForm,
    DisableTotpForm,
    RecoveryCodesForm,
)

View = Response | str | tuple[str, int]
TOO_MANY_PASSWORDS = "Too many wrong passwords. Wait 15 minutes, or reset your password."
TOO_MANY_CODES = "Too many wrong codes. Wait 15 minutes and try again."


def _account_page(status: int = 200, **forms: object) -> tuple[str, int]:
    context = {
        "password_form": ChangePasswordForm(),
        "disable_form": DisableTotpForm(),
        "codes_form": RecoveryCodesForm(),
        "remaining_codes": mfa.remaining_recovery_codes() if current_user.mfa_enabled else 0,
        "sessions": identity.open_sessions(),
        "confirm_form": ConfirmForm(),
    }
    context.update(forms)
    return render_template("auth/account.html", **context), status


@bp.get("/account")
@login_required
def account() -> View:
    return _account_page()


@bp.post("/account/password")
@login_required
def change_password() -> View:
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _account_page(422, password_form=form)
    try:
        version = service.change_password(
            form.current_password.data or "", form.new_password.data or ""
        )
    except checks.TooManyAttempts:
        abort(429, TOO_MANY_PASSWORDS)
    if version is None:
        form.current_password.errors = ["That is not your current password."]
        return _account_page(422, password_form=form)
    # Every other session of the account ends; this one continues under the new version.
    identity.start_session(current_user.id, version, current_user.tenant_id, identity.session_aal())
    flash("Password changed. Your other sessions are signed out.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/sessions/end-others")
@login_required
def end_other_sessions() -> View:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ended = identity.end_other_sessions()
    flash(f"Signed out of {ended} other session{'' if ended == 1 else 's'}.", "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/two-step", methods=["GET", "POST"])
@login_required
def enrol_totp() -> View:
    if current_user.mfa_enabled:
        return redirect(url_for("auth.account"))
    secret = mfa.start_enrolment()
    uri = mfa.provisioning_uri(secret, current_user.email)
    form = ConfirmTotpForm()
    context = {"form": form, "secret": secret, "qr_svg": mfa.qr_svg(uri)}
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("auth/enrol_totp.html", **context), status
    codes = mfa.confirm_enrolment(form.code.data or "")
    if codes is None:
        form.code.errors = [
            "That code does not match. Check the time on your phone and try the next code."
        ]
        # 200, not 422: the pending secret must survive so the QR code stays the same.
        return render_template("auth/enrol_totp.html", **context), 200
    flash("Two-step sign-in is on. You will be asked for a code when you sign in.", "success")
    return render_template("auth/recovery_codes.html", codes=codes)


@bp.post("/account/two-step/recovery-codes")
@login_required
def new_recovery_codes() -> View:
    form = RecoveryCodesForm()
    if not form.validate_on_submit():
        return _account_page(422, codes_form=form)
    try:
        confirmed = checks.confirm_own_code(form.code.data or "")
    except checks.TooManyAttempts:
        abort(429, TOO_MANY_CODES)
    if not confirmed:
        form.code.errors = ["That code is not right, or was already used."]
        return _account_page(422, codes_form=form)
    return render_template("auth/recovery_codes.html", codes=mfa.replace_recovery_codes())


@bp.post("/account/two-step/off")
@login_required
def disable_totp() -> View:
    form = DisableTotpForm()
    if not form.validate_on_submit():
        return _account_page(422, disable_form=form)
    try:
        turned_off = service.turn_off_second_factor(form.password.data or "")
    except checks.TooManyAttempts:
        abort(429, TOO_MANY_PASSWORDS)
    if not turned_off:
        form.password.errors = ["That is not your password."]
        return _account_page(422, disable_form=form)
    flash("Two-step sign-in is off. We recommend turning it back on.", "warning")
    return redirect(url_for("auth.account"))
