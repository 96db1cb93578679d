"""Office forms for scheduling, one module per page: the job page (`jobs`), the dispatch
board (`board`), working hours and time off (`hours`) and maintenance plans (`agreements`)."""

from app.scheduling.forms.agreements import MONTHS, SPRING_AND_FALL, AgreementForm
from app.scheduling.forms.board import (
    BOARD_DAYS,
    DAY_MESSAGE,
    PlaceForm,
    parse_day,
    required_day,
)
from app.scheduling.forms.fields import EARLIEST_DAY, LATEST_DAY, CheckboxesField
from app.scheduling.forms.hours import WEEKDAYS, DayForm, HoursForm, TimeOffForm
from app.scheduling.forms.jobs import CancelForm, JobDetailsForm, JobForm, ScheduleForm

__all__ = [
    "BOARD_DAYS",
    "DAY_MESSAGE",
    "EARLIEST_DAY",
    "LATEST_DAY",
    "MONTHS",
    "SPRING_AND_FALL",
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
