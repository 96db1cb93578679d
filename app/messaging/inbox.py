"""The office inbox: conversations by text with homeowners (newest first, with unread counts),
one conversation's thread with each text's delivery status, replies (queued like any message,
so the database refuses a number that texted STOP), and attaching a conversation with an
unknown number to a customer. The customer page shows their latest texts."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from app import company, customers, db, roles, sql
from app.auth import identity
from app.forms import strip_text
from app.messaging import bp
from app.messaging.outgoing import Draft, queue

queries = sql.load(__file__, "inbox.sql")
PAGE_SIZE = 25
LAST_PAGE = 100_000
THREAD_SHOWN = 100
CUSTOMER_PAGE_SHOWN = 5
REPLY_MAX = 1600  # Twilio's longest text
View = str | tuple[str, int] | Response


class ReplyForm(FlaskForm):
    body = TextAreaField(
        "Reply",
        filters=[strip_text],
        validators=[
            DataRequired("Write the reply first."),
            Length(max=REPLY_MAX, message=f"A text has at most {REPLY_MAX:,} characters."),
        ],
    )
    back = HiddenField()  # "customer": back to the customer page after sending


class AttachForm(FlaskForm):
    attach_customer = HiddenField(validators=[DataRequired("Choose a customer.")])


def unread_count() -> int:
    """Texts from homeowners the office has not opened yet (the menu's badge); 0 on a page
    that acts with a link's or a webhook's narrow role rather than as the member."""
    if g.get("db_claims", {}).get("role") != "authenticated":
        return 0
    return int(db.value(queries.unread_total, {"tenant_id": current_user.tenant_id}) or 0)


def _conversation_or_404(conversation_id: UUID) -> db.Row:
    found = db.one(
        queries.conversation, {"tenant_id": current_user.tenant_id, "id": conversation_id}
    )
    if found is None:
        abort(404)
    return found


@bp.get("/messages")
@identity.company_required(*roles.OFFICE_STAFF)
def inbox() -> View:
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), LAST_PAGE)
    rows = db.query(
        queries.conversations_page,
        {
            "tenant_id": current_user.tenant_id,
            "limit": PAGE_SIZE + 1,
            "offset": (page - 1) * PAGE_SIZE,
        },
    )
    return render_template(
        "messaging/inbox.html",
        conversations=rows[:PAGE_SIZE],
        page=page,
        has_next=len(rows) > PAGE_SIZE,
        zone=company.zone(current_user.tenant_id),
    )


def _page(conversation: db.Row, form: ReplyForm | None = None, status: int = 200) -> View:
    tenant_id = current_user.tenant_id
    thread = db.query(
        queries.thread, {"tenant_id": tenant_id, "id": conversation["id"], "limit": THREAD_SHOWN}
    )
    term = " ".join(request.args.get("q", "").split())[:100]
    found: list[dict[str, Any]] = []
    if term and conversation["customer_id"] is None:
        found, _ = customers.search_customers(tenant_id, term, "name", None)
    return render_template(
        "messaging/conversation.html",
        conversation=conversation,
        thread=list(reversed(thread)),
        more=len(thread) == THREAD_SHOWN,
        form=form or ReplyForm(),
        attach_form=AttachForm(),
        term=term,
        found=found,
        zone=company.zone(tenant_id),
    ), status


@bp.get("/messages/<uuid:conversation_id>")
@identity.company_required(*roles.OFFICE_STAFF)
def conversation(conversation_id: UUID) -> View:
    found = _conversation_or_404(conversation_id)
    working_in = company.current()
    if working_in is None or working_in.is_open:  # a closed company's records stay as they are
        db.write(queries.mark_read, {"tenant_id": current_user.tenant_id, "id": conversation_id})
    return _page(found)


@bp.post("/messages/<uuid:conversation_id>/reply")
@identity.company_required(*roles.OFFICE_STAFF)
def reply(conversation_id: UUID) -> View:
    found = _conversation_or_404(conversation_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _page(found, form, 422)
    queued = queue(
        db.connection(),
        Draft(
            current_user.tenant_id,
            "sms",
            "reply",
            to=found["phone"],
            body=form.body.data or "",
            purpose="conversation",
            customer_id=found["customer_id"],
            conversation_id=found["id"],
        ),
    )
    if queued is not None and queued.status == "blocked":
        flash(f"Not sent: {queued.blocked_reason}", "error")
    else:
        flash("Reply queued: it goes out within a minute (or at 8 AM their time).", "success")
    if form.back.data == "customer" and found["customer_id"] is not None:
        target = url_for("customers.show", customer_id=found["customer_id"], _anchor="texts")
    else:
        target = url_for("messaging.conversation", conversation_id=conversation_id)
    return redirect(target)


@bp.post("/messages/<uuid:conversation_id>/customer")
@identity.company_required(*roles.OFFICE_STAFF)
def attach(conversation_id: UUID) -> View:
    found = _conversation_or_404(conversation_id)
    form = AttachForm()
    chosen = _uuid(form.attach_customer.data) if form.validate_on_submit() else None
    params = {"tenant_id": current_user.tenant_id, "id": conversation_id, "customer_id": chosen}
    if chosen is None or not db.write(queries.attach_customer, params)[0]["attached"]:
        flash("Choose one of the company's customers.", "error")
        return _page(found, status=422)
    flash("Conversation attached to the customer.", "success")
    return redirect(url_for("messaging.conversation", conversation_id=conversation_id))


def _uuid(text: str | None) -> UUID | None:
    try:
        return UUID(text or "")
    except ValueError:
        return None


def _customer_texts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The customer page's section: [] without a conversation, else one row with its
    messages (oldest first) and a reply form."""
    if not rows:
        return []
    first = rows[0]
    messages = [row for row in rows if row["id"] is not None]
    form = ReplyForm(formdata=None, back="customer")
    form.body.id = form.body.label.field_id = "text-reply"  # the page's note box is "body"
    return [
        {
            "id": first["conversation_id"],
            "phone": first["phone"],
            "messages": messages,
            "form": form,
        }
    ]


CUSTOMER_TEXTS: customers.PageRead = customers.PageRead(
    queries.customer_texts, _customer_texts, {"shown": CUSTOMER_PAGE_SHOWN}
)
CUSTOMER_OPT_OUTS: customers.PageRead = customers.PageRead(queries.customer_opt_outs)
