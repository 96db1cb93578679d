"""Signing in (with a second factor) and out. Sign-up and the emailed links: link_routes."""

from __future__ import annotations

import time
from typing import Any

from flask import abort, flash, redirect, render_template, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth import bp, identity, link_routes, mfa, service
from app.auth.forms import CodeForm, SignInForm
from app.views import client_address, form_page, invalid, safe_next

View = Response | str | tuple[str, int]


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> View:
    if current_user.is_authenticated:
        return redirect(safe_next(url_for("dashboard.home")))
    form = SignInForm()
    if not form.validate_on_submit():
        return form_page("auth/sign_in.html", form)
    try:
        credentials = service.check_password(
            form.email.data or "", form.password.data or "", client_address()
        )
    except service.TooManyAttempts:
        return link_routes.paused_page(form.email.data or "")
    if credentials is None:
        form.form_errors.append("That email and password don't match an account.")
        return render_template("auth/sign_in.html", form=form), 401
    if credentials.mfa_enabled:
        next_url = safe_next("")
        session.clear()
        session["mfa_pending"] = {
            "account_id": str(credentials.account_id),
            "session_version": credentials.session_version,
            "until": time.time() + identity.MFA_PENDING_SECONDS,
            "next": next_url,
        }
        return redirect(url_for("auth.second_factor"))
    identity.start_session(credentials.account_id, credentials.session_version)
    service.rehash_if_needed(form.password.data or "", credentials)
    return redirect(safe_next(url_for("dashboard.home")))


@bp.route("/sign-in/code", methods=["GET", "POST"])
def second_factor() -> View:
    account_id = identity.mfa_pending_account()
    if account_id is None:
        flash("Sign in again to continue.", "info")
        return redirect(url_for("auth.sign_in"))
    form = CodeForm()
    if not form.validate_on_submit():
        return form_page("auth/second_factor.html", form)
    try:
        subject = service.check_second_factor_allowed(str(account_id))
    except service.TooManyAttempts:
        abort(429, "Too many wrong codes. Wait 15 minutes and sign in again.")
    code = form.code.data or ""
    used_recovery = False
    if not mfa.verify_code(code):
        used_recovery = mfa.use_recovery_code(code)
        if not used_recovery:
            service.record_failure(subject)
            form.code.errors = ["That code is not right, or was already used. Try the next one."]
            return invalid("auth/second_factor.html", form=form)
    pending: dict[str, Any] = session["mfa_pending"]
    identity.start_session(account_id, int(pending["session_version"]))
    if used_recovery:
        remaining = mfa.remaining_recovery_codes()
        flash(
            f"You used a recovery code; {remaining} left. Make new ones in your account "
            "settings if you are running low.",
            "warning",
        )
    return redirect(pending.get("next") or url_for("dashboard.home"))


@bp.route("/sign-out", methods=["POST"])
def sign_out() -> Response:
    identity.end_session()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.sign_in"))
