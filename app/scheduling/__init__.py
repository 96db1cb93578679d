"""Jobs, visits and the dispatch board: how calls become a day's plan for each technician."""

from flask import Blueprint

bp = Blueprint("scheduling", __name__)

from app.scheduling import routes  # noqa: E402,F401  (routes register on the blueprint)
