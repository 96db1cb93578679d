"""Messages: for now, the development outbox where owners read what would have been sent."""

from __future__ import annotations

from uuid import UUID

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from app import db, errors, menu, roles, sql
from app.auth import identity

bp = Blueprint("messaging", __name__)
menu.add(
    "Outbox",
    "messaging.outbox",
    roles=roles.OWNERS,
    order=90,
    when=lambda: not current_app.config["PLENUM"].is_production,
    section=("messaging.outbox_message",),
)
queries = sql.load(__file__)
PAGE_SIZE = 25
LAST_PAGE = 100_000  # keeps OFFSET inside bigint for absurd ?page= values


def _outbox_visible() -> None:
    # Production sends real email; the outbox is a development convenience (like Inbucket).
    if current_app.config["PLENUM"].is_production:
        abort(404)


@bp.get("/outbox")
@identity.company_required(*roles.OWNERS)
def outbox() -> str:
    _outbox_visible()
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), LAST_PAGE)
    messages = db.query(
        queries.outbox_page,
        {
            "tenant_id": current_user.tenant_id,
            "limit": PAGE_SIZE + 1,
            "offset": (page - 1) * PAGE_SIZE,
        },
    )
    return render_template(
        "messaging/outbox.html",
        messages=messages[:PAGE_SIZE],
        page=page,
        has_next=len(messages) > PAGE_SIZE,
    )


@bp.get("/outbox/<uuid:message_id>")
@identity.company_required(*roles.OWNERS)
def outbox_message(message_id: UUID) -> str:
    _outbox_visible()
    message = db.one(
        queries.outbox_message,
        {"tenant_id": current_user.tenant_id, "id": message_id},
    )
    if message is None:
        abort(404)
    return render_template("messaging/message.html", message=message)


from app import customers  # noqa: E402
from app.messaging import account, wording  # noqa: E402  (settings and templates pages)
from app.messaging import inbox as _inbox  # noqa: E402  (the office inbox's routes)
from app.messaging import twilio_webhooks as _twilio_webhooks  # noqa: E402  (Twilio's webhooks)

# Twilio retries a failed callback; a closed company's texts are acknowledged and logged.
errors.acknowledge_when_closed("messaging.twilio_status")

_ = (_twilio_webhooks, account, wording)
menu.add(
    "Messages",
    "messaging.inbox",
    roles=roles.OFFICE_STAFF,
    order=35,
    section=("messaging.conversation",),
    count=_inbox.unread_count,
)
# The customer page shows the customer's latest texts and whether their number opted out.
customers.add_page_section("texts", _inbox.CUSTOMER_TEXTS)
customers.add_page_section("text_opt_outs", _inbox.CUSTOMER_OPT_OUTS)
from app.messaging import (  # noqa: E402,F401  (routes on bp)
    campaign_routes,
    document_messages,
    log,
    outgoing,
    unsubscribe,
    visit_links,
)

# What other features may use (tests/test_architecture.py holds them to it).
__all__ = ["bp", "document_messages", "outgoing"]
