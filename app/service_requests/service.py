"""The office's side of service requests: the queue's pages, a request with its thread and
photos, and what the office does with it (reply, assign, close or reopen, turn into a job)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
from flask import current_app

from app import company, db, messaging, scheduling, sql
from app.db import Row
from app.integrations import files

queries = sql.load(__file__)


class RequestRefused(Exception):
    """What the office asked cannot be done; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Request:
    """A request as its page shows it."""

    row: Row
    thread: list[Row]
    photos: list[Row]


def queue(tenant_id: UUID, tab: str, page: int) -> tuple[sql.Page, Row]:
    """One page of the tab's requests, newest activity first, and every tab's count."""
    params = {"tenant_id": tenant_id, "tab": tab, **sql.paging(page)}
    rows, counts = db.query_together(
        (queries.list_requests, params), (queries.tab_counts, {"tenant_id": tenant_id})
    )
    return sql.page_of(rows, page), counts[0]


def open_count(tenant_id: UUID) -> int:
    """How many requests wait for the office (the menu's number)."""
    return int(db.value(queries.open_count, {"tenant_id": tenant_id}) or 0)


def request(tenant_id: UUID, request_id: UUID) -> Request | None:
    scope = {"tenant_id": tenant_id, "id": request_id}
    found, thread, photos = db.query_together(
        (queries.get_request, scope), (queries.thread, scope), (queries.photos, scope)
    )
    return Request(found[0], thread, photos) if found else None


def staff(tenant_id: UUID) -> list[Row]:
    return db.query(queries.staff, {"tenant_id": tenant_id})


def reply(tenant_id: UUID, found: Request, body: str, status: str) -> str:
    """Add the member's reply, set the request's status and tell the homeowner (a text or an
    email on their preferred channel, pointing at the portal); returns what became of that
    message: '' when it was queued, else why not."""
    row = found.row
    params = {"tenant_id": tenant_id, "id": row["id"], "body": body, "status": status}
    db.write(queries.reply, params)
    return _notify(tenant_id, row)


def _notify(tenant_id: UUID, row: Row) -> str:
    outgoing = messaging.outgoing
    to = outgoing.channel_for(
        row["preferred_contact"] or "", row["customer_phone"] or "", row["customer_email"] or ""
    )
    if to is None:
        return "they have no mobile number or email address; they see the reply in the portal."
    found = company.get(tenant_id)
    name = found.name if found else "Your service company"
    link = f"{current_app.config['PLENUM'].public_url}/portal/requests/{row['id']}"
    body = f'{name} answered your request "{row["subject"]}". Read it and reply: {link}'
    draft = outgoing.Draft(
        tenant_id=tenant_id,
        channel=to[0],
        kind="request_reply",
        to=to[1],
        body=body,
        subject=f"{name} answered your request" if to[0] == "email" else "",
        customer_id=row["customer_id"],
        property_id=row["property_id"],
        subject_id=row["id"],
    )
    try:
        with db.atomic():
            queued = outgoing.queue(db.connection(), draft)
    except (psycopg.errors.IntegrityError, psycopg.errors.DataError):
        return "the message could not be queued; they see the reply in the portal."
    return queued.blocked_reason if queued and queued.status == "blocked" else ""


def assign(tenant_id: UUID, request_id: UUID, account_id: UUID | None) -> bool:
    params = {"tenant_id": tenant_id, "id": request_id, "assigned_to": account_id}
    return bool(db.write(queries.assign, params))


def set_status(tenant_id: UUID, request_id: UUID, status: str) -> bool:
    """Close or reopen; False when it already has that status."""
    params = {"tenant_id": tenant_id, "id": request_id, "status": status}
    return bool(db.write(queries.set_status, params))


def turn_into_job(tenant_id: UUID, found: Request, kind: str) -> UUID:
    """A job for the request's property (the customer's first when it names none) with the
    request's subject and the homeowner's description, linked to the request."""
    row = found.row
    if row["job_id"] is not None:
        raise RequestRefused("This request is already a job.")
    property_id = row["property_id"] or db.value(
        queries.first_property, {"tenant_id": tenant_id, "customer_id": row["customer_id"]}
    )
    if property_id is None:
        raise RequestRefused("The customer has no property yet: add one on their page first.")
    first = next((m for m in found.thread if m["author_kind"] == "homeowner"), None)
    values: dict[str, Any] = {
        "kind": kind,
        "priority": "normal",
        "summary": row["subject"],
        "description": (first["body"] if first else "")[:5000],
    }
    with db.atomic():
        job_id = scheduling.create_job(tenant_id, property_id, values, [])
        if not db.write(
            queries.link_job, {"tenant_id": tenant_id, "id": row["id"], "job_id": job_id}
        ):
            raise RequestRefused("This request is already a job.")
    return job_id


def photo(tenant_id: UUID, photo_id: UUID, thumbnail: bool) -> tuple[Row, bytes] | None:
    """A request's photo the caller may see, with its bytes (its thumbnail when asked)."""
    row = db.one(queries.photo, {"tenant_id": tenant_id, "id": photo_id})
    if row is None:
        return None
    return row, read_photo(row, thumbnail)


def read_photo(row: Row, thumbnail: bool) -> bytes:
    """The stored bytes of a photo row (the thumbnail, when asked and kept)."""
    store = files.store()
    if thumbnail:
        try:
            return store.get(files.thumbnail_key(row["storage_key"]))
        except files.FileMissing:
            pass
    return store.get(row["storage_key"])
