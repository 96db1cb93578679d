"""What the office pages read about jobs and visits: a job with its visits, the windows that
can still be booked, who is free then, and a customer's visits for their timeline."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import groupby
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from app import customers, db, properties, sql
from app.scheduling import service

queries = sql.load(__file__, "office.sql")
Row = dict[str, Any]

# The offer made when a call comes in: two weeks of 2-hour arrival windows, with half an hour
# of travel kept free before and after each technician's other visits.
DAYS_OFFERED = 14
WINDOW_HOURS = 2
TRAVEL_BUFFER_MINUTES = 30
TIMELINE_VISITS = 50
# The schedule form shows the first few days that have windows; more on request.
SHOWN_DAYS = 3
# An emergency is offered today's windows first, starting every hour (an hour's arrival window).
EMERGENCY_WINDOW_HOURS = 1
Days = list[tuple[date, list[Row]]]


def job_page(tenant_id: UUID, job_id: UUID) -> Row | None:
    """A job with its property, the equipment it concerns and its visits, each visit with
    the technicians' work on it (`notes`, `photos`, `signature`, `checklist`)."""
    job = service.job(tenant_id, job_id)
    if job is None:
        return None
    scope = {"tenant_id": tenant_id, "job_id": job_id}
    prop = properties.get_property(tenant_id, job["property_id"])
    return {
        "job": job,
        "prop": prop,
        "place": properties.property_title(prop) if prop else "",
        "equipment": db.query(queries.job_equipment, scope),
        "visits": _with_work(db.query(queries.job_visits, scope), scope),
    }


def _with_work(visits: list[Row], scope: Row) -> list[Row]:
    """Each visit with what its technicians left: notes, photos, signature and checklist."""
    notes = db.query(queries.job_visit_notes, scope)
    files = db.query(queries.job_visit_files, scope)
    checklist = db.query(queries.job_visit_checklists, scope)
    for visit in visits:
        mine = [f for f in files if f["visit_id"] == visit["id"]]
        visit["notes"] = [n for n in notes if n["visit_id"] == visit["id"]]
        visit["photos"] = [f for f in mine if f["kind"] == "photo"]
        visit["signature"] = next((f for f in mine if f["kind"] == "signature"), None)
        visit["checklist"] = [i for i in checklist if i["visit_id"] == visit["id"]]
    return visits


def work_shown(page: Row) -> dict[str, list[UUID]]:
    """The notes and files a job page shows, by table: the reads it records (P-07)."""
    visits = page["visits"]
    return {
        "public.visit_notes": [n["id"] for v in visits for n in v["notes"]],
        "public.visit_files": [
            f["id"] for v in visits for f in [*v["photos"], v["signature"]] if f is not None
        ],
    }


def equipment_choices(tenant_id: UUID, property_id: UUID) -> list[tuple[UUID, str]]:
    """The property's equipment as (id, 'Carrier Furnace · model'), for the job form."""
    return [
        (item["id"], " · ".join(p for p in (properties.equipment_title(item), item["model"]) if p))
        for item in properties.equipment_at(tenant_id, property_id)
    ]


def update_job(tenant_id: UUID, job_id: UUID, values: dict[str, Any]) -> bool:
    return bool(db.write(queries.update_job, {"tenant_id": tenant_id, "id": job_id, **values}))


def windows_by_day(
    property_id: UUID,
    kind: str,
    zone: ZoneInfo,
    days: int = DAYS_OFFERED,
    window_hours: int = WINDOW_HOURS,
) -> Days:
    """The bookable arrival windows of the next two weeks, grouped by local day."""
    rows = db.query(
        queries.bookable_windows,
        {
            "property_id": property_id,
            "kind": kind,
            "days": days,
            "buffer_minutes": TRAVEL_BUFFER_MINUTES,
            "window_hours": window_hours,
        },
    )

    def local_day(row: Row) -> date:
        return row["window_starts_at"].astimezone(zone).date()

    return [(day, list(rows)) for day, rows in groupby(rows, key=local_day)]


def offered_windows(property_id: UUID, kind: str, priority: str, zone: ZoneInfo) -> Days:
    """The windows a visit is offered, by day: an emergency gets today's first, an hourly
    start each (the soonest a technician can be there), then the usual two weeks."""
    days = windows_by_day(property_id, kind, zone)
    if priority != "emergency":
        return days
    today = datetime.now(zone).date()
    same_day = windows_by_day(property_id, kind, zone, 1, EMERGENCY_WINDOW_HOURS)
    return [*same_day, *((day, rows) for day, rows in days if day != today)]


def shown_days(wanted: str | None) -> int:
    """How many days of windows the form lists (`?days=` asks for more), 3 to two weeks."""
    try:
        count = int(wanted or SHOWN_DAYS)
    except ValueError:
        count = SHOWN_DAYS
    return min(max(count, SHOWN_DAYS), DAYS_OFFERED)


def free_technicians(
    tenant_id: UUID, visit_id: UUID, starts_at: datetime, minutes: int, zone: ZoneInfo
) -> list[Row]:
    """Technicians who could take the visit from `starts_at` for `minutes`, by name."""
    return db.query(
        queries.free_technicians,
        {
            "tenant_id": tenant_id,
            "visit_id": visit_id,
            "day": starts_at.astimezone(zone).date(),
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(minutes=minutes),
            "buffer_minutes": TRAVEL_BUFFER_MINUTES,
        },
    )


def _visit_labels(rows: list[Row]) -> list[Row]:
    return [
        {
            **row,
            "kind_label": service.KINDS[row["kind"]],
            "status_label": service.STATUSES[row["status"]],
        }
        for row in rows
    ]


# The customer's latest visits, newest first, for the timeline (with the words the customer
# page shows for their kind and status).
CUSTOMER_VISITS: customers.PageRead = customers.PageRead(
    queries.customer_visits, _visit_labels, {"limit": TIMELINE_VISITS}
)
