"""Signing up, in and out, and resetting a forgotten password."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import db
from app.auth import bp, checks, identity, mfa, service
from app.auth.forms import (
    CodeForm,
    ForgotPasswordForm,
    ResetPasswordForm,
    SignInForm,
    SignUpForm,
)
from app.views import client_address, form_page, invalid, safe_next, show_violation

View = Response | str | tuple[str, int]


@bp.route("/sign-up", methods=["GET", "POST"])
def sign_up() -> View:
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = SignUpForm()
    if not form.validate_on_submit():
        return form_page("auth/sign_up.html", form)
    try:
        account_id, tenant_id = service.sign_up(
            email_address=form.email.data or "",
            full_name=form.full_name.data or "",
            password=form.password.data or "",
            company_name=form.company_name.data or "",
            time_zone=form.time_zone.data or "",
        )
    except db.ConstraintViolation as violation:
        show_violation(form, violation)
        return invalid("auth/sign_up.html", form=form)
    identity.start_session(account_id, 1, tenant_id)
    flash(f"Welcome to Plenum. {form.company_name.data} is ready.", "success")
    return redirect(url_for("dashboard.home"))


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> View:
    if current_user.is_authenticated:
        return redirect(safe_next(url_for("dashboard.home")))
    form = SignInForm()
    if not form.validate_on_submit():
        return form_page("auth/sign_in.html", form)
    try:
        credentials = checks.check_password(
            form.email.data or "", form.password.data or "", client_address()
        )
    except checks.TooManyAttempts:
        abort(429, "Too many sign-in attempts. Wait 15 minutes, or reset your password.")
    if credentials is None:
        form.form_errors.append("That email and password don't match an account.")
        return render_template("auth/sign_in.html", form=form), 401
    if credentials.challenge is not None:
        identity.start_second_factor(credentials.challenge, safe_next(""))
        return redirect(url_for("auth.second_factor"))
    identity.start_session(credentials.account_id, credentials.session_version)
    service.rehash_if_needed(form.password.data or "")
    return redirect(safe_next(url_for("dashboard.home")))


def _sign_in_again() -> Response:
    flash("Sign in again to continue.", "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/sign-in/code", methods=["GET", "POST"])
def second_factor() -> View:
    challenge = identity.pending_challenge()
    if challenge is None or not checks.challenge_is_open(challenge):
        return _sign_in_again()
    form = CodeForm()
    if not form.validate_on_submit():
        return form_page("auth/second_factor.html", form)
    try:
        proved = checks.check_second_factor(challenge, form.code.data or "")
    except checks.ChallengeClosed:
        return _sign_in_again()
    except checks.TooManyAttempts:
        abort(429, "Too many wrong codes. Wait 15 minutes and sign in again.")
    if proved is None:
        form.code.errors = ["That code is not right, or was already used. Try the next one."]
        return invalid("auth/second_factor.html", form=form)
    next_url = str(session.get("mfa_next") or url_for("dashboard.home"))  # checked at sign-in
    identity.start_session(proved.account_id, proved.session_version, aal="aal2")
    if proved.used_recovery:
        remaining = mfa.remaining_recovery_codes()
        flash(
            f"You used a recovery code; {remaining} left. Make new ones in your account "
            "settings if you are running low.",
            "warning",
        )
    return redirect(next_url)


@bp.route("/sign-out", methods=["POST"])
def sign_out() -> Response:
    identity.end_session()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password() -> View:
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return form_page("auth/forgot_password.html", form)
    try:
        service.request_password_reset(form.email.data or "", client_address())
    except service.TooManyAttempts:
        abort(429, "Too many reset requests from your network. Wait 15 minutes.")
    flash(
        "If an account uses that address, we have emailed it a link to choose a new"
        " password. The link works once, for one hour.",
        "info",
    )
    return redirect(url_for("auth.sign_in"))


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> View:
    if not service.reset_link_is_open(token):
        return render_template("auth/reset_link_closed.html"), 410
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return form_page("auth/reset_password.html", form)
    if service.finish_password_reset(token, form.password.data or "") is None:
        return render_template("auth/reset_link_closed.html"), 410
    identity.end_session()
    flash("Your password is changed and every other session is signed out. Sign in now.", "success")
    return redirect(url_for("auth.sign_in"))
