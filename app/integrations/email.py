"""The email port. Until a sending adapter exists (the messaging issue), messages are kept in
`outbox.messages`, queued only by code that renders a known template: the identity functions
of the database for account mail and invitations, and the worker for audit receipts."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from app import db, sql

queries = sql.load(__file__, "email.sql")


@dataclass(frozen=True)
class Email:
    """One outgoing email; `tenant_id` is None for account messages (password reset)."""

    to: str
    subject: str
    text: str
    kind: str
    tenant_id: UUID | None = None


def compose(rendered: str, *, to: str, kind: str, tenant_id: UUID | None = None) -> Email:
    """An email from a rendered `templates/email/<kind>.txt` (its first line is the subject)."""
    subject, _, body = rendered.partition("\n")
    return Email(
        to=to, subject=subject.strip(), text=body.strip() + "\n", kind=kind, tenant_id=tenant_id
    )


def queue(conn: db.Connection, email: Email) -> None:
    """Keep `email` in the outbox within `conn`'s transaction: the worker's way to this port (it
    has no request). It runs as service_role, in the company's name."""
    conn.execute(
        queries.queue_email,
        {
            "tenant_id": email.tenant_id,
            "kind": email.kind,
            "to": email.to,
            "subject": email.subject,
            "text": email.text,
        },
    )


# The SendGrid adapter's interface (not written yet).
from app.integrations.sms import Sent  # noqa: E402


@dataclass(frozen=True)
class SendGridAccount:
    api_key: str
    from_email: str
    from_name: str


def send_email(account: SendGridAccount, **kw: object) -> Sent:
    raise NotImplementedError
