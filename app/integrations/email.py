"""The email port. The embedded default keeps messages in `outbox.messages`, in the request's
transaction, so that a message exists exactly when the change that caused it was committed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from flask import current_app, render_template

from app import db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Email:
    """One outgoing email of a company. Account messages (no company: sign-up, reset, unlock)
    are rendered and queued by the database's own functions, never through this port."""

    to: str
    subject: str
    text: str
    kind: str
    tenant_id: UUID | None = None


QUEUE = (
    "insert into outbox.messages (tenant_id, channel, kind, to_address, subject, body_text)"
    " values (%(tenant_id)s, 'email', %(kind)s, %(to)s, %(subject)s, %(text)s)"
)


def _row(email: Email) -> dict[str, object]:
    return {
        "tenant_id": email.tenant_id,
        "kind": email.kind,
        "to": email.to,
        "subject": email.subject,
        "text": email.text,
    }


class EmailSender(Protocol):
    def send(self, email: Email) -> None: ...


class OutboxEmail:
    """Stores the message instead of sending it; in development also logs where to read it."""

    def __init__(self, log: bool) -> None:
        self.log = log

    def send(self, email: Email) -> None:
        db.write(QUEUE, _row(email))
        if self.log:
            log.warning("outbox: %s to %s\n%s", email.kind, email.to, email.text)


def send(
    template: str, *, to: str, kind: str, tenant_id: UUID | None = None, **context: object
) -> None:
    """Render `templates/email/<template>.txt` (first line: subject) and send it."""
    rendered = render_template(f"email/{template}.txt", **context)
    subject, _, body = rendered.partition("\n")
    sender: EmailSender = current_app.extensions["plenum.email"]
    sender.send(
        Email(
            to=to, subject=subject.strip(), text=body.strip() + "\n", kind=kind, tenant_id=tenant_id
        )
    )


def queue(conn: db.Connection, email: Email) -> None:
    """Keep `email` in the outbox within `conn`'s transaction: the worker's way to this port (it
    has no request). A company message needs the company's claims on `conn`."""
    conn.execute(QUEUE, _row(email))
