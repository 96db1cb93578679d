"""The one-click unsubscribe of a marketing email (RFC 8058): `<PUBLIC_URL>/unsubscribe/<token>`,
put in the email's text and its List-Unsubscribe header by the worker (jobs/messages.py).

No sign-in and no CSRF token: a mail client posts `List-Unsubscribe=One-Click` to the link by
itself, and the unguessable token is the only permission (it can do one thing, withdraw that
customer's marketing consent). A GET changes nothing (mail scanners follow links): it asks. Both
run as the sign-in role through definers that hash the token themselves; an unknown token gets
the same closed page, and the token is never logged or referred onwards."""

from __future__ import annotations

from werkzeug.wrappers import Response

from app import db, sql
from app.auth.links import page
from app.messaging import bp
from app.security import csrf

queries = sql.load(__file__, "unsubscribe.sql")
# Who the audit log names as the author of the consent's withdrawal.
CLAIMS = {**db.SIGN_IN, "actor": "unsubscribe link"}
TOKEN_LENGTH = 200
CLOSED = "messaging/unsubscribe.html"


def _company(query: str, token: str) -> str | None:
    db.set_claims(CLAIMS)
    row = db.one(query, {"token": token[:TOKEN_LENGTH]})
    return None if row is None or row["company"] is None else str(row["company"])


@bp.get("/unsubscribe/<token>")
def unsubscribe(token: str) -> Response:
    company = _company(queries.unsubscribe_link_company, token)
    if company is None:
        return page(CLOSED, 410, company=None, done=False)
    return page(CLOSED, company=company, done=False)


@bp.post("/unsubscribe/<token>")
@csrf.exempt
def unsubscribe_now(token: str) -> Response:
    company = _company(queries.unsubscribe_by_link, token)
    if company is None:
        return page(CLOSED, 410, company=None, done=False)
    return page(CLOSED, company=company, done=True)
