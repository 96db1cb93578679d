"""Jobs, visits and the dispatch board: how calls become a day's plan for each technician."""

from flask import Blueprint

from app import db
from app.scheduling import constraints

bp = Blueprint("scheduling", __name__)
db.register_messages(constraints.MESSAGES)

from app.scheduling import (  # noqa: E402,F401  (each module registers its routes on bp)
    agreements,
    board,
    hours,
    routes,
)
