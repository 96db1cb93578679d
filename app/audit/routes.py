"""The audit viewer, for owners and admins."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import abort, render_template, request
from flask_login import current_user
from wtforms import SelectField
from wtforms.validators import Optional

from app import company, roles
from app.audit import bp, search, words
from app.audit.access import record_access
from app.auth import identity
from app.forms import DateRangeFilter, choices


class FilterForm(DateRangeFilter):
    """The log's filters, in the query string."""

    actor = SelectField("Who", validators=[Optional()])
    table = SelectField("What", validators=[Optional()])
    operation = SelectField("Action", validators=[Optional()])


def _filter_form(people: dict[str, str]) -> FilterForm:
    form = FilterForm(request.args)
    form.actor.choices = choices([("", "Anyone"), *people.items()])
    form.table.choices = choices([("", "Anything"), *words.audited_tables()])
    form.operation.choices = choices([("", "Any action"), *search.OPERATIONS.items()])
    return form


def _filters(form: FilterForm, zone: ZoneInfo) -> search.Filters:
    """The form's choices as filters; dates are whole days in the company's time zone."""

    def start_of(day: datetime | None) -> datetime | None:
        return datetime.combine(day, time.min, tzinfo=zone) if day else None

    return search.Filters(
        starts=start_of(form.starts.data),
        ends=start_of(form.ends.data + timedelta(days=1)) if form.ends.data else None,
        actor_id=form.actor.data or None,
        table_name=form.table.data or None,
        operation=form.operation.data or None,
    )


@bp.get("/audit")
@identity.company_required(*roles.MANAGERS)
def log() -> tuple[str, int]:
    people = words.company_members(current_user.tenant_id)
    form = _filter_form(people)
    zone = company.zone()
    context = {
        "form": form,
        "zone": zone,
        "search": search,
        "words": words,
        "filter_args": {k: v for k, v in request.args.items() if k != "after" and v},
    }
    if not form.validate():
        return render_template(
            "audit/log.html", entries=[], names={}, known={}, next_cursor=None, **context
        ), 422
    after = search.Cursor.parse(request.args.get("after"))
    entries, next_cursor = search.search(current_user.tenant_id, _filters(form, zone), after)
    return render_template(
        "audit/log.html",
        entries=entries,
        names=words.record_names(current_user.tenant_id, entries),
        known={**people, **words.referenced_names(current_user.tenant_id, entries)},
        next_cursor=next_cursor,
        paged=after is not None,
        **context,
    ), 200


@bp.get("/audit/records/<table>/<row_key>")
@identity.company_required(*roles.MANAGERS)
def record(table: str, row_key: str) -> str:
    entries = search.record_history(current_user.tenant_id, table, row_key)
    if not entries:
        abort(404)
    # The history shows earlier values of personal data: reading it is itself recorded.
    record_access(table, row_key, view="audit history")
    return render_template(
        "audit/record.html",
        entries=entries,
        name=words.record_names(current_user.tenant_id, entries)[(table, row_key)],
        table=table,
        row_key=row_key,
        zone=company.zone(),
        search=search,
        words=words,
        known={
            **words.company_members(current_user.tenant_id),
            **words.referenced_names(current_user.tenant_id, entries),
        },
    )
