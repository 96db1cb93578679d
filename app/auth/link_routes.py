"""Pages of the emailed links: sign-up and its confirmation, password reset, sign-in unlock.
Each token URL only hands its token to the session and redirects (`links.exchange`)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import db
from app.auth import bp, identity, links
from app.auth.forms import ConfirmForm, ForgotPasswordForm, ResetPasswordForm, SignUpForm
from app.views import form_page, invalid, show_violation

View = Response | str | tuple[str, int]
TOO_MANY_SIGN_UPS = "Too many sign-ups from your network or for this address. Wait an hour."
TOO_MANY_LINKS = "Too many requests from your network. Wait 15 minutes."


# --- sign-up ----------------------------------------------------------------------------------


@bp.route("/sign-up", methods=["GET", "POST"])
def sign_up() -> View:
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = SignUpForm()
    if not form.validate_on_submit():
        return form_page("auth/sign_up.html", form)
    email = form.email.data or ""
    try:
        links.start_sign_up(
            email=email,
            full_name=form.full_name.data or "",
            password=form.password.data or "",
            company_name=form.company_name.data or "",
            time_zone=form.time_zone.data or "",
        )
    except links.TooManyRequests:
        abort(429, TOO_MANY_SIGN_UPS)
    except db.ConstraintViolation as violation:
        show_violation(form, violation)
        return invalid("auth/sign_up.html", form=form)
    # A taken address gets exactly this answer too; its owner gets an email saying so.
    session["sign_up_email"] = email
    return redirect(url_for("auth.sign_up_sent"), code=303)


@bp.get("/sign-up/sent")
def sign_up_sent() -> View:
    email = session.get("sign_up_email")
    if not isinstance(email, str):
        return redirect(url_for("auth.sign_up"))
    return render_template("auth/sign_up_sent.html", email=email, form=ConfirmForm())


@bp.post("/sign-up/resend")
def resend_sign_up() -> View:
    email = session.get("sign_up_email")
    if not isinstance(email, str) or not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        links.resend_sign_up(email)
    except links.TooManyRequests:
        abort(429, TOO_MANY_SIGN_UPS)
    flash(f"We sent a new link to {email}. Earlier links no longer work.", "info")
    return redirect(url_for("auth.sign_up_sent"), code=303)


@bp.get("/sign-up/confirm/<token>")
def sign_up_link(token: str) -> Response:
    if links.sign_up_to_confirm(token) is None:
        return links.page("auth/sign_up_link_closed.html", 410)
    return links.exchange("sign_up", token, "auth.confirm_sign_up")


@bp.route("/sign-up/confirm", methods=["GET", "POST"])
def confirm_sign_up() -> View:
    token = links.recalled("sign_up")
    pending = links.sign_up_to_confirm(token)
    if pending is None:
        return links.page("auth/sign_up_link_closed.html", 410)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return links.page("auth/confirm_sign_up.html", pending=pending, form=form)
    created = links.finish_sign_up(token)
    if created is None:
        return links.page("auth/sign_up_link_closed.html", 410)
    account_id, tenant_id = created
    identity.start_session(account_id, 1, tenant_id)
    flash(f"Welcome to Plenum. {pending['company_name']} is ready.", "success")
    return redirect(url_for("dashboard.home"), code=303)


# --- password reset ---------------------------------------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password() -> View:
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return form_page("auth/forgot_password.html", form)
    try:
        links.request_password_reset(form.email.data or "")
    except links.TooManyRequests:
        abort(429, "Too many reset requests from your network. Wait 15 minutes.")
    flash(
        "If an account uses that address, we have emailed it a link to choose a new"
        " password. The link works once, for one hour.",
        "info",
    )
    return redirect(url_for("auth.sign_in"))


@bp.get("/password/reset/<token>")
def reset_link(token: str) -> Response:
    if not links.reset_is_open(token):
        return links.page("auth/reset_link_closed.html", 410)
    return links.exchange("reset", token, "auth.reset_password")


@bp.route("/password/reset", methods=["GET", "POST"])
def reset_password() -> View:
    token = links.recalled("reset")
    if not links.reset_is_open(token):
        return links.page("auth/reset_link_closed.html", 410)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return links.page(
            "auth/reset_password.html", 422 if form.is_submitted() else 200, form=form
        )
    if not links.finish_password_reset(token, form.password.data or ""):
        return links.page("auth/reset_link_closed.html", 410)
    identity.end_session()
    flash("Your password is changed and every other session is signed out. Sign in now.", "success")
    return redirect(url_for("auth.sign_in"))


# --- sign-in paused: the emailed unlock link --------------------------------------------------


def paused_page(email: str) -> tuple[str, int]:
    """The "sign-in paused" answer, offering a reset and an emailed link that lifts the pause."""
    return render_template("auth/sign_in_paused.html", form=ForgotPasswordForm(email=email)), 429


@bp.post("/sign-in/paused")
def request_unlock() -> View:
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return invalid("auth/sign_in_paused.html", form=form)
    try:
        links.request_sign_in_unlock(form.email.data or "")
    except links.TooManyRequests:
        abort(429, TOO_MANY_LINKS)
    flash(
        "If an account uses that address, we have emailed it a link to sign in again"
        " (one link per pause; it works once, for one hour).",
        "info",
    )
    return redirect(url_for("auth.sign_in"))


@bp.get("/sign-in/unlock/<token>")
def unlock_link(token: str) -> Response:
    if not links.unlock_is_open(token):
        return links.page("auth/unlock_link_closed.html", 410)
    return links.exchange("unlock", token, "auth.unlock_sign_in")


@bp.route("/sign-in/unlock", methods=["GET", "POST"])
def unlock_sign_in() -> View:
    token = links.recalled("unlock")
    if not links.unlock_is_open(token):
        return links.page("auth/unlock_link_closed.html", 410)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return links.page("auth/unlock.html", form=form)
    if not links.use_unlock(token):
        return links.page("auth/unlock_link_closed.html", 410)
    links.forget("unlock")
    flash("Sign-in is open again for your account. Sign in now.", "success")
    return redirect(url_for("auth.sign_in"))
