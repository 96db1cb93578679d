"""The first page after sign-in, and the health check."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import db

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def home() -> Response | str:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    if current_user.company is None:
        return render_template("dashboard/no_company.html")
    return render_template("dashboard/home.html")


@bp.get("/healthz")
def health() -> tuple[dict[str, str], int]:
    """For the platform's health checks: the app answers and the database is reachable."""
    db.value("select 1")
    return {"status": "ok"}, 200
