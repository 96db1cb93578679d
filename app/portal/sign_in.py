"""The homeowner's sign-in without a password, and sign-out.

The homeowner names the email or mobile number their company has on file; the database
(20261210110000_portal_sign_in.sql) mints a 6-digit code and a link, keeps only their hashes,
and gives this browser a handle to the request, after the same work whether or not the address
is known; a second step, which the answer does not wait for, has it queue the message itself
(to an address on file only).
The code (with the handle) or the link, once, within 15 minutes, opens a portal session, or,
for an address on file as several customers, a choice of one of them.

Each step runs as `plenum_signin` in a short transaction of its own, committed whatever the
page answers, so a wrong code counts even though its page is a 422. The link's token is traded
for this browser's session on its first GET and the browser sent on to a token-free page,
which uses the link only when the homeowner presses its button (mail scanners that open links
use nothing up)."""

from __future__ import annotations

import logging
from concurrent import futures
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit
from uuid import UUID

import psycopg
from flask import abort, g, make_response, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from psycopg_pool import ConnectionPool
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app import db, forms, phones, sql
from app.portal import bp
from app.portal.identity import end, homeowner, start

queries = sql.load(__file__, "sign_in.sql")
log = logging.getLogger(__name__)
# The second step of a request for a code (send_soon): beside the answer, never before it.
_sender = futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="portal-sign-in")
_sending: set[futures.Future[None]] = set()

RATE_LIMITED = "PT429"  # SQLSTATE of iam.check_limit's refusal
CHALLENGE = "portal:challenge"  # the handle of this browser's request for a code
ADDRESS = "portal:address"  # the address it was sent to, as the homeowner typed it
CHOICE = "portal:choice"  # a proved address's choice among several customers
LINK = "portal:link"  # a sign-in link's token, after its first GET
NEXT = "portal:next"  # the portal page to show once signed in

TOO_MANY = "Too many sign-in attempts for this address or from your network. Wait 15 minutes."
WRONG_CODE = "That code is not right. Check the message and try again."
CLOSED = "This code no longer works (codes work once, for 15 minutes). Ask for a new one."
LINK_CLOSED = "This link no longer works (links work once, for 15 minutes). Ask for a new one."
UNKNOWN = "No customer account is on file for this address any more. Call the company."
MESSAGES = {
    "portal_challenges_address_format": (
        "address",
        "Enter the email address or mobile number your company has on file.",
    ),
}
db.register_messages(MESSAGES)

View = Response | str | tuple[str, int]


class TooManyRequests(Exception):
    """The database's limit for this address or this network is reached."""


class AddressForm(FlaskForm):
    address = StringField(
        "Email or mobile number",
        filters=[forms.strip_text],
        validators=[
            DataRequired("Enter your email address or mobile number."),
            Length(max=254, message="At most 254 characters."),
        ],
        render_kw={"autocomplete": "username", "autofocus": True},
    )


class CodeForm(FlaskForm):
    code = forms.code_field("6-digit code")


@dataclass(frozen=True)
class Verdict:
    verdict: str  # signed_in, choose, wrong, closed, unknown
    session_token: str | None
    choice_token: str | None


# --- the database's steps, each committed on its own -------------------------------------------


def _context() -> dict[str, str]:
    return {"request_id": g.get("request_id", ""), "client_addr": request.remote_addr or ""}


def _run(
    statement: str,
    params: dict[str, Any],
    pool: ConnectionPool | None = None,
    context: dict[str, str] | None = None,
) -> list[db.Row]:
    """One step as `plenum_signin`, in its own transaction, with this request's id and client
    address (the limits per network read it)."""
    context = context if context is not None else _context()
    try:
        with (pool or db.pool()).connection() as raw:
            conn = cast(db.Connection, raw)
            with conn.transaction():
                db.begin(conn, db.SIGN_IN, context)
                return conn.execute(statement, params).fetchall()
    except psycopg.errors.IntegrityError as error:
        raise db.translate(error) from error
    except psycopg.Error as error:
        if error.sqlstate == RATE_LIMITED:
            raise TooManyRequests from error
        raise


def _step(statement: str, params: dict[str, Any]) -> db.Row:
    rows = _run(statement, params)
    return rows[0] if rows else {}


def normalized(text: str) -> str:
    """An email lower-cased, or a phone number in E.164; raises phones.InvalidPhone."""
    text = text.strip()
    return text.lower() if "@" in text else phones.normalize(text)


def request_code(address: str) -> str:
    """Ask the database for a code and a link for `address`; the handle of the request (the
    same answer, after the same work, whether or not the address is on file)."""
    return str(_step(queries.request, {"address": address})["handle"])


def send_soon(handle: str) -> None:
    """Have the database send the request's message (to an address on file; nothing otherwise)
    in a thread of its own, which the answer does not wait for: the time of the answer says
    nothing about the address."""
    pool, context = db.pool(), _context()

    def send() -> None:
        try:
            _run(queries.send, {"handle": handle}, pool, context)
        except Exception:  # the answer is given; the homeowner can ask again
            log.exception("portal sign-in: the message could not be queued")

    future = _sender.submit(send)
    _sending.add(future)
    future.add_done_callback(_sending.discard)


def settle(timeout: float = 10.0) -> None:
    """Wait for the messages being queued (for tests, and before a process stops)."""
    futures.wait(list(_sending), timeout=timeout)


def _verdict(row: db.Row) -> Verdict:
    return Verdict(row["verdict"], row["session_token"], row["choice_token"])


def check_code(handle: str, code: str) -> Verdict:
    return _verdict(_step(queries.with_code, {"handle": handle, "code": code}))


