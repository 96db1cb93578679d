"""A technician's day and their work on a visit: notes, photos, the checklist, and completion
with the customer's signature. What they may see and change is decided by the database
(their own visits only); status changes go through the scheduling service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from app import company, db, estimates, invoices, properties, scheduling, sql
from app.audit.access import record_access
from app.integrations import files

queries = sql.load(__file__)
Row = dict[str, Any]

HISTORY_PER_UNIT = 5


def local_today(zone: ZoneInfo) -> date:
    return datetime.now(zone).date()


def day_visits(tenant_id: UUID, technician_id: UUID, day: date, zone: ZoneInfo) -> list[Row]:
    """The technician's visits whose window starts on the local `day`, in window order."""
    starts = datetime.combine(day, time(0), tzinfo=zone)
    ends = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    visits = db.query(
        queries.list_visits_for_day,
        {
            "tenant_id": tenant_id,
            "technician_id": technician_id,
            "day_starts": starts,
            "day_ends": ends,
        },
    )
    for row in visits:
        row["maps_link"] = properties.maps_link(row)  # opens the phone's maps app
    return visits


# --- the visit page -----------------------------------------------------------------------


def visit(tenant_id: UUID, visit_id: UUID) -> Row | None:
    """The visit as its technician may see it (another technician's visit is None)."""
    return scheduling.visit(tenant_id, visit_id)


def equipment_with_history(tenant_id: UUID, found: Row) -> list[Row]:
    """The units at the property, those of this job first, each with its latest services."""
    units = db.query(
        queries.list_equipment,
        {"tenant_id": tenant_id, "property_id": found["property_id"], "job_id": found["job_id"]},
    )
    history = db.query(
        queries.list_service_history,
        {
            "tenant_id": tenant_id,
            "equipment_ids": [unit["id"] for unit in units],
            "per_unit": HISTORY_PER_UNIT,
        },
    )
    for unit in units:
        unit["history"] = [h for h in history if h["equipment_id"] == unit["id"]]
    return units


def visit_page(tenant_id: UUID, found: Row, reveal_access_notes: bool) -> Row:
    """Everything the visit page shows besides its forms. The customer's record and the gate
    codes are recorded reads (P-07); a refused form's page (rolled back) leaves the codes out."""
    scope = {"tenant_id": tenant_id, "visit_id": found["id"]}
    access_notes: str | None = ""
    if reveal_access_notes:
        record_access("public.customers", found["customer_id"], view="technician visit page")
        access_notes = properties.reveal_access_notes(
            {**found, "id": found["property_id"], "tenant_id": tenant_id}, "technician visit page"
        )
    zone = company.zone(tenant_id)
    return {
        "visit": found,
        "zone": zone,
        "maps_link": properties.maps_link(found),
        "address": properties.one_line_address(found),
        "has_access_notes": properties.has_access_notes(found),
        "access_notes": access_notes,
        "notes": db.query(queries.list_notes, scope),
        "files": db.query(queries.list_files, scope),
        "checklist": db.query(queries.list_checklist, scope),
        "equipment": equipment_with_history(tenant_id, found),
        "estimates": estimates.for_job(tenant_id, found["job_id"], local_today(zone)),
        "invoices": invoices.for_job(tenant_id, found["job_id"]),
    }


def visit_of_job(tenant_id: UUID, job_id: UUID | None) -> UUID | None:
    """The caller's own visit of the job (the latest), or None."""
    row = db.one(queries.visit_of_job, {"tenant_id": tenant_id, "job_id": job_id})
    return UUID(str(row["id"])) if row else None


# --- work on the visit --------------------------------------------------------------------


def add_note(tenant_id: UUID, visit_id: UUID, body: str) -> None:
    db.write(queries.add_note, {"tenant_id": tenant_id, "visit_id": visit_id, "body": body})


def _store_file(tenant_id: UUID, visit_id: UUID, kind: str, picture: files.Picture) -> str:
    """The bytes first, then the row (`files.kept`)."""
    key = files.visit_file_key(tenant_id, visit_id, picture.content_type)
    with files.kept({key: picture}):
        db.write(
            queries.add_file,
            {
                "tenant_id": tenant_id,
                "visit_id": visit_id,
                "kind": kind,
                "storage_key": key,
                "content_type": picture.content_type,
                "byte_size": len(picture.data),
            },
        )
    return key


def add_photo(tenant_id: UUID, visit_id: UUID, data: bytes) -> str:
    """Keep a photo of the visit, written anew without its metadata (P-14: no GPS position);
    FileRefused when it is not an image we keep, too large, or cannot be decoded."""
    return _store_file(tenant_id, visit_id, "photo", files.clean_photo(data))


def file(tenant_id: UUID, file_id: UUID, thumbnail: bool = False) -> tuple[Row, bytes] | None:
    """A photo or signature of a visit the caller may see, with its bytes; None otherwise.
    Its thumbnail when asked and kept (the row's content type then reads image/jpeg); the
    whole file when there is none, as for a signature or a photo kept before thumbnails."""
    row = db.one(queries.file, {"tenant_id": tenant_id, "id": file_id})
    if row is None:
        return None
    store, key = files.store(), row["storage_key"]
    if thumbnail:
        try:
            return {**row, "content_type": "image/jpeg"}, store.get(files.thumbnail_key(key))
        except files.FileMissing:
            pass  # a signature, or a photo kept before thumbnails: the whole file then
    try:
        return row, store.get(key)
    except files.FileMissing:
        return None


def checklist_item(tenant_id: UUID, item_id: UUID) -> Row | None:
    return db.one(queries.checklist_item, {"tenant_id": tenant_id, "id": item_id})


def tick(tenant_id: UUID, found: Row, item_id: UUID, done: bool) -> None:
    """Tick or untick a checklist task; the checklist is closed once the visit is completed."""
    if found["status"] == "completed":
        raise scheduling.SchedulingRefused("This visit is completed; its checklist is closed.")
    db.write(
        queries.tick_item,
        {"tenant_id": tenant_id, "visit_id": found["id"], "id": item_id, "done": done},
    )


@dataclass(frozen=True)
class Completion:
    notes: str
    signed_by: str
    signature: bytes | None  # None when the customer was not available to sign
    unsigned_reason: str = ""  # why, when they were not


def complete(tenant_id: UUID, visit_id: UUID, completion: Completion) -> None:
    """Mark the visit completed and keep the signature: both or neither."""
    with db.atomic():
        scheduling.move(
            tenant_id,
            visit_id,
            "completed",
            completion_notes=completion.notes,
            signed_by=completion.signed_by,
            unsigned_reason=completion.unsigned_reason,
        )
        if completion.signature is not None:
            signature = files.Picture(completion.signature, "image/png")
            _store_file(tenant_id, visit_id, "signature", signature)
