"""The request page's forms: reply, assign, close or reopen, turn into a job."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

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
    status = RadioField(
        "Then the request is",
        choices=choices(STATUSES.items()),
        default="waiting_on_customer",
        validators=[DataRequired("Choose what the request becomes.")],
    )


class AssignForm(FlaskForm):
    assigned_to = SelectField("Assigned to", validate_choice=True)

    def __init__(self, staff: list[dict[str, object]], **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.assigned_to.choices = choices(
            [(UNASSIGNED, "Nobody")] + [(str(s["account_id"]), str(s["full_name"])) for s in staff]
        )


class StatusForm(FlaskForm):
    status = SelectField(
        "Status", choices=choices([("closed", "Closed"), ("open", "Open")]), validate_choice=True
    )


class JobForm(FlaskForm):
    kind = SelectField("Kind of job", choices=choices(JOB_KINDS.items()), default="repair")
