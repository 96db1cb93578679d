"""The portal's home page and the company's colour as a stylesheet (the
Content-Security-Policy allows no inline style)."""

from __future__ import annotations

import re
from functools import lru_cache

from flask import abort, make_response, render_template
from werkzeug.wrappers import Response

from app import db, documents, sql
from app.portal import bp
from app.portal.identity import homeowner, portal_required, signed_in
from app.portal.nav import NAV
from app.portal.visits import shown

queries = sql.load(__file__, "home.sql")
_COLOUR = re.compile(r"[0-9a-f]{6}")


@bp.get("/")
@portal_required
def home() -> str:
    """The next visit, and what waits for the homeowner (estimates, invoices), in two reads."""
    me = signed_in()
    mine = {"tenant_id": me.tenant_id, "customer_id": me.customer_id}
    visits, waiting = db.query_together((queries.next_visit, None), (queries.waiting, mine))
    next_visit = shown(visits[0]) if visits else None
    return render_template("portal/home.html", next_visit=next_visit, waiting=waiting[0])


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


@lru_cache(maxsize=256)
def _logo(key: str | None) -> str | None:
    """The company's logo as a `data:` URL, read from the file store once per process: a logo
    never changes under its key (a new logo gets a new key)."""
    return documents.image_url(key)


@bp.context_processor
def portal_context() -> dict[str, object]:
    """What portal/base.html shows: the homeowner, the portal's menu, the company's logo."""
    me = homeowner()
    return {
        "portal_homeowner": homeowner,
        "portal_nav": NAV,
        "portal_logo": _logo(me.logo_key) if me else None,
    }
