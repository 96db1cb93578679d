"""Error pages: every refusal gets a page a person can read; nothing leaks a stack trace."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
from flask import Flask, Response, current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app import db
from app.views import FormRefused

MESSAGES = {
    400: ("Something was wrong with that request", "Go back, check the form and try again."),
    403: ("You don't have access to this", "Ask an owner or admin of your company for access."),
    404: ("Not found", "It may have been removed, or the address is wrong."),
    405: ("Not allowed", "That page can't be used this way."),
    413: ("Too large", "The upload is larger than allowed."),
    429: ("Too many attempts", "Wait a few minutes and try again."),
    500: ("Something went wrong on our side", "Nothing was saved. Try again in a moment."),
}
# The words of the 503 of a database outage (other 503s, a sign-in rush, keep the 500's words).
UNAVAILABLE = (
    "Plenum is briefly unavailable",
    "Nothing was saved. Try again in a minute: it should be back by then.",
)
# Seconds a client (or a browser's reload) is asked to wait after a 503.
RETRY_AFTER = 30


# Providers' webhooks (Stripe's events, Twilio's texts and statuses): when the company is closed,
# what they tell cannot be stored, and an error would only make the provider send it again for
# days. Such a refusal is acknowledged (200) and logged. Features name their webhooks here.
ACKNOWLEDGED_WHEN_CLOSED: set[str] = set()


def acknowledge_when_closed(*endpoints: str) -> None:
    """The provider's webhook `endpoints` get a 200 when their company is closed (logged)."""
    ACKNOWLEDGED_WHEN_CLOSED.update(endpoints)


# Who the request is, as features load it from the database for their pages (the homeowner of
# the portal): during an outage each is set aside, so that rendering the 503 page asks nothing
# of the database. Features register theirs.
FORGOTTEN_IN_AN_OUTAGE: list[Callable[[], None]] = []


def forget_in_an_outage(forget: Callable[[], None]) -> None:
    """`forget` makes this request's page render as a visitor's, without the database."""
    FORGOTTEN_IN_AN_OUTAGE.append(forget)


def _page(code: int, title: str | None = None, detail: str | None = None) -> tuple[str, int]:
    db.rollback_request()
    default_title, default_detail = MESSAGES.get(code, MESSAGES[500])
    return (
        render_template(
            "error.html", code=code, title=title or default_title, detail=detail or default_detail
        ),
        code,
    )


def _unavailable_page() -> Response:
    """The 503 of a database outage: the usual page, rendered as a visitor (who is signed in
    cannot be known, and the menu would ask the database), with Retry-After."""
    db.rollback_request()
    # Flask-Login keeps the request's user here: the identity that could not be loaded is
    # not asked for again, which would wait for the database a second time.
    g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]
    for forget in FORGOTTEN_IN_AN_OUTAGE:
        forget()
    title, detail = UNAVAILABLE
    page = render_template("error.html", code=503, title=title, detail=detail)
    return Response(page, 503, {"Retry-After": str(RETRY_AFTER)})


def init_app(app: Flask) -> None:
    @app.errorhandler(FormRefused)
    def form_refused(refusal: FormRefused) -> tuple[str, int]:
        return refusal.response

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return _page(
            400,
            "This form has expired",
            "For your security, forms expire. Reload the page and submit it again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | Response:
        # Flask's 500 for an error outside the views, e.g. the commit of app/db.py failing as
        # the database goes away: that is an outage too.
        cause = getattr(error, "original_exception", None)
        if cause is not None and db.unavailable(cause):
            app.logger.warning("the database is unavailable: %s", cause)
            return _unavailable_page()
        code = error.code or 500
        # Our own words when abort() gave some; never Werkzeug's generic text.
        given = error.description if error.description != type(error).description else None
        return _page(code, None, given)

    @app.errorhandler(psycopg.Error)
    def database_error(error: psycopg.Error) -> tuple[str, int] | Response:
        if db.unavailable(error):
            app.logger.warning("the database is unavailable: %s", error)
            return _unavailable_page()
        if error.sqlstate == db.COMPANY_CLOSED and request.endpoint in ACKNOWLEDGED_WHEN_CLOSED:
            db.rollback_request()
            app.logger.warning("%s: the company is closed; the call was ignored", request.endpoint)
            return "ignored: the company is closed", 200
        if error.sqlstate == db.COMPANY_CLOSED:
            # A closed company is read-only (P-11): any write, from any page, ends here.
            app.logger.info("refused a write: the company is closed")
            return _page(
                409,
                "Not saved: this company is closed",
                error.diag.message_primary
                or "Its records can be read and exported, but not changed.",
            )
        app.logger.exception("unhandled database error")
        return _page(500)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        app.logger.exception("unhandled error")
        return _page(500)
