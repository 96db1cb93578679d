"""The message log: every message in and out, on the customer's timeline and on one page for the
office (searchable, filtered, paged), and as a CSV file of what the filters find. Bodies are shown
as stored: the worker removes document links from them once sent (jobs/messages.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from app import company, customers, db, menu, roles, sql
from app.audit.access import record_list
from app.auth import identity
from app.csv_export import Export, build_rows, csv_response
from app.forms import DateRangeFilter, choices, strip_text
from app.messaging import bp
from app.messaging.templates import KINDS
from app.views import page_number

queries = sql.load(__file__, "log.sql")
View = Response | str | tuple[str, int]

KIND_LABELS: dict[str, str] = {name: kind.label for name, kind in KINDS.items()} | {
    "campaign": "Campaign",
    "reply": "Reply",
    "inbound": "Received text",
    "opt_out": "Opt-out confirmation",
    "opt_in": "Opt-in confirmation",
    "help": "Help answer",
}
STATUS_LABELS = {
    "queued": "Queued",
    "sent": "Sent",
    "delivered": "Delivered",
    "undelivered": "Undelivered",
    "failed": "Failed",
    "received": "Received",
    "blocked": "Blocked",
    "canceled": "Canceled",
}
CHANNEL_LABELS = {"sms": "Text", "email": "Email"}

menu.add("Message log", "messaging.log", roles=roles.OFFICE_STAFF, order=52)


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def _timeline(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            **row,
            "kind_label": kind_label(row["kind"]),
            "status_label": STATUS_LABELS.get(row["status"], row["status"]),
            "channel_label": CHANNEL_LABELS[row["channel"]],
        }
        for row in rows
    ]


customers.add_timeline_entries("message", customers.PageRead(queries.for_customer, _timeline))


class LogFilter(DateRangeFilter):
    q = StringField(
        "Name, number, address or text",
        filters=[strip_text],
        validators=[Optional(), Length(max=100, message="Search for at most 100 characters.")],
    )
    channel = SelectField(
        "Channel", choices=choices([("", "Text and email"), *CHANNEL_LABELS.items()]), default=""
    )
    kind = SelectField(
        "Kind", choices=choices([("", "Every kind"), *KIND_LABELS.items()]), default=""
    )
    status = SelectField(
        "Status", choices=choices([("", "Every status"), *STATUS_LABELS.items()]), default=""
    )

    def params(self, tenant_id: Any) -> dict[str, Any]:
        """The log query's parameters for the chosen filters (after `validate`), without paging."""
        return {
            "tenant_id": tenant_id,
            "zone": company.zone(tenant_id).key,
            "pattern": sql.like_pattern(self.q.data or ""),
            "channel": self.channel.data or None,
            "kind": self.kind.data or None,
            "status": self.status.data or None,
            "starts": self.starts.data,
            "ends": self.ends.data,
        }


@bp.get("/message-log")
@identity.company_required(*roles.OFFICE_STAFF)
def log() -> View:
    form = LogFilter(request.args)
    number = page_number()
    filter_args = {k: v for k, v in request.args.items() if k != "page" and v}
    context: dict[str, Any] = {"form": form, "page": None, "filter_args": filter_args}
    context |= {"kinds": KIND_LABELS, "statuses": STATUS_LABELS, "channels": CHANNEL_LABELS}
    if not form.validate() or number is None:
        if number is None:
            form.form_errors.append("That page does not exist.")
        return render_template("messaging/log.html", **context), 422
    params = form.params(current_user.tenant_id) | sql.paging(number)
    rows = sql.page_of(db.query(queries.message_log, params), number)
    record_list("public.messages", (m["id"] for m in rows.rows), view="message log")
    context |= {"page": rows, "zone": company.zone(current_user.tenant_id)}
    return render_template("messaging/log.html", **context)


EXPORT = Export(
    "public.messages",
    queries.message_log,
    (
        "Time",
        "Direction",
        "Channel",
        "Kind",
        "Status",
        "Reason",
        "Customer",
        "To",
        "From",
        "Subject",
        "Text",
        "Sent at",
        "Delivered at",
    ),
)


def _cells(row: dict[str, Any]) -> Iterable[Any]:
    return (
        row["created_at"],
        "in" if row["direction"] == "in" else "out",
        CHANNEL_LABELS[row["channel"]],
        kind_label(row["kind"]),
        STATUS_LABELS.get(row["status"], row["status"]),
        row["blocked_reason"] or row["failure"],
        row["customer_name"],
        row["to_address"],
        row["from_address"],
        row["subject"],
        row["body"],
        row["sent_at"],
        row["delivered_at"],
    )


@bp.get("/message-log/export.csv")
@identity.company_required(*roles.OFFICE_STAFF)
def export_log() -> Response:
    form = LogFilter(request.args)
    if not form.validate():
        args: dict[str, Any] = request.args.to_dict()
        return redirect(url_for("messaging.log", **args))  # the log says what is wrong
    params = form.params(current_user.tenant_id) | sql.WHOLE_LIST
    chunks = build_rows(EXPORT, params, "export_messages", _cells)
    return csv_response(chunks, f"messages-{date.today().isoformat()}.csv")
