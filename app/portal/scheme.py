"""The portal's one preference (P-19): light, dark or the device's colour scheme, kept in a
cookie of its own. It is functional only: it holds one of three words, names nobody, is never
sent to another site and is read only to choose the page's colours, server-side (the
Content-Security-Policy allows no inline script), as `data-scheme` on <html>."""

from __future__ import annotations

from flask import current_app, redirect, request
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import RadioField

from app import forms
from app.portal import bp
from app.portal.sign_in import safe_next

COOKIE = "plenum_scheme"
SCHEMES = {"system": "Same as my device", "light": "Light", "dark": "Dark"}
ONE_YEAR = 365 * 24 * 3600


class SchemeForm(FlaskForm):
    scheme = RadioField("Colours", choices=forms.choices(SCHEMES.items()), default="system")


def current() -> str:
    """The scheme this browser chose ("system" when none, or when the cookie is not one)."""
    chosen = request.cookies.get(COOKIE, "system")
    return chosen if chosen in SCHEMES else "system"


@bp.post("/colour-scheme")
def choose_scheme() -> Response:
    """Keep the chosen scheme for a year and go back to the portal page it was chosen on."""
    form = SchemeForm()
    response = redirect(safe_next(request.form.get("next")), code=303)
    if form.validate_on_submit() and form.scheme.data in SCHEMES:
        response.set_cookie(
            COOKIE,
            form.scheme.data,
            max_age=ONE_YEAR,
            path="/",
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
            httponly=True,
            samesite="Lax",
        )
    return response


@bp.context_processor
def scheme_context() -> dict[str, object]:
    """The portal's pages carry the scheme on <html>; the menu offers the choice."""
    return {
        "portal_scheme": current(),
        "portal_scheme_form": SchemeForm(formdata=None, scheme=current()),
    }
