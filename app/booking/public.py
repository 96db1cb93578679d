"""The company's public booking page (`/book/<slug>`) for new homeowners: their details and the
problem, then one of the live windows, then thanks. Everything runs as the token holder's role
(`db.SIGN_IN`) through definers keyed by the page's slug. Whatever is typed, the answer is the
same: a new customer (a lead) is always made, so the page never tells whether a phone, email
or address is known. A filled-in hidden field (a bot) is thanked and nothing is saved."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, redirect, render_template, session, url_for
from werkzeug.wrappers import Response

from app import db, phones, sql, vocabulary
from app.auth.links import TooManyRequests, call, page
from app.booking import bp, windows
from app.booking.constraints import WINDOW_TAKEN
from app.booking.forms import PublicBookingForm
from app.forms import choices
from app.views import show_violation

queries = sql.load(__file__, "public.sql")
DETAILS = "booking/public.html"
THANKS_KEY = "booking:thanks"


# A page that is not found, switched off, or whose company is closed (P-11) reads the same.
NOT_TAKING_BOOKINGS = (
    "This booking page is not taking bookings: the company no longer uses it, or the address"
    " is wrong. Contact the company another way."
)


def _page(slug: str) -> db.Row:
    rows = call(queries.page, {"slug": slug[:100]})
    if not rows:
        abort(404, NOT_TAKING_BOOKINGS)
    return rows[0]


def _form(found: db.Row) -> PublicBookingForm:
    form = PublicBookingForm()
    form.kind.choices = choices((k, vocabulary.JOB_KINDS[k]) for k in found["kinds"])
    return form


def _render(slug: str, found: db.Row, form: PublicBookingForm, status: int, **extra: Any) -> Any:
    context = {
        "slug": slug,
        "company": found,
        "phone": phones.readable(found["company_phone"] or ""),
        "form": form,
        "step": "details",
    } | extra
    return page(DETAILS, status, **context)


def _with_windows(slug: str, found: db.Row, form: PublicBookingForm, status: int) -> Any:
    rows = call(queries.windows, {"slug": slug, "kind": form.kind.data})
    days = windows.by_day(rows, ZoneInfo(found["time_zone"]))
    kind = vocabulary.JOB_KINDS.get(form.kind.data or "", "")
    return _render(
        slug,
        found,
        form,
        status,
        step="windows",
        days=days,
        zone=ZoneInfo(found["time_zone"]),
        kind=kind,
    )


@bp.route("/book/<slug>", methods=["GET", "POST"])
def public_page(slug: str) -> Any:
    found = _page(slug)
    form = _form(found)
    if not form.is_submitted():
        return _render(slug, found, form, 200)
    if form.website.data:
        session[THANKS_KEY] = {"slug": slug, "status": "", "starts": "", "ends": ""}
        return redirect(url_for("booking.public_thanks", slug=slug), code=303)
    if not form.validate():
        return _render(slug, found, form, 422)
    starts = windows.parse(form.window.data)
    if starts is None:
        if form.window.data:
            form.window.errors = ["Pick one of the times below."]
        return _with_windows(slug, found, form, 422 if form.window.data else 200)
    return _book(slug, found, form, starts)


def _book(slug: str, found: db.Row, form: PublicBookingForm, starts: Any) -> Any:
    fields = (
        "first_name",
        "last_name",
        "phone",
        "email",
        "street",
        "unit",
        "city",
        "region",
        "postal_code",
        "kind",
        "description",
    )
    params = {name: getattr(form, name).data or "" for name in fields}
    try:
        booked = call(queries.book, params | {"slug": slug, "window": starts})[0]
    except TooManyRequests:
        return _render(slug, found, form, 429, limited=True)
    except db.ConstraintViolation as violation:
        if violation.constraint == "online_bookings_window_open":
            form.window.errors = [WINDOW_TAKEN]
            return _with_windows(slug, found, form, 409)
        show_violation(form, violation)
        return _render(slug, found, form, 422)
    session[THANKS_KEY] = {
        "slug": slug,
        "status": booked["status"],
        "starts": booked["window_starts_at"].isoformat(),
        "ends": booked["window_ends_at"].isoformat(),
    }
    return redirect(url_for("booking.public_thanks", slug=slug), code=303)


@bp.get("/book/<slug>/thanks")
def public_thanks(slug: str) -> Response | str:
    found = _page(slug)
    booked = session.get(THANKS_KEY)
    if not isinstance(booked, dict) or booked.get("slug") != slug:
        return redirect(url_for("booking.public_page", slug=slug), code=303)
    starts, ends = (
        datetime.fromisoformat(booked[key]) if booked.get(key) else None
        for key in ("starts", "ends")
    )
    return render_template(
        "booking/public_thanks.html",
        slug=slug,
        company=found,
        phone=phones.readable(found["company_phone"] or ""),
        booked=booked,
        starts=starts,
        ends=ends,
        zone=ZoneInfo(found["time_zone"]),
    )
