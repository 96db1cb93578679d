"""Reading the lists: one statement per page (the total comes with the rows), and the same
statement without paging for the CSV export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from psycopg import sql as psql

from app import db, sql
from app.csv_export import Export, build_rows
from app.vocabulary import JOB_KINDS as KINDS
from app.vocabulary import JOB_PRIORITIES as PRIORITIES
from app.vocabulary import VISIT_STATUSES as STATUSES
from app.worklists.filters import JOB_COLUMNS, VISIT_COLUMNS, Listing

queries = sql.load(__file__)
Row = dict[str, Any]

JOBS_HEADER = (
    "Job ID",
    "Summary",
    "Kind",
    "Priority",
    "Status",
    "Customer",
    "Street",
    "Unit",
    "City",
    "Window starts",
    "Window ends",
    "Technicians",
    "Created at",
)
VISITS_HEADER = (
    "Visit ID",
    "Window starts",
    "Window ends",
    "Status",
    "Kind",
    "Priority",
    "Summary",
    "Customer",
    "Street",
    "Unit",
    "City",
    "Technicians",
    "Duration (minutes)",
    "Job ID",
)


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    total: int
    listing: Listing

    @property
    def first(self) -> int:
        return (self.listing.page - 1) * self.listing.per + 1

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1

    @property
    def has_next(self) -> bool:
        return self.last < self.total

    @property
    def has_previous(self) -> bool:
        return self.listing.page > 1


@dataclass(frozen=True)
class Span:
    """A stretch of the company's days: today, or this week (Monday to Sunday)."""

    name: str
    first: date
    days: int

    @property
    def last(self) -> date:
        return self.first + timedelta(days=self.days - 1)

    def bounds(self, zone: ZoneInfo) -> dict[str, datetime]:
        starts = datetime.combine(self.first, time.min, tzinfo=zone)
        ends = datetime.combine(self.first + timedelta(days=self.days), time.min, tzinfo=zone)
        return {"starts_at": starts, "ends_at": ends}


def span(name: str, zone: ZoneInfo) -> Span:
    today = datetime.now(zone).date()
    if name == "week":
        return Span("week", today - timedelta(days=today.weekday()), 7)
    return Span("today", today, 1)


def technicians(tenant_id: UUID) -> list[Row]:
    return db.query(queries.list_technicians, {"tenant_id": tenant_id})


def _jobs_statement(listing: Listing) -> psql.Composed:
    return psql.SQL(queries.list_jobs).format(order=listing.order(JOB_COLUMNS, "l.id"))


def _visits_statement(listing: Listing) -> psql.Composed:
    return psql.SQL(queries.list_visits).format(order=listing.order(VISIT_COLUMNS, "v.id"))


def _page(statement: psql.Composed, params: dict[str, Any], listing: Listing) -> Page:
    rows = db.connection().execute(statement, params, prepare=False).fetchall()
    return Page(rows, int(rows[0]["total"]) if rows else 0, listing)


def jobs(tenant_id: UUID, listing: Listing, zone: ZoneInfo) -> Page:
    params = {**listing.params(), "tenant_id": tenant_id, "zone": zone.key}
    return _page(_jobs_statement(listing), params, listing)


def visits(tenant_id: UUID, listing: Listing, within: Span, zone: ZoneInfo) -> Page:
    params = {**listing.params(), **within.bounds(zone), "tenant_id": tenant_id}
    return _page(_visits_statement(listing), params, listing)


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    return moment.astimezone(zone) if moment else None


def export_jobs(tenant_id: UUID, listing: Listing, zone: ZoneInfo) -> list[str]:
    """Every job the filters match, in the list's order, as CSV chunks."""
    params = {**listing.params(), "tenant_id": tenant_id, "zone": zone.key}
    params.update(limit=None, offset=0)

    def cells(row: Row) -> list[Any]:
        return [
            row["id"],
            row["summary"],
            KINDS[row["kind"]],
            PRIORITIES[row["priority"]],
            STATUSES[row["status"]],
            row["customer_name"],
            row["street"],
            row["unit"],
            row["city"],
            _local(row["window_starts_at"], zone),
            _local(row["window_ends_at"], zone),
            row["technician_names"],
            _local(row["created_at"], zone),
        ]

    export = Export("public.jobs", _jobs_statement(listing), JOBS_HEADER)
    return build_rows(export, params, "export_jobs", cells)


def export_visits(tenant_id: UUID, listing: Listing, within: Span, zone: ZoneInfo) -> list[str]:
    """Every visit of the span the filters match, in the list's order, as CSV chunks."""
    params = {**listing.params(), **within.bounds(zone), "tenant_id": tenant_id}
    params.update(limit=None, offset=0)

    def cells(row: Row) -> list[Any]:
        return [
            row["id"],
            _local(row["window_starts_at"], zone),
            _local(row["window_ends_at"], zone),
            STATUSES[row["status"]],
            KINDS[row["kind"]],
            PRIORITIES[row["priority"]],
            row["summary"],
            row["customer_name"],
            row["street"],
            row["unit"],
            row["city"],
            row["technician_names"],
            row["duration_minutes"],
            row["job_id"],
        ]

    export = Export("public.visits", _visits_statement(listing), VISITS_HEADER)
    return build_rows(export, params, "export_visits", cells)
