"""The lists' filters, read from the query string (so a filtered list can be bookmarked), and
the orders they may be sorted in: each sort key names one fixed SQL expression."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from psycopg import sql
from wtforms import SelectField
from wtforms.validators import Optional

from app.forms import DateRangeFilter, choices
from app.vocabulary import JOB_KINDS as KINDS
from app.vocabulary import JOB_PRIORITIES as PRIORITIES
from app.vocabulary import VISIT_STATUSES as STATUSES

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 50
MAX_PAGE = 100_000

_PRIORITY_RANK = "array_position(array['emergency', 'high', 'normal', 'low'], {}.priority)"
_STATUS_RANK = "array_position(array[" + ", ".join(f"'{s}'" for s in STATUSES) + "], {}.status)"


@dataclass(frozen=True)
class Column:
    label: str
    expression: str
    default_direction: str = "asc"


JOB_COLUMNS = {
    "date": Column("Date", "l.on_at", "desc"),
    "customer": Column("Customer", "l.customer_name"),
    "kind": Column("Kind", "l.kind"),
    "priority": Column("Priority", _PRIORITY_RANK.format("l")),
    "status": Column("Status", _STATUS_RANK.format("l")),
    "created": Column("Created", "l.created_at", "desc"),
}
VISIT_COLUMNS = {
    "time": Column("Window", "v.window_starts_at"),
    "customer": Column("Customer", "c.display_name"),
    "kind": Column("Kind", "j.kind"),
    "priority": Column("Priority", _PRIORITY_RANK.format("j")),
    "status": Column("Status", _STATUS_RANK.format("v")),
}


class ListForm(DateRangeFilter):
    """A list's filters, in the query string, so that a filtered list can be bookmarked."""

    status = SelectField("Status", validators=[Optional()])
    technician = SelectField("Technician", validators=[Optional()])
    kind = SelectField("Kind", validators=[Optional()])
    priority = SelectField("Priority", validators=[Optional()])
    # Sort, order and page size never refuse: an unknown value means the default.
    sort = SelectField("Sort by", validate_choice=False)
    direction = SelectField(
        "Order",
        validate_choice=False,
        choices=choices([("asc", "Ascending"), ("desc", "Descending")]),
    )
    per = SelectField(
        "Per page", validate_choice=False, choices=choices([(str(n), str(n)) for n in PAGE_SIZES])
    )


def list_form(args: Any, technicians: list[dict[str, Any]], columns: dict[str, Column]) -> ListForm:
    form = ListForm(args)
    form.status.choices = choices([("", "Any status"), *STATUSES.items()])
    form.technician.choices = choices(
        [("", "Anyone"), *((str(t["account_id"]), t["full_name"]) for t in technicians)]
    )
    form.kind.choices = choices([("", "Any kind"), *KINDS.items()])
    form.priority.choices = choices([("", "Any priority"), *PRIORITIES.items()])
    form.sort.choices = choices([(key, column.label) for key, column in columns.items()])
    return form


@dataclass(frozen=True)
class Listing:
    """What one page of a list asks for."""

    status: str | None = None
    technician_id: UUID | None = None
    kind: str | None = None
    priority: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    sort: str = ""
    direction: str = "asc"
    page: int = 1
    per: int = DEFAULT_PAGE_SIZE

    def params(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "technician_id": self.technician_id,
            "kind": self.kind,
            "priority": self.priority,
            "starts_on": self.starts_on,
            "ends_on": self.ends_on,
            "limit": self.per,
            "offset": (self.page - 1) * self.per,
        }

    def order(self, columns: dict[str, Column], tiebreak: str) -> sql.Composable:
        column = columns[self.sort]
        direction = "desc" if self.direction == "desc" else "asc"
        return sql.SQL("{} {} nulls last, {}").format(
            sql.SQL(column.expression), sql.SQL(direction), sql.SQL(tiebreak)
        )


def _number(raw: str | None, default: int, ceiling: int) -> int:
    """A positive number from the query string, at most `ceiling`; nonsense gives `default`."""
    try:
        return min(max(int(raw or default), 1), ceiling)
    except ValueError:
        return default


def page_number(raw: str | None) -> int:
    return _number(raw, 1, MAX_PAGE)


def listing(form: ListForm, columns: dict[str, Column], page: int) -> Listing:
    """The form's choices (already validated) as a Listing."""
    sort = form.sort.data if form.sort.data in columns else next(iter(columns))
    direction = form.direction.data
    return Listing(
        status=form.status.data or None,
        technician_id=UUID(form.technician.data) if form.technician.data else None,
        kind=form.kind.data or None,
        priority=form.priority.data or None,
        starts_on=form.starts.data,
        ends_on=form.ends.data,
        sort=sort,
        direction=direction if direction in ("asc", "desc") else columns[sort].default_direction,
        page=page,
        per=_number(form.per.data, DEFAULT_PAGE_SIZE, max(PAGE_SIZES)),
    )
