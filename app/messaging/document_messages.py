"""Messages about a document (an estimate, an invoice) and about finished work: the company's
wording of the kind (app/messaging/templates.py), filled in, with the document's link left as
`{estimate_link}` or `{invoice_link}` for the database to put in. The database mints the link
(only its hash is kept) and queues the message in the same definer (`app.send_estimate`,
`app.send_invoice`, and for the worker `app.queue_message_with_link`), so no token passes
through the app unless it is shown to the office once.

Where it goes: the customer's preferred channel (`outgoing.channel_for`: the one rule, also
followed by the worker's sweeps in jobs/document_messages.py), or the address the office typed.
Whether it goes is the database's call (do-not-contact, STOP, restriction, quiet hours)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from app import db, document_links, phones, sql
from app.messaging import templates
from app.messaging.outgoing import Channel, channel_for

queries = sql.load(__file__, "document_messages.sql")

# The variable that holds each kind's link, left in place for the database to fill.
LINKS = {
    "estimate_sent": "estimate_link",
    "estimate_follow_up": "estimate_link",
    "invoice_sent": "invoice_link",
    "invoice_overdue": "invoice_link",
    "visit_completed": "invoice_link",
}
SMS_SUMMARY = 300  # characters of a visit's notes a text carries


@dataclass(frozen=True)
class Letter:
    """A message written but for its link; no channel: no message (none asked for, or the
    company turned the kind off)."""

    channel: Channel | None = None
    to: str = ""
    subject: str = ""
    body: str = ""
    turned_off: bool = False

    def params(self) -> dict[str, Any]:
        return {"channel": self.channel, "to": self.to, "subject": self.subject, "body": self.body}


def address_for(preferred: str, phone: str, email: str) -> str:
    """The address the office's sending form is filled with: the customer's preferred one
    (`outgoing.channel_for`), as the office reads and types it (`(312) 555-0100`)."""
    to = channel_for(preferred or "", phone or "", email or "")
    if to is None:
        return ""
    return phones.display(to[1]) if to[0] == "sms" else to[1]


def write(
    template: templates.Template,
    to: tuple[str, str] | None,
    values: Mapping[str, Any],
    with_link: bool = True,
) -> Letter:
    """The company's wording of the kind for `to`, filled in from `values`, its link's variable
    kept as `{<name>}` in the text for the database to fill (left out of an email's subject,
    and out of the text when there is no link to give)."""
    if to is None:
        return Letter()
    if not template.enabled:
        return Letter(turned_off=True)
    channel, address = to
    link = LINKS[template.kind.name]
    filled = {**values, link: "{" + link + "}" if with_link else ""}
    if channel == "sms":
        summary = str(values.get("summary", ""))
        if len(summary) > SMS_SUMMARY:
            filled["summary"] = summary[: SMS_SUMMARY - 1].rstrip() + "…"
        return Letter("sms", address, "", templates.render(template.sms, filled))
    subject = templates.render(template.email_subject, {**values, link: ""})
    return Letter("email", address, subject, templates.render(template.email_body, filled))


def send_with_link(
    tenant_id: UUID,
    kind: str,
    statement: str,
    params: Mapping[str, Any],
    to: document_links.Recipient,
    values: Mapping[str, Any],
) -> document_links.Made:
    """Run a sending definer (`statement`, e.g. app.send_invoice, given `params` and the
    letter's channel, to, subject and body) for the signed-in member: the company's wording of
    `kind` for `to`; returns the new link and what became of its message."""
    wording = db.one(queries.wording, {"tenant_id": tenant_id, "kind": kind})
    assert wording is not None  # the member's own company
    template = templates.of_row(kind, wording)
    letter = write(template, to, {**values, **greeting(wording)})
    row = db.write(statement, {**params, **letter.params()})[0]
    return document_links.Made(
        token=str(row["token"]),
        to=letter.to if row["message_id"] else "",
        refusal=row["refusal"] or "",
        turned_off=letter.turned_off,
    )


def greeting(row: Mapping[str, Any]) -> dict[str, str]:
    """The variables every kind offers, from a row naming the company (`company`,
    `company_phone`) and/or the customer (`first_name`)."""
    return {key: str(row[key] or "") for key in templates.COMMON if key in row}
