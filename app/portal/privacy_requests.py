"""The homeowner's data requests (P-10), reached from "my data" (app/portal/data.py): ask the
company to correct or delete what it holds about them, and see each request's due date (30
days, set by the database) and the company's answer. Filed through the portal's definer, which
takes the customer from the session."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length

from app import company, db, sql
from app.forms import choices, strip_text
from app.portal import bp
from app.portal.identity import portal_required, signed_in

queries = sql.load(__file__, "privacy_requests.sql")
View = Response | str | tuple[str, int]
KINDS = {"correction": "Correct my data", "deletion": "Delete my data"}
STATUSES = {"open": "Open", "done": "Done", "refused": "Refused"}


class DataRequestForm(FlaskForm):
    kind = RadioField(
        "I would like you to",
        choices=choices(KINDS.items()),
        validators=[DataRequired("Choose what you would like us to do.")],
    )
    details = TextAreaField(
        "Details",
        description="For a correction, what is wrong and what it should be.",
        filters=[strip_text],
        validators=[Length(max=5000, message="Keep it under 5,000 characters.")],
        render_kw={"rows": 4},
    )

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        valid = super().validate(extra_validators)
        if self.kind.data == "correction" and not self.details.data:
            self.details.errors = [*self.details.errors, "Say what should be corrected."]
            return False
        return valid


def _page(form: DataRequestForm, status: int = 200) -> View:
    me = signed_in()
    rows = db.query(
        queries.my_privacy_requests, {"tenant_id": me.tenant_id, "customer_id": me.customer_id}
    )
    return render_template(
        "portal/data_requests.html",
        form=form,
        requests=rows,
        kinds={**KINDS, "access": "See my data", "restriction": "Restrict how my data is used"},
        statuses=STATUSES,
        zone=company.zone(me.tenant_id),
    ), status


@bp.get("/data/requests")
@portal_required
def data_requests() -> View:
    return _page(DataRequestForm(formdata=None))


@bp.post("/data/requests")
@portal_required
def file_data_request() -> View:
    form = DataRequestForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        db.write(queries.file_request, {"kind": form.kind.data, "details": form.details.data})
    except db.ConstraintViolation as refused:
        form.form_errors.append(refused.message)
        return _page(form, 422)
    flash("Your request is sent. The company answers within 30 days.", "success")
    return redirect(url_for("portal.data_requests"))
