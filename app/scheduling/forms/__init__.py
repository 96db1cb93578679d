"""Office forms for scheduling, one module per page: the job page (`jobs`), the dispatch
board (`board`), working hours and time off (`hours`) and maintenance plans (`agreements`)."""

from app.scheduling.forms.agreements import MONTHS, AgreementForm
from app.scheduling.forms.board import (
    BOARD_DAYS,
    DAY_MESSAGE,
    PlaceForm,
    parse_day,
    required_day,
)
from app.scheduling.forms.fields import CheckboxesField
from app.scheduling.forms.hours import WEEKDAYS, DayForm, HoursForm, TimeOffForm
from app.scheduling.forms.jobs import CancelForm, JobDetailsForm, JobForm, ScheduleForm

__all__ = [
    "BOARD_DAYS",
    "DAY_MESSAGE",
    "MONTHS",
    "WEEKDAYS",
    "AgreementForm",
    "CancelForm",
    "CheckboxesField",
    "DayForm",
    "HoursForm",
    "JobDetailsForm",
    "JobForm",
    "PlaceForm",
    "ScheduleForm",
    "TimeOffForm",
    "parse_day",
    "required_day",
]
