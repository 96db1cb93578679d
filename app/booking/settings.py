"""The company's online booking settings (owners and admins): what homeowners may book online,
how far ahead and how soon, whether the office confirms first, the portal's cut-off for
changes, and the public booking page's link with a snippet to put on the company's website."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user
from markupsafe import escape
from werkzeug.wrappers import Response

from app import db, roles, sql, vocabulary
from app.auth import identity
from app.booking import bp
from app.booking.forms import BookingSettingsForm
from app.views import form_page, found_or_404, saved

queries = sql.load(__file__, "settings.sql")
TEMPLATE = "booking/settings.html"


def link(slug: str) -> str:
    """The public booking page's address."""
    return f"{current_app.config['PLENUM'].public_url}/book/{slug}"


def snippet(slug: str, company: str) -> str:
    """HTML to paste on the company's website: a link to its booking page (the page itself is
    never framed: it refuses to be shown inside another site)."""
    return (
        f'<a href="{escape(link(slug))}" target="_blank" rel="noopener">'
        f"Book a visit with {escape(company)}</a>"
    )


def _context(found: db.Row) -> dict[str, Any]:
    return {
        "settings": found,
        "link": link(found["slug"]),
        "snippet": snippet(found["slug"], current_user.company.name),
        "kinds": vocabulary.JOB_KINDS,
    }


def _save(tenant_id: UUID, form: BookingSettingsForm) -> None:
    if not db.write(queries.save_settings, {"tenant_id": tenant_id} | form.values()):
        raise PermissionError("online booking settings")


@bp.route("/company/online-booking", methods=["GET", "POST"])
@identity.company_required(*roles.MANAGERS)
def settings() -> Response | str | tuple[str, int]:
    found = found_or_404(db.one(queries.settings, {"tenant_id": current_user.tenant_id}))
    if request.method == "GET":
        return form_page(TEMPLATE, BookingSettingsForm(data=dict(found)), **_context(found))
    form = BookingSettingsForm()
    saved(form, TEMPLATE, lambda: _save(current_user.tenant_id, form), **_context(found))
    flash("Online booking settings saved.", "success")
    return redirect(url_for("booking.settings"), code=303)
