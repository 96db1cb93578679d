"""Staff identity: sign up, sign in (with a second factor), sign out, password reset, account."""

from __future__ import annotations

from flask import Blueprint, Flask

from app import db
from app.auth import constraints, passwords
from app.auth.identity import load_request_identity, login_manager

bp = Blueprint("auth", __name__)
db.register_messages(constraints.MESSAGES)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    passwords.init_app(app)
    app.before_request(load_request_identity)


from app.auth import account_routes, link_routes, routes  # noqa: E402,F401  (attach to bp)
