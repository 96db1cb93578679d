"""The office's lists: jobs (filtered, sorted, paged) and today's and this week's visits, each
with a CSV export of the same rows."""

from flask import Blueprint

from app import menu, roles

bp = Blueprint("worklists", __name__)
menu.add(
    "Jobs",
    "worklists.jobs",
    roles=roles.OFFICE_STAFF,
    order=24,
    section=("worklists.jobs_export",),
)
menu.add(
    "Visits",
    "worklists.visits_today",
    roles=roles.OFFICE_STAFF,
    order=26,
    section=("worklists.visits_week",),
)

from app.worklists import routes  # noqa: E402,F401  (routes attach to bp)

# What other features may use (tests/test_architecture.py holds them to it).
__all__ = ["bp"]
