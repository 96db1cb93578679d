"""Queuing a message: one row in `public.messages`, which the worker (jobs/messages.py) sends.

Whoever queues only says what to send, to whom and why; the database decides whether it may go
and when (app.messages_guard: STOP, consent, do-not-contact, restriction, quiet hours in the
recipient's time zone), so no code path can send what the rules refuse. A message with an
occasion is queued once: queuing the same (kind, channel, subject, occasion) again is a no-op."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from app import db, sql

Channel = Literal["sms", "email"]
Purpose = Literal["transactional", "marketing", "conversation", "compliance"]

queries = sql.load(__file__)
many = sql.load(__file__, "outgoing.sql")


@dataclass(frozen=True)
class Draft:
    """A message to queue. `occasion` (with `kind`, `channel` and `subject_id`) makes it
    unique: e.g. kind "visit_reminder", subject the visit, occasion its window's date."""

    tenant_id: UUID
    channel: Channel
    kind: str
    to: str
    body: str
    purpose: Purpose = "transactional"
    subject: str = ""
    customer_id: UUID | None = None
    property_id: UUID | None = None
    subject_id: UUID | None = None
    occasion: str | None = None
    urgent: bool = False
    conversation_id: UUID | None = None
    campaign_id: UUID | None = None
    not_before: datetime | None = None


@dataclass(frozen=True)
class Queued:
    id: UUID
    status: str  # 'queued', or 'blocked' when the database refused it (see blocked_reason)
    blocked_reason: str
    not_before: datetime  # quiet hours may have moved it to the next permitted moment


def channel_for(preferred: str, phone: str, email: str) -> tuple[Channel, str] | None:
    """Where a customer gets messages about their visits and bills: their preferred channel
    ("sms", "email"; "phone" means calls, so texts), else the other one they have; None when
    they have neither a mobile number nor an email address."""
    by_text: tuple[Channel, str] | None = ("sms", phone) if phone else None
    by_email: tuple[Channel, str] | None = ("email", email) if email else None
    first, second = (by_email, by_text) if preferred == "email" else (by_text, by_email)
    return first or second


def queue(conn: db.Connection, draft: Draft) -> Queued | None:
    """Queue `draft` within `conn`'s transaction; None when its occasion was queued before."""
    row = conn.execute(queries.queue_message, asdict(draft)).fetchone()
    return None if row is None else Queued(**row)


def queue_many(conn: db.Connection, drafts: Sequence[Draft]) -> list[Queued]:
    """Queue `drafts` in one statement (a worker's batch); those whose occasion was queued
    before are left out of the answer."""
    if not drafts:
        return []
    rows = conn.execute(
        many.queue_messages,
        {"drafts": json.dumps([asdict(d) for d in drafts], default=str)},
    ).fetchall()
    return [Queued(**row) for row in rows]
