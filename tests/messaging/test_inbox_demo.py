"""The demo company's conversation by text (`flask seed demo`): made once, shown in the inbox
with the thank-you not read yet, and the office's answer kept in the outbox."""

from __future__ import annotations

from app.db import Connection
from app.demo import seed
from tests.conftest import Client
from tests.messaging.inbox_support import one


def test_the_demo_company_has_one_conversation_made_once(admin: Connection, client: Client):
    seed.demo(admin)
    seed.customers(admin)
    assert seed.texts(admin) == 0  # made with the customers, not twice

    rows = admin.execute(
        "select m.direction, m.status, m.provider_id, c.customer_id, m.customer_id as sender"
        " from public.messages m join public.conversations c on c.id = m.conversation_id"
        " order by m.created_at"
    ).fetchall()
    assert [(r["direction"], r["status"]) for r in rows] == [
        ("in", "received"),
        ("out", "sent"),
        ("in", "received"),
        ("in", "received"),
    ]
    assert all(r["customer_id"] is not None and r["sender"] == r["customer_id"] for r in rows)
    kept = one(
        admin, "select count(*) as n from outbox.messages where channel = 'sms' and kind = 'reply'"
    )
    assert kept["n"] == 1 and rows[1]["provider_id"].startswith("outbox:")

    client.sign_in(seed.DEMO_STAFF[0][0], seed.DEMO_PASSWORD)
    inbox = client.get("/messages").get_data(as_text=True)
    assert "Thank you! See you Thursday." in inbox
    assert '>Messages <span class="count">1<' in inbox
