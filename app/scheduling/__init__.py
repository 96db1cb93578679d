"""Jobs, visits and the dispatch board: how calls become a day's plan for each technician."""

from flask import Blueprint

from app.audit import labels

bp = Blueprint("scheduling", __name__)

from app.scheduling import (  # noqa: E402,F401  (each module registers its routes on bp)
    agreements,
    board,
    hours,
    routes,
)
from app.scheduling.service import KINDS, PRIORITIES, STATUSES  # noqa: E402

labels.register_values("public.visits.status", STATUSES)
labels.register_values("public.jobs.kind", KINDS)
labels.register_values("priority", PRIORITIES)