def link_is_open(token: str) -> bool:
    return bool(_step(queries.link_is_open, {"token": token[:200]})["open"])


def use_link(token: str) -> Verdict:
    return _verdict(_step(queries.with_link, {"token": token[:200]}))


def choices(choice: str) -> list[db.Row]:
    """The customers a proved address may sign in as (company and name), for its browser."""
    return _run(queries.choices, {"choice": choice[:200]})


def choose(choice: str, customer_id: UUID) -> str | None:
    row = _step(queries.choose, {"choice": choice, "customer_id": customer_id})
    return cast(str | None, row.get("session_token"))


# --- pages ------------------------------------------------------------------------------------


def safe_next(value: object) -> str:
    """Where to go once signed in: a portal path of this site only, else the portal's home."""
    home = url_for("portal.home")
    if not isinstance(value, str) or len(value) > 500:
        return home
    parts = urlsplit(value)
    if (
        parts.scheme
        or parts.netloc
        or not (parts.path == "/portal" or parts.path.startswith("/portal/"))
        or value.startswith("//")
        or any(c in value for c in "\\\r\n\t")
        or ".." in parts.path
    ):
        return home
    return value


def no_referrer(response: Any) -> Any:
    """Pages of the sign-in never name themselves (nor a token) to another site."""
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def page(template: str, status: int = 200, **context: object) -> Response:
    return no_referrer(make_response(render_template(template, **context), status))


def _signed_in(
    verdict: Verdict, form: FlaskForm, template: str, closed: str = CLOSED, **context: object
) -> View:
    """Where a verdict of the code or the link leads this browser."""
    if verdict.verdict == "signed_in" and verdict.session_token:
        for key in (CHALLENGE, ADDRESS, LINK, CHOICE):
            session.pop(key, None)
        start(verdict.session_token)
        return no_referrer(redirect(safe_next(session.pop(NEXT, None)), code=303))
    if verdict.verdict == "choose" and verdict.choice_token:
        for key in (CHALLENGE, ADDRESS, LINK):
            session.pop(key, None)
        session[CHOICE] = verdict.choice_token
        return no_referrer(redirect(url_for("portal.choose_customer"), code=303))
    message = {"wrong": WRONG_CODE, "unknown": UNKNOWN}.get(verdict.verdict, closed)
    return page(template, 422, form=form, refusal=message, **context)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> View:
    if request.method == "GET":
        if homeowner() is not None:
            return redirect(safe_next(request.args.get("next")))
        session[NEXT] = safe_next(request.args.get("next"))
    form = AddressForm()
    if not form.validate_on_submit():
        return page("portal/sign_in.html", 422 if form.is_submitted() else 200, form=form)
    typed = form.address.data or ""
    try:
        handle = request_code(normalized(typed))
    except (phones.InvalidPhone, db.ConstraintViolation):
        form.address.errors = [MESSAGES["portal_challenges_address_format"][1]]
        return page("portal/sign_in.html", 422, form=form)
    except TooManyRequests:
        abort(429, TOO_MANY)
    session[CHALLENGE] = handle
    session[ADDRESS] = typed
    send_soon(handle)
    return no_referrer(redirect(url_for("portal.enter_code"), code=303))


@bp.route("/sign-in/code", methods=["GET", "POST"])
def enter_code() -> View:
    handle, address = session.get(CHALLENGE), session.get(ADDRESS)
    if not isinstance(handle, str) or not isinstance(address, str):
        return redirect(url_for("portal.sign_in"))
    form = CodeForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return page("portal/sign_in_code.html", status, form=form, address=address)
    try:
        verdict = check_code(handle, form.code.data or "")
    except TooManyRequests:
        abort(429, TOO_MANY)
    return _signed_in(verdict, form, "portal/sign_in_code.html", address=address)


@bp.get("/link/<token>")
def sign_in_link(token: str) -> Response:
    """The emailed or texted link: its token goes into this browser's session, and the browser
    on to the token-free page (303), so the token is in no log, history or referrer."""
    if not link_is_open(token):
        return page("portal/sign_in_link_closed.html", 410)
    session[LINK] = token[:200]
    return no_referrer(redirect(url_for("portal.use_sign_in_link"), code=303))


@bp.route("/link", methods=["GET", "POST"])
def use_sign_in_link() -> View:
    token = session.get(LINK)
    if not isinstance(token, str) or not link_is_open(token):
        session.pop(LINK, None)
        return page("portal/sign_in_link_closed.html", 410)
    form = FlaskForm()
    if not form.validate_on_submit():
        return page("portal/sign_in_link.html", 422 if form.is_submitted() else 200, form=form)
    return _signed_in(use_link(token), form, "portal/sign_in_link.html", LINK_CLOSED)


class ChoiceForm(FlaskForm):
    customer_id = StringField(validators=[DataRequired()])


@bp.route("/sign-in/choose", methods=["GET", "POST"])
def choose_customer() -> View:
    choice = session.get(CHOICE)
    options = choices(choice) if isinstance(choice, str) else []
    if not options:
        session.pop(CHOICE, None)
        return redirect(url_for("portal.sign_in"))
    form = ChoiceForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return page("portal/sign_in_choose.html", status, form=form, options=options)
    try:
        customer_id = UUID(form.customer_id.data or "")
    except ValueError:
        abort(400)
    secret = choose(cast(str, choice), customer_id)
    if secret is None:
        abort(400)
    session.pop(CHOICE, None)
    start(secret)
    return no_referrer(redirect(safe_next(session.pop(NEXT, None)), code=303))


@bp.post("/sign-out")
def sign_out() -> Response:
    """Sign-out ends the portal session in the database (a staff session, if any, stays)."""
    end()
    return redirect(url_for("portal.sign_in"), code=303)
