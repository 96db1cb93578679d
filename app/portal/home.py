"""The portal's home page, sign-out, and the company's colour as a stylesheet (the
Content-Security-Policy allows no inline style)."""

from __future__ import annotations

import re

from flask import abort, make_response, redirect, render_template, url_for
from werkzeug.wrappers import Response

from app import documents
from app.portal import bp
from app.portal.identity import end, homeowner, portal_required
from app.portal.nav import NAV

_COLOUR = re.compile(r"[0-9a-f]{6}")


@bp.get("/")
@portal_required
def home() -> str:
    return render_template("portal/home.html")


@bp.get("/sign-in")
def sign_in() -> str:
    return render_template("portal/sign_in.html")


@bp.post("/sign-out")
def sign_out() -> Response:
    end()
    return redirect(url_for("portal.sign_in"), code=303)


@bp.get("/brand/<colour>.css")
def brand_css(colour: str) -> Response:
    """`--brand` for the company's pages: any colour, so that it can be cached for a year."""
    if not _COLOUR.fullmatch(colour):
        abort(404)
    response = make_response(f":root {{ --brand: #{colour}; }}\n")
    response.mimetype = "text/css"
    response.cache_control.public = True
    response.cache_control.max_age = 365 * 24 * 3600
    return response


@bp.context_processor
def portal_context() -> dict[str, object]:
    """What portal/base.html shows: the homeowner, the portal's menu, the company's logo."""
    me = homeowner()
    return {
        "portal_homeowner": homeowner,
        "portal_nav": NAV,
        "portal_logo": documents.image_url(me.logo_key) if me else None,
    }
