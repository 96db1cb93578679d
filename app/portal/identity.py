"""Who a portal request is. A homeowner's browser holds the secret of a server-side portal
session (`iam.portal_sessions`, only the hash kept) under its own key of the cookie, apart from
any staff session; each portal request runs as `authenticated` with claims naming the session,
the company and the customer (`claims_for`) and no staff role, so staff policies refuse it and
the homeowner policies (`app.portal_customer_id()`) let it read only that customer's rows. The
database checks the session on every statement: signing out, or the office removing the
customer, takes effect on the next request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast
from uuid import UUID

from flask import g, redirect, request, session, url_for

from app import db, sql

queries = sql.load(__file__, "identity.sql")
SESSION_KEY = "portal:sid"  # the secret of this browser's portal session


@dataclass(frozen=True)
class Homeowner:
    """A signed-in homeowner: one customer of one company, and how the portal shows it."""

    session_id: UUID
    tenant_id: UUID
    customer_id: UUID
    display_name: str
    company_name: str
    brand_colour: str
    company_phone: str
    logo_key: str | None


def claims_for(session_id: UUID, tenant_id: UUID, customer_id: UUID) -> dict[str, Any]:
    """The claims of a portal request: the session as `sub`, the company, the customer."""
    return {
        "role": "authenticated",
        "sub": str(session_id),
        "tenant_id": str(tenant_id),
        "customer_id": str(customer_id),
        "portal": True,
    }


def _load() -> Homeowner | None:
    secret = session.get(SESSION_KEY)
    if not isinstance(secret, str):
        return None
    place = db.one_with_claims(db.SIGN_IN, queries.session_of, {"token": secret})
    if place is None:
        db.set_claims(db.ANON)
        session.pop(SESSION_KEY, None)
        return None
    tenant_id, customer_id = place["tenant_id"], place["customer_id"]
    row = db.one_with_claims(
        claims_for(place["session_id"], tenant_id, customer_id),
        queries.homeowner,
        {"tenant_id": tenant_id, "customer_id": customer_id},
    )
    if row is None:  # the customer is gone: the database shows nothing any more
        db.set_claims(db.ANON)
        return None
    return Homeowner(place["session_id"], tenant_id, customer_id, **row)


def homeowner() -> Homeowner | None:
    """The homeowner this request is (loaded once per request, claims set), or None."""
    if "portal_homeowner" not in g:
        g.portal_homeowner = _load()
    return cast(Homeowner | None, g.portal_homeowner)


def forget() -> None:
    """This request's page renders as a visitor's (the database is away: app/errors.py)."""
    g.portal_homeowner = None


def signed_in() -> Homeowner:
    """The homeowner of a `portal_required` view."""
    me = homeowner()
    assert me is not None, "the view needs @portal_required"
    return me


def start(secret: str) -> None:
    """This browser now holds a portal session (opened by the sign-in's definer, which minted
    `secret`); any earlier one in the cookie is forgotten."""
    session[SESSION_KEY] = secret
    session.permanent = True
    g.pop("portal_homeowner", None)


def end() -> None:
    """Sign out: the session row is ended in the database, and the cookie forgets it."""
    if homeowner() is not None:
        db.value(queries.end_session)
    session.pop(SESSION_KEY, None)
    g.pop("portal_homeowner", None)


F = TypeVar("F", bound=Callable[..., Any])


def portal_required(view: F) -> F:
    """The view needs a signed-in homeowner; others are sent to the portal's sign-in."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if homeowner() is None:
            return redirect(url_for("portal.sign_in", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return cast(F, wrapper)
