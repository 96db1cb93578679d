"""The demo company's texts: one conversation with a customer (a question by text, the office's
answer a few minutes later, and a thank-you not read yet), so the inbox has something to show."""

from __future__ import annotations

from uuid import UUID

from app import sql
from app.db import Connection

queries = sql.load(__file__, "texts.sql")

CONVERSATION = (
    (
        "in",
        "1 day",
        "Hi, this is {first_name}. The furnace is making a rattling noise again. Can"
        " someone take a look this week?",
    ),
    (
        "out",
        "23 hours 40 minutes",
        "Hi {first_name}, sorry to hear that! We can send Terry on"
        " Thursday between 8 and 10 AM. Does that work?",
    ),
    ("in", "23 hours 30 minutes", "Thursday morning is perfect."),
    ("in", "2 hours", "Thank you! See you Thursday."),
)


def add(conn: Connection, tenant_id: UUID) -> int:
    """Add the conversation once (0 when the company has one, or no customer with a phone);
    how many texts were added."""
    params = {"t": tenant_id}
    if conn.execute(queries.has_conversations, params).fetchone():
        return 0
    customer = conn.execute(queries.texting_customer, params).fetchone()
    if customer is None:
        return 0
    started = conn.execute(
        queries.start_conversation,
        {**params, "phone": customer["phone"], "customer": customer["id"]},
    ).fetchone()
    assert started is not None
    for direction, ago, body in CONVERSATION:
        text = {
            **params,
            "customer": customer["id"],
            "conversation": started["id"],
            "phone": customer["phone"],
            "body": body.format(first_name=customer["first_name"]),
            "ago": ago,
        }
        if direction == "in":
            conn.execute(queries.inbound_text, text)
            continue
        reply = conn.execute(queries.office_reply, text).fetchone()
        assert reply is not None
        conn.execute(queries.reply_kept, {**text, "id": reply["id"]})
    return len(CONVERSATION)
