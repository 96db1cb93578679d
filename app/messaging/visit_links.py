"""The homeowner's visit page, reached by the link in the booking confirmation and the reminder
(jobs/notices.py mints one per message through app.mint_visit_links). As with estimate and
invoice links (app/document_links.py), the token URL only hands its token to this browser's
session under the visit's id and redirects to a page without it, so no later URL, log line or
referrer holds it; the reads run as the token holder (`db.SIGN_IN`) through definers that hash
the token and answer nothing for a closed or unknown link (a canceled visit, or 30 days after
its window)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from werkzeug.wrappers import Response

from app import document_links, phones, sql, vocabulary
from app.auth.links import page
from app.messaging import bp

queries = sql.load(__file__, "visit_links.sql")
KIND = "visit"  # the link's path (`/visit/<token>`) and its session keys
WHY_CLOSED = (
    "The visit it showed was canceled, or it ended more than 30 days ago. To book or change a"
    " visit, call the company that sent the link."
)
STATUS = {
    "unscheduled": "Not booked yet",
    "scheduled": "Booked",
    "dispatched": "Booked",
    "en_route": "On the way",
    "on_site": "The technician is there",
    "completed": "Done",
}


def place(token: str) -> tuple[UUID, UUID] | None:
    """The company and the visit a link opens, or None for a closed link."""
    return document_links.place(queries.link_place, token, "visit_id")


def visit(token: str) -> dict[str, Any] | None:
    """What the page shows of the visit behind the link, or None for a closed link."""
    found = document_links.answer(queries.by_link, token)
    return dict(found) if found is not None else None


@bp.get("/visit/<token>")
def visit_link(token: str) -> Response:
    return document_links.opened(KIND, token, place, "messaging.visit_for_customer", WHY_CLOSED)


@bp.get("/visit/view/<uuid:visit_id>")
def visit_for_customer(visit_id: UUID) -> Response:
    found = document_links.held_document(KIND, visit_id, visit, lambda v: v["id"])
    if found is None:
        return document_links.closed(WHY_CLOSED)
    zone = ZoneInfo(found["time_zone"])
    starts, ends = (
        datetime.fromisoformat(found[key]) if found[key] else None
        for key in ("window_starts_at", "window_ends_at")
    )
    return page(
        "messaging/visit_for_customer.html",
        v=found,
        starts=starts,
        ends=ends,
        zone=zone,
        state=STATUS.get(found["status"], found["status"]),
        job=vocabulary.JOB_KINDS.get(found["job"], found["job"]),
        phone=phones.readable(found["company_phone"] or ""),
    )
