"""The email port. Account mail, invitations and audit receipts are kept in `outbox.messages`,
queued only by code that renders a known template: the identity functions of the database and
the worker. A company's own mail to homeowners goes through its SendGrid account with the
official `sendgrid` SDK (`send_email`), to `SENDGRID_API_BASE` when it is set (tests run a
loopback SendGrid). Logs name the HTTP status only, never the key, an address or a body."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from python_http_client.exceptions import HTTPError as SendGridHTTPError
from sendgrid import SendGridAPIClient

from app import db, sql
from app.integrations.sending import SendFailed, Sent

queries = sql.load(__file__, "email.sql")
log = logging.getLogger(__name__)
SENDGRID_API = "https://api.sendgrid.com"
TIMEOUT_SECONDS = 10.0


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


@dataclass(frozen=True)
class SendGridAccount:
    """A company's SendGrid API key and the sender its mail shows."""

    api_key: str
    from_email: str
    from_name: str


def _mail(
    account: SendGridAccount,
    to: str,
    subject: str,
    parts: dict[str, str | None],
    headers: Mapping[str, str],
    message_id: str,
) -> dict[str, Any]:
    """The v3 `mail/send` body, written out rather than built with the SDK's helpers (which
    parse "Name <address>" strings and fail on some addresses); `message_id` rides along as a
    custom arg, so SendGrid's events name the message they are about."""
    sender = {"email": account.from_email}
    if account.from_name:
        sender["name"] = account.from_name
    content = [{"type": kind, "value": value} for kind, value in parts.items() if value is not None]
    body: dict[str, Any] = {
        "personalizations": [{"to": [{"email": to}]}],
        "from": sender,
        "subject": subject,
        "content": content,
        "custom_args": {"message_id": message_id},
    }
    if headers:
        body["headers"] = dict(headers)
    return body


def _refused(error: SendGridHTTPError) -> SendFailed:
    status = int(error.status_code or 0)
    log.warning("email: SendGrid refused: HTTP %s", status)
    code = str(status)
    if status == 429 or status >= 500:
        return SendFailed(
            "SendGrid is busy or unavailable; the email will be tried again.",
            transient=True,
            code=code,
        )
    if status in (401, 403):
        return SendFailed(
            "SendGrid refused the company's API key: check it.", transient=False, code=code
        )
    return SendFailed(f"SendGrid refused the email (HTTP {status}).", transient=False, code=code)


def send_email(
    account: SendGridAccount,
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None,
    headers: Mapping[str, str],
    message_id: str,
    api_base: str | None,
) -> Sent:
    """Send one email with the company's SendGrid key; SendGrid answers 202 and the message's
    X-Message-Id once it has accepted it. `headers` carry e.g. List-Unsubscribe (RFC 8058).
    Raises SendFailed."""
    parts = {"text/plain": text, "text/html": html}
    body = _mail(account, to, subject, parts, headers, message_id)
    try:
        client = SendGridAPIClient(account.api_key, host=api_base or SENDGRID_API)
        response = client.client.mail.send.post(request_body=body, timeout=TIMEOUT_SECONDS)
    except SendGridHTTPError as error:
        raise _refused(error) from error
    except OSError as error:  # urllib's URLError, timeouts, refused connections
        log.warning("email: SendGrid could not be reached: %s", type(error).__name__)
        raise SendFailed(
            "SendGrid could not be reached; the email will be tried again.", transient=True
        ) from error
    return Sent(provider_id=str(response.headers.get("X-Message-Id") or ""), status="accepted")
