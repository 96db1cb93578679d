"""Maintenance campaigns: one marketing text or email to an audience of past customers, previewed
with who is excluded and why, scheduled in the company's time zone and sent at a pace by the jobs
worker (jobs/campaigns.py), then reported (sent, delivered, failed, blocked, replied, booked).

Who may be sent to is the database's decision (app.message_refusal, through
app.campaign_audience): the preview counts the same refusals the guard applies when the worker
queues, so an excluded customer is never sent to, whatever the preview said."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from app import db, sql
from app.messaging.templates import Kind, Length, render, sms_length

queries = sql.load(__file__, "campaigns.sql")

AUDIENCES = {
    "tune_up_due": "Maintenance plan tune-up due",
    "equipment": "Equipment of a kind or age",
    "no_visit": "No visit for some months",
}
STATUSES = {
    "draft": "Draft",
    "scheduled": "Scheduled",
    "sending": "Sending",
    "done": "Done",
    "canceled": "Canceled",
}
# What a campaign's wording may name (app.messaging.templates.problems checks it).
KIND = Kind(
    "campaign",
    "Campaign",
    "marketing",
    {"first_name": "Pat", "company": "Acme Heating & Air", "company_phone": "(312) 555-0100"},
    "",
    "",
    "",
)
SAMPLE_SIZE = 10
STOP_LINE = "Reply STOP to opt out."
_STOP_WORD = re.compile(r"\bSTOP\b")


@dataclass(frozen=True)
class Preview:
    """Who a campaign reaches: how many it goes to, the excluded counted by reason, a sample of
    recipients, and the message as the first of them would read it."""

    goes_to: int
    excluded: list[tuple[str, int]]
    sample: list[db.Row]
    subject: str
    body: str
    length: Length | None  # SMS only

    @property
    def audience(self) -> int:
        return self.goes_to + sum(n for _, n in self.excluded)


def with_stop_line(text: str) -> str:
    """A marketing text ends by saying how to opt out (added when the office's text does not)."""
    if _STOP_WORD.search(text):
        return text
    return f"{text.rstrip()} {STOP_LINE}"


def message_for(campaign: db.Row, values: dict[str, Any]) -> tuple[str, str]:
    """The subject ('' for SMS) and body one recipient gets, from the campaign's wording."""
    if campaign["channel"] == "sms":
        return "", with_stop_line(render(campaign["sms_body"], values))
    return render(campaign["email_subject"], values), render(campaign["email_body"], values)


def company_values(conn: db.Connection, tenant_id: UUID) -> dict[str, str]:
    row = conn.execute(queries.company_values, {"tenant_id": tenant_id}).fetchone()
    return {"company": row["name"], "company_phone": row["phone"]} if row else {}


def get(tenant_id: UUID, campaign_id: UUID) -> db.Row | None:
    return db.one(queries.campaign, {"tenant_id": tenant_id, "id": campaign_id})


def list_page(tenant_id: UUID, page: int) -> sql.Page:
    rows = db.query(queries.list_campaigns, {"tenant_id": tenant_id, **sql.paging(page)})
    return sql.page_of(rows, page)


def create(tenant_id: UUID, values: dict[str, Any]) -> UUID:
    rows = db.write(queries.create_campaign, {"tenant_id": tenant_id, **values})
    return UUID(str(rows[0]["id"]))


def update(tenant_id: UUID, campaign_id: UUID, values: dict[str, Any]) -> bool:
    """Save a draft's changes; False when it is no longer a draft."""
    params = {"tenant_id": tenant_id, "id": campaign_id, **values}
    return bool(db.write(queries.update_campaign, params))


def schedule(tenant_id: UUID, campaign_id: UUID, at: datetime, per_minute: int) -> bool:
    """Schedule a draft (or move a scheduled campaign) to `at`; False when it has started."""
    params = {
        "tenant_id": tenant_id,
        "id": campaign_id,
        "scheduled_at": at,
        "per_minute": per_minute,
    }
    return bool(db.write(queries.schedule_campaign, params))


def cancel(campaign_id: UUID) -> int | None:
    """Cancel a campaign and its messages not yet sent (how many); None when it has ended."""
    rows = db.write(queries.cancel_campaign, {"id": campaign_id})
    return None if rows[0]["canceled"] is None else int(rows[0]["canceled"])


def preview(tenant_id: UUID, campaign: db.Row) -> Preview:
    scope = {"id": campaign["id"], "limit": SAMPLE_SIZE}
    counts, sample = db.query_together(
        (queries.preview_counts, scope), (queries.preview_sample, scope)
    )
    values = company_values(db.connection(), tenant_id)
    values["first_name"] = sample[0]["first_name"] if sample else "Pat"
    subject, body = message_for(campaign, values)
    return Preview(
        goes_to=sum(r["n"] for r in counts if r["refusal"] == ""),
        excluded=[(r["refusal"], r["n"]) for r in counts if r["refusal"] != ""],
        sample=sample,
        subject=subject,
        body=body,
        length=sms_length(body) if campaign["channel"] == "sms" else None,
    )


def report(tenant_id: UUID, campaign_id: UUID) -> tuple[db.Row, list[db.Row]]:
    """The counts of a campaign's messages, and its blocked ones by reason."""
    scope = {"tenant_id": tenant_id, "id": campaign_id}
    counts, blocked = db.query_together(
        (queries.campaign_report, scope), (queries.campaign_blocked, scope)
    )
    return counts[0], blocked
