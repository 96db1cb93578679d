"""Jobs, visits and the dispatch board: how calls become a day's plan for each technician."""

from flask import Blueprint

from app import customers, db, menu, roles, vocabulary
from app.audit import labels
from app.scheduling import constraints

bp = Blueprint("scheduling", __name__)
menu.add(
    "Dispatch",
    "scheduling.board",
    roles=roles.OFFICE_STAFF,
    order=20,
    section=("scheduling.board_week",),
)
menu.add(
    "Maintenance plans",
    "scheduling.agreements",
    roles=roles.OFFICE_STAFF,
    order=40,
    section=("scheduling.agreement",),
)
db.register_messages(constraints.MESSAGES)

from app.scheduling import (  # noqa: E402,F401  (each module registers its routes on bp)
    agreements,
    board,
    hours,
    office,
    routes,
)
from app.scheduling.forms import JobForm  # noqa: E402
from app.scheduling.offer import schedule_page  # noqa: E402
from app.scheduling.office import equipment_choices  # noqa: E402
from app.scheduling.service import (  # noqa: E402
    SchedulingRefused,
    create_job,
    first_visit,
    move,
    visit,
)
from app.scheduling.times import window_label  # noqa: E402

# The customer page shows the customer's visits and plans; customers never imports scheduling.
customers.add_timeline_entries("visit", office.CUSTOMER_VISITS)  # a visit's `at`: latest event
customers.add_page_section("agreements", agreements.FOR_CUSTOMER)
labels.register_values("public.visits.status", vocabulary.VISIT_STATUSES)
labels.register_values("public.jobs.kind", vocabulary.JOB_KINDS)
labels.register_values("priority", vocabulary.JOB_PRIORITIES)

# What other features may use (tests/test_architecture.py holds them to it; the New call page
# creates the job and books its visit with the one Schedule form).
__all__ = [
    "JobForm",
    "SchedulingRefused",
    "bp",
    "create_job",
    "equipment_choices",
    "first_visit",
    "move",
    "schedule_page",
    "visit",
    "window_label",
]
