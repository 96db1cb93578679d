"""The demo company's messaging: an account without keys (its messages land in the outbox),
with a review page, and a reminder in its own words, so the templates pages show both kinds."""

from __future__ import annotations

from typing import Any

from app import sql
from app.db import Connection

queries = sql.load(__file__, "messaging.sql")

REMINDER = {
    "kind": "visit_reminder",
    "sms": "Hi {first_name}! {company} here: see you tomorrow, {window}, for your {job}."
    " Need another time? Call {company_phone}.",
    "subject": "Tomorrow: {job}, {window}",
    "body": "Hi {first_name},\n\nJust a reminder that we will see you tomorrow, {window}, for"
    " your {job}. Please make sure we can reach the furnace and the thermostat.\n\nNeed another"
    " time? Call us at {company_phone}.\n\n{company}",
}


def add(conn: Connection, tenant_id: Any) -> bool:
    """Give the demo company its messaging settings; False when it has them already."""
    made = conn.execute(queries.messaging_account, {"t": tenant_id}).fetchone()
    conn.execute(queries.own_template, {"t": tenant_id} | REMINDER)
    return made is not None
