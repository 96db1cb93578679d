"""Jobs, visits and the dispatch board: how calls become a day's plan for each technician."""

from flask import Blueprint

bp = Blueprint("scheduling", __name__)

from app.scheduling import (  # noqa: E402,F401  (each module registers its routes on bp)
    agreements,
    board,
    hours,
    routes,
)

# What other features may use (the New call page creates the job and books its visit with the
# one Schedule form).
from app.scheduling.forms import JobForm  # noqa: E402
from app.scheduling.offer import schedule_page  # noqa: E402
from app.scheduling.office import equipment_choices  # noqa: E402
from app.scheduling.service import (  # noqa: E402
    KINDS,
    PRIORITIES,
    STATUSES,
    SchedulingRefused,
    create_job,
    first_visit,
    visit,
)

__all__ = [
    "KINDS",
    "PRIORITIES",
    "STATUSES",
    "JobForm",
    "SchedulingRefused",
    "bp",
    "create_job",
    "equipment_choices",
    "first_visit",
    "schedule_page",
    "visit",
]
