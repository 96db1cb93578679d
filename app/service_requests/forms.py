"""The request page's forms: reply, assign, close or reopen, turn into a job."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import choices, strip_text
from app.service_requests.vocabulary import STATUSES
from app.vocabulary import JOB_KINDS

UNASSIGNED = ""


class ReplyForm(FlaskForm):
    body = TextAreaField(
        "Reply",
        filters=[strip_text],
        validators=[
            DataRequired("Write the reply first."),
            Length(max=5000, message="Keep the reply under 5,000 characters."),
        ],
        render_kw={"rows": 4},
    )
    becomes = RadioField(
        "Then the request is",
        choices=choices(STATUSES.items()),
        default="waiting_on_customer",
        validators=[Optional()],
    )

    def becomes_status(self) -> str:
        """What the reply makes the request: waiting on the customer unless chosen otherwise."""
        return self.becomes.data or "waiting_on_customer"


class AssignForm(FlaskForm):
    assigned_to = SelectField("Assigned to", default=UNASSIGNED, validate_choice=True)

    def __init__(self, staff: list[dict[str, object]], **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.assigned_to.choices = choices(
            [(UNASSIGNED, "Nobody")] + [(str(s["account_id"]), str(s["full_name"])) for s in staff]
        )


class JobForm(FlaskForm):
    job_kind = SelectField("Kind of job", choices=choices(JOB_KINDS.items()), default="repair")
