"""Signing in (with a second factor) and out. Sign-up and the emailed links: link_routes."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth import bp, checks, identity, link_routes, mfa, service
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
        credentials = checks.check_password(
            form.email.data or "", form.password.data or "", client_address()
        )
    except checks.TooManyAttempts:
        return link_routes.paused_page(form.email.data or "")
    if credentials is None:
        form.form_errors.append("That email and password don't match an account.")
        return render_template("auth/sign_in.html", form=form), 401
    if credentials.challenge is not None:
        identity.start_second_factor(credentials.challenge, safe_next(""))
        return redirect(url_for("auth.second_factor"))
    identity.start_session(credentials.account_id, credentials.session_version)
    service.rehash_if_needed(form.password.data or "", credentials)
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
