"""Who is asking: the session becomes the claims of the request transaction, and a `Staff`
user for the views. Removal or a password reset takes effect on the very next request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar, cast
from uuid import UUID

from flask import abort, current_app, g, request, session
from flask_login import (
    AnonymousUserMixin,
    LoginManager,
    current_user,
    login_user,
    logout_user,
)

from app import company, crypto, db, roles, sql

queries = sql.load(__file__)
login_manager = LoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"
login_manager.session_protection = None  # sessions are rotated at sign-in and versioned instead


class RoleSets:
    """The role sets of app/roles.py as properties, for views and templates:
    `current_user.is_office_staff`, `current_user.is_manager`, …"""

    def can(self, *allowed: str) -> bool:
        raise NotImplementedError

    @property
    def is_office_staff(self) -> bool:
        return self.can(*roles.OFFICE_STAFF)

    @property
    def is_planner(self) -> bool:
        return self.can(*roles.PLANNERS)

    @property
    def is_manager(self) -> bool:
        return self.can(*roles.MANAGERS)

    @property
    def is_owner(self) -> bool:
        return self.can(*roles.OWNERS)

    @property
    def is_technician(self) -> bool:
        return self.can(*roles.TECHNICIANS)


@dataclass
class Company:
    tenant_id: UUID
    name: str
    role: str


@dataclass
class Staff(RoleSets):
    """A signed-in staff account, and its role in the company it is working in."""

    id: UUID
    email: str
    full_name: str
    session_version: int
    mfa_enabled: bool
    companies: list[Company] = field(default_factory=list)
    company: Company | None = None

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def tenant_id(self) -> UUID | None:
        return self.company.tenant_id if self.company else None

    @property
    def role(self) -> str | None:
        return self.company.role if self.company else None

    def can(self, *allowed: str) -> bool:
        return self.role in allowed


class Anonymous(RoleSets, AnonymousUserMixin):
    company = None
    tenant_id = None
    role = None

    def can(self, *allowed: str) -> bool:
        return False


login_manager.anonymous_user = Anonymous


def claims_for(account_id: UUID, tenant_id: UUID | None, aal: str = "aal2") -> dict[str, Any]:
    """The claims of a full session. `aal` says whether it passed a second factor ("aal2");
    the database ignores the account of claims without it when the account has one. Sessions
    record theirs; jobs act for a member whose full session asked for the work."""
    claims: dict[str, Any] = {"role": "authenticated", "sub": str(account_id), "aal": aal}
    if tenant_id is not None:
        claims["tenant_id"] = str(tenant_id)
    return claims


def session_aal() -> str:
    """The assurance level this browser's session reached at sign-in (or since)."""
    return "aal2" if session.get("aal") == "aal2" else "aal1"


@login_manager.user_loader
def load_staff(user_id: str) -> Staff | None:
    """Load the account named by the session, if its session version still holds."""
    account_id, _, version = user_id.partition(":")
    try:
        account = UUID(account_id)
    except ValueError:
        return None
    secret = session.get("sid")
    if not isinstance(secret, str):
        return None
    # Two round trips: the account's claims with the session lookup, then the final claims
    # with the company's own row (each pair pipelined, the claims first).
    row = db.one_with_claims(
        claims_for(account, None, session_aal()),
        queries.session_state,
        {"session": crypto.token_hash(secret)},
    )
    if row is None or str(row["session_version"]) != version:
        db.set_claims(db.ANON)
        return None
    companies = [Company(UUID(c["tenant_id"]), c["name"], c["role"]) for c in row["companies"]]
    staff = Staff(
        id=row["id"],
        email=row["email"],
        full_name=row["full_name"],
        session_version=row["session_version"],
        mfa_enabled=row["mfa_enabled"],
        companies=companies,
    )
    wanted = session.get("tenant_id")
    staff.company = next((c for c in companies if str(c.tenant_id) == wanted), None)
    if staff.company is None and companies:
        staff.company = companies[0]
    session["tenant_id"] = str(staff.company.tenant_id) if staff.company else None
    claims = claims_for(staff.id, staff.tenant_id, session_aal())
    if staff.tenant_id is None:
        db.set_claims(claims)
    else:
        company.settle_claims(claims, staff.tenant_id)
    return staff


def load_request_identity() -> None:
    """Before each request: claims from the session. Anonymous and half-signed-in requests
    (password done, second factor owed) carry no identity at all."""
    db.set_claims(db.ANON)
    # Loads the user now, so that the claims are final before the view runs.
    current_user._get_current_object()


def start_second_factor(challenge: str, next_url: str) -> None:
    """After the password of an account with a second factor: a fresh session holding only the
    secret of the server-side challenge (which expires, and works once)."""
    session.clear()
    session["mfa_challenge"] = challenge
    session["mfa_next"] = next_url


def pending_challenge() -> str | None:
    """The secret of this browser's half-finished sign-in, if any (the database decides
    whether it is still open)."""
    challenge = session.get("mfa_challenge")
    return challenge if isinstance(challenge, str) else None


def raise_assurance() -> None:
    """This session has just proved a second factor (by turning it on)."""
    session["aal"] = "aal2"
    if current_user.is_authenticated:
        db.set_claims(claims_for(current_user.id, current_user.tenant_id, "aal2"))


def start_session(
    staff_id: UUID, session_version: int, tenant_id: UUID | None = None, aal: str = "aal1"
) -> None:
    """Sign in: a fresh session (new CSRF token, nothing carried over) for the account, with
    a server-side row that sign-out closes, so a copied cookie stops working too. `aal` is
    "aal2" when the sign-in passed a second factor."""
    session.clear()
    session.permanent = True
    session["aal"] = aal
    if tenant_id is not None:
        session["tenant_id"] = str(tenant_id)
    login_user(
        cast(Any, Staff(staff_id, "", "", session_version, False)), remember=False, fresh=True
    )
    g.pop("_login_user", None)
    db.set_claims(claims_for(staff_id, tenant_id, aal))
    secret = crypto.new_token()
    db.write(
        queries.open_session,
        {
            "session": crypto.token_hash(secret),
            "lifetime": current_app.permanent_session_lifetime,
            "user_agent": request.headers.get("User-Agent", ""),
        },
    )
    session["sid"] = secret


def current_session_id() -> bytes | None:
    """The hash naming this browser's session row."""
    secret = session.get("sid")
    return crypto.token_hash(secret) if isinstance(secret, str) else None


def end_session() -> None:
    """Sign out: close this browser's session row, then forget the cookie's contents."""
    session_id = current_session_id()
    if current_user.is_authenticated and session_id is not None:
        db.write(queries.end_session, {"session": session_id})
    logout_user()
    session.clear()


def end_other_sessions() -> int:
    """Close every other open session of the signed-in account; returns how many."""
    return len(db.write(queries.end_other_sessions, {"session": current_session_id()}))


def open_sessions() -> list[dict[str, Any]]:
    return db.query(queries.open_sessions, {"session": current_session_id()})


F = TypeVar("F", bound=Callable[..., Any])


def company_required(*allowed: str) -> Callable[[F], F]:
    """The view needs a signed-in member of a company, with one of `allowed` roles when given
    (a set of app/roles.py: `company_required(*roles.OFFICE_STAFF)`)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.company is None:
                abort(403, "You are not a member of any company.")
            if allowed and current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate
