"""The office's lists: jobs (filtered, sorted, paged) and today's and this week's visits, each
with a CSV export of the same rows."""

from flask import Blueprint

bp = Blueprint("worklists", __name__)

from app.worklists import routes  # noqa: E402,F401  (routes attach to bp)
