"""A document (an estimate, an invoice) reaches the homeowner as a link holding a token: no
sign-in, that one document only. What every kind of document link shares lives here, once:

- the database mints the token (`iam.new_token`: 256 bits, only its SHA-256 kept), revokes the
  earlier links and queues the message in the sending definer (`app.send_<kind>`); the reads run
  as the token holder (`db.SIGN_IN`) through definers that hash the token themselves (`read`);
- the link's address is `<PUBLIC_URL>/<kind>/<token>` (`public_url`); its first GET hands the
  token to this browser's session under the document's id (`opened`, `hand_over`: at most
  `KEPT` of a kind) and redirects (303) to `/<kind>/view/<id>`, so no later URL, access-log line
  (app/access_log.py) or referrer holds it; every page of the flow says
  `Referrer-Policy: no-referrer` (`app.auth.links.no_referrer`);
- a page of the flow finds its document by the token this browser holds (`held_document`: 404
  for a browser that never opened a link to it) and shows one closed page (410) when the link
  was revoked or closed since (`closed`);
- the office sends with one form (`app.forms.SendLinkForm`): the link's message (text or email,
  in the company's wording: app/messaging/document_messages.py) is queued by the sending definer
  with the new link in it; the sender sees the link once, on the next page only, never in a URL
  (`send`, `shown`); the technician's phone makes one (`made`) and shows it at once, as a QR
  code, on the answer to that request only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from flask import abort, current_app, flash, redirect, session, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app import db, phones
from app.auth.links import no_referrer, page
from app.db import ConstraintViolation
from app.forms import SendLinkForm
from app.views import show_violation

T = TypeVar("T")
KEPT = 10  # links of one kind (estimates, invoices) one browser may have open at once
TOKEN_LENGTH = 200  # what is passed on of a token, whatever a URL or a session says


def public_url(kind: str, token: str) -> str:
    """The link a homeowner opens: `/estimate/<token>`, `/invoice/<token>`."""
    return f"{current_app.config['PLENUM'].public_url}/{kind}/{token}"


def read(query: str, token: str) -> db.Row | None:
    """One read as the token holder (`db.SIGN_IN`): a definer given the token, never its hash."""
    db.set_claims(db.SIGN_IN)
    return db.one(query, {"token": token[:TOKEN_LENGTH]})


def place(query: str, token: str, document_column: str) -> tuple[UUID, UUID] | None:
    """The company and the document a link opens (`query` as the token holder), or None for a
    closed link."""
    row = read(query, token)
    return (UUID(str(row["tenant_id"])), UUID(str(row[document_column]))) if row else None


def answer(query: str, token: str) -> Any:
    """The document a definer answers for the link (the `document` column), or None."""
    row = read(query, token)
    return row["document"] if row else None


def _session_key(kind: str, document_id: UUID | str) -> str:
    return f"{kind}:{document_id}"


def hand_over(kind: str, document_id: UUID, token: str, endpoint: str, **values: Any) -> Response:
    """The token URL's answer: the token kept in this browser's session under the document's id
    (the oldest of its kind forgotten beyond `KEPT`), and a redirect to the token-free page."""
    kept = [key for key in session if key.startswith(f"{kind}:")]
    for key in kept[: max(0, len(kept) - KEPT + 1)]:
        session.pop(key, None)
    session[_session_key(kind, document_id)] = token[:TOKEN_LENGTH]
    return no_referrer(redirect(url_for(endpoint, **values), code=303))


def opened(
    kind: str,
    token: str,
    place: Callable[[str], tuple[UUID, UUID] | None],
    view: str,
    why_closed: str,
) -> Response:
    """The token URL's view (`/<kind>/<token>`): the closed page for a closed link, otherwise the
    token handed to the session and a redirect to `view` (given `<kind>_id`)."""
    where = place(token)
    if where is None:
        return closed(why_closed)
    return hand_over(kind, where[1], token, view, **{f"{kind}_id": where[1]})


def held(kind: str, document_id: UUID) -> str:
    """The token this browser brought for the document, or ''."""
    token = session.get(_session_key(kind, document_id))
    return token if isinstance(token, str) else ""


def held_document(
    kind: str, document_id: UUID, open_link: Callable[[str], T | None], id_of: Callable[[T], Any]
) -> T | None:
    """The document the token this browser holds opens, when it is the one asked for; None when
    the link was closed since (or opens another); a 404 when this browser holds no token for it."""
    token = held(kind, document_id)
    if not token:
        abort(404)  # this browser never opened a link to it
    found = open_link(token)
    return found if found is not None and str(id_of(found)) == str(document_id) else None


def closed(why: str) -> Response:
    """The page of a link that no longer works (410), saying why it may have closed."""
    return page("documents/link_closed.html", 410, why=why)


Recipient = tuple[str, str] | None  # ("email" | "sms", address), or None: no message


@dataclass(frozen=True)
class Made:
    """A new link's token (to show once), and what became of the message that carries it."""

    token: str
    to: str = ""  # where its message was queued ('' when none was)
    refusal: str = ""  # why the database will not send that message (blocked), or ''
    turned_off: bool = False  # the company sends no message of this kind (its settings)

    def told(self, lasts: str) -> tuple[str, str]:
        """What the sender is told (message, flash category)."""
        to = phones.display(self.to) if self.to.startswith("+") else self.to
        if self.refusal:
            return f"Link made, but no message goes to {to}: {self.refusal}", "error"
        if self.turned_off:
            return "Link made, not sent: the company's settings turn this message off.", "error"
        if to:
            return f"Sent to {to}: the link below works {lasts}, or until you revoke it.", "success"
        return "Link made: open it on the customer's phone.", "success"


def made(form: FlaskForm, make_link: Callable[[Recipient], Made], to: Recipient) -> Made | None:
    """A new link (`make_link(to)`: earlier links revoked, its message queued when `to` is
    given), or None with the database's refusal shown on the form."""
    try:
        return make_link(to)
    except ConstraintViolation as violation:
        show_violation(form, violation)
        return None


def send(
    form: SendLinkForm,
    make_link: Callable[[Recipient], Made],
    kind: str,
    document_id: UUID,
    lasts: str,
) -> bool:
    """The office's sending: a new link (`make_link(to)`), its message queued when the form
    names an address, the link shown once to the sender (`shown`). False with the form's
    errors when the form or the database refused."""
    if not form.validate_on_submit():
        return False
    link = made(form, make_link, form.recipient())
    if link is None:
        return False
    flash(*link.told(lasts))
    session[f"{kind}_link_shown"] = [str(document_id), public_url(kind, link.token)]
    return True


def shown(kind: str, document_id: UUID) -> str | None:
    """The link just made for this document, once (see `send`)."""
    found = session.pop(f"{kind}_link_shown", None)
    if isinstance(found, list) and len(found) == 2 and found[0] == str(document_id):
        return str(found[1])
    return None
