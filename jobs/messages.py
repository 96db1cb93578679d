"""Sends queued messages, each exactly once, through the company's Twilio and SendGrid accounts
or, without them, into the outbox.

The claim (app.claim_messages) crosses companies, hence the service role, with the actor
`system:messaging`. The database has already refused what may not go (STOP, consent, quiet
hours), and checks each message again as it is claimed. A claim is a lease in
`app.message_claims`, renewed every HEARTBEAT while the batch is sent, and it names this worker:
a process holds an advisory lock for as long as it lives (`alive_as`), so when it dies, even by
SIGKILL, another worker takes its messages again at once. Each message is sent on its own thread
and recorded in a short transaction of its own, so a worker killed mid-batch leaves only the
messages in flight in doubt. Such a message comes back `in_doubt`; for SMS the worker first asks
Twilio whether it already went (same number, sender and body since the first claim): if so it is
recorded, not sent again. SendGrid cannot be asked, so an email in doubt is sent again (README:
known limits).

A transient failure (Twilio or SendGrid down, rate limited) waits for a backoff that doubles with
each attempt; a permanent one (bad number, bad key) or the last attempt fails the message with
the provider's reason, shown to the office."""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import psycopg
from psycopg_pool import ConnectionPool

from app import crypto
from app.config import Settings
from app.db import Connection, service_role_transaction
from app.integrations import email, sms
from jobs import Job, register

log = logging.getLogger("jobs.messages")
ACTOR = "system:messaging"
BATCH = 500
THREADS = 8
LEASE = timedelta(seconds=30)  # renewed every HEARTBEAT while the batch is being sent
HEARTBEAT = 10.0  # seconds
RETRY_BASE = timedelta(seconds=30)
MAX_ATTEMPTS = 6
UNSUBSCRIBE_PATH = "/unsubscribe/"

CLAIM = "select * from app.claim_messages(%(limit)s, %(lease)s, %(worker)s)"
LOCK_NAMESPACE = 7341  # app.claim_messages reads the advisory locks of this namespace
RENEW = "select app.renew_message_leases(%(worker)s, %(lease)s)"

ACCOUNTS = """
select a.tenant_id, a.id, a.endpoint_id, a.twilio_account_sid, a.twilio_auth_token_encrypted,
       a.twilio_from_number, a.twilio_messaging_service_sid, a.sendgrid_api_key_encrypted,
       a.sendgrid_from_email, a.sendgrid_from_name
  from public.messaging_accounts a
 where a.tenant_id = any(%(tenants)s)
"""

COMPANIES = """
select t.id, t.name, t.address from public.tenants t where t.id = any(%(tenants)s)
"""

# Every update names the claim (its worker and attempt), so a late thread whose lease ran out
# and whose message another worker took cannot overwrite what that worker records.
# FINISHED records a message as 'sent' or 'failed' and ends its claim; a link that opens a
# document (a long token in its path) is cut from the text then: the log keeps no usable link.
FINISHED = """
with mine as (
  delete from app.message_claims c
   where c.tenant_id = %(tenant_id)s and c.message_id = %(id)s and c.worker = %(worker)s
     and c.attempts = %(attempts)s
  returning c.message_id
)
update public.messages m
   set status = %(status)s, provider_id = %(provider_id)s, from_address = %(from_address)s,
       failure = %(failure)s, sent_at = case when %(status)s = 'sent' then app.now() end,
       body = app.without_document_links(m.body)
 where m.tenant_id = %(tenant_id)s and m.id = (select message_id from mine)
   and m.status = 'queued'
"""

RETRY = """
with mine as (
  update app.message_claims c set lease_until = null
   where c.tenant_id = %(tenant_id)s and c.message_id = %(id)s and c.worker = %(worker)s
     and c.attempts = %(attempts)s
  returning c.message_id
)
update public.messages m set not_before = app.now() + %(wait)s, failure = %(failure)s
 where m.tenant_id = %(tenant_id)s and m.id = (select message_id from mine)
   and m.status = 'queued'
"""

UNSUBSCRIBE_LINK = """
update public.messages set unsubscribe_token_hash = %(hash)s
 where tenant_id = %(tenant_id)s and id = %(id)s and status = 'queued'
"""

TO_OUTBOX = """
insert into outbox.messages (id, tenant_id, channel, kind, to_address, subject, body_text)
values (%(id)s, %(tenant_id)s, %(channel)s, %(kind)s, %(to)s, %(subject)s, %(body)s)
"""


@dataclass(frozen=True)
class Delivered:
    """What the provider answered: its id for the message, and the sender it went from."""

    provider_id: str
    from_address: str


@dataclass(frozen=True)
class Company:
    """What the worker needs of a company to send for it."""

    name: str
    address: str
    endpoint_id: str | None = None
    twilio: sms.TwilioAccount | None = None
    sendgrid: email.SendGridAccount | None = None


@dataclass(frozen=True)
class Claimed:
    tenant_id: UUID
    id: UUID
    channel: str
    kind: str
    purpose: str
    to_address: str
    subject: str
    body: str
    attempts: int
    in_doubt: bool
    claimed_from: Any


class Sender:
    """One pass of the worker: the settings, keyring and pool it sends with."""

    def __init__(self, pool: ConnectionPool, settings: Settings) -> None:
        self.pool = pool
        self.settings = settings
        self.keyring = crypto.keyring_of(settings)
        self.worker = alive_as(settings)

    def companies(self, conn: Connection, tenants: list[UUID]) -> dict[UUID, Company]:
        accounts = {
            row["tenant_id"]: row for row in conn.execute(ACCOUNTS, {"tenants": tenants}).fetchall()
        }
        return {
            row["id"]: self._company(row, accounts.get(row["id"]))
            for row in conn.execute(COMPANIES, {"tenants": tenants}).fetchall()
        }

    def _company(self, tenant: dict[str, Any], account: dict[str, Any] | None) -> Company:
        if account is None:
            return Company(tenant["name"], tenant["address"])
        twilio = sendgrid = None
        if account["twilio_account_sid"] and account["twilio_auth_token_encrypted"]:
            twilio = sms.TwilioAccount(
                account_sid=account["twilio_account_sid"],
                auth_token=self._open(crypto.TWILIO_AUTH_TOKEN, account),
                from_number=account["twilio_from_number"],
                messaging_service_sid=account["twilio_messaging_service_sid"],
            )
        if account["sendgrid_api_key_encrypted"] and account["sendgrid_from_email"]:
            sendgrid = email.SendGridAccount(
                api_key=self._open(crypto.SENDGRID_API_KEY, account),
                from_email=account["sendgrid_from_email"],
                from_name=account["sendgrid_from_name"] or tenant["name"],
            )
        return Company(tenant["name"], tenant["address"], account["endpoint_id"], twilio, sendgrid)

    def _open(self, column: crypto.EncryptedColumn, account: dict[str, Any]) -> str:
        return crypto.decrypt(
            account[column.column],
            place=column.at(account["tenant_id"], account["id"]),
            keyring=self.keyring,
        )

    def claim(self) -> tuple[list[Claimed], dict[UUID, Company]]:
        with service_role_transaction(self.pool, ACTOR) as conn:
            claimed = [
                Claimed(**row)
                for row in conn.execute(
                    CLAIM, {"limit": BATCH, "lease": LEASE, "worker": self.worker}
                ).fetchall()
            ]
            tenants = sorted({m.tenant_id for m in claimed})
            return claimed, (self.companies(conn, tenants) if tenants else {})

    def claim_of(self, message: Claimed, **values: Any) -> dict[str, Any]:
        """The parameters naming this worker's claim on `message`, and `values`."""
        return {
            "tenant_id": message.tenant_id,
            "id": message.id,
            "attempts": message.attempts,
            "worker": self.worker,
        } | values

    def record(self, statement: str, message: Claimed, **values: Any) -> None:
        with service_role_transaction(self.pool, ACTOR) as conn:
            conn.execute(statement, self.claim_of(message, **values))

    def deliver(self, message: Claimed, company: Company) -> None:
        """Send one claimed message and record what became of it; never raises for the
        provider's refusal (that is recorded), so one bad message does not stop the batch."""
        try:
            if message.channel == "sms" and company.twilio is not None:
                sent = self._sms(message, company.twilio, company.endpoint_id)
            elif message.channel == "email" and company.sendgrid is not None:
                sent = self._email(message, company)
            else:
                self._to_outbox(message, company)
                return
        except sms.SendFailed as failure:
            self._failed(message, failure)
            return
        self.record(
            FINISHED,
            message,
            status="sent",
            provider_id=sent.provider_id,
            from_address=sent.from_address,
            failure="",
        )

    def _sms(self, message: Claimed, account: sms.TwilioAccount, endpoint: str | None) -> Delivered:
        sender = account.from_number or account.messaging_service_sid
        base = self.settings.twilio_api_base
        if message.in_doubt:
            found = sms.find_sent_sms(
                account,
                to=message.to_address,
                body=message.body,
                since=message.claimed_from,
                api_base=base,
            )
            if found is not None:
                log.info("message %s had already gone; recorded, not sent again", message.id)
                return Delivered(found.provider_id, sender)
        callback = f"{self.settings.public_url}/messaging/twilio/{endpoint}/status"
        made = sms.send_sms(
            account,
            to=message.to_address,
            body=message.body,
            status_callback=callback,
            api_base=base,
        )
        return Delivered(made.provider_id, sender)

    def _email(self, message: Claimed, company: Company) -> Delivered:
        assert company.sendgrid is not None
        text, headers = message.body, dict[str, str]()
        if message.purpose == "marketing":
            text, headers = self._unsubscribable(message, company)
        made = email.send_email(
            company.sendgrid,
            to=message.to_address,
            subject=message.subject,
            text=text,
            html=None,
            headers=headers,
            message_id=str(message.id),
            api_base=self.settings.sendgrid_api_base,
        )
        return Delivered(made.provider_id, company.sendgrid.from_email)

    def _unsubscribable(self, message: Claimed, company: Company) -> tuple[str, dict[str, str]]:
        """A marketing email's one-click unsubscribe (RFC 8058) and the company's postal
        address. The token's hash is recorded before the email leaves, so its link works."""
        token = secrets.token_urlsafe(32)
        self.record(UNSUBSCRIBE_LINK, message, hash=hashlib.sha256(token.encode()).digest())
        link = f"{self.settings.public_url}{UNSUBSCRIBE_PATH}{token}"
        footer = f"\n\n--\n{company.name}\n{company.address}\nUnsubscribe: {link}\n"
        headers = {
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        return message.body.rstrip("\n") + footer, headers

    def _to_outbox(self, message: Claimed, company: Company) -> None:
        """The embedded default: the message is kept in the outbox, recorded as sent in the
        same transaction, so it is there exactly once however the worker stops."""
        text = message.body
        if message.channel == "email" and message.purpose == "marketing":
            text, _ = self._unsubscribable(message, company)
        kept = uuid4()
        with service_role_transaction(self.pool, ACTOR) as conn:
            conn.execute(
                TO_OUTBOX,
                {
                    "id": kept,
                    "tenant_id": message.tenant_id,
                    "channel": message.channel,
                    "kind": message.kind,
                    "to": message.to_address,
                    "subject": message.subject,
                    "body": text,
                },
            )
            conn.execute(
                FINISHED,
                self.claim_of(
                    message,
                    status="sent",
                    provider_id=f"outbox:{kept}",
                    from_address="",
                    failure="",
                ),
            )

    def _failed(self, message: Claimed, failure: sms.SendFailed) -> None:
        if failure.transient and message.attempts < MAX_ATTEMPTS:
            wait = RETRY_BASE * 2 ** (message.attempts - 1)
            self.record(RETRY, message, wait=wait, failure=failure.reason[:300])
        else:
            self.record(
                FINISHED,
                message,
                status="failed",
                provider_id=None,
                from_address="",
                failure=failure.reason[:300],
            )

    def send(self, claimed: list[Claimed], companies: dict[UUID, Company]) -> None:
        """Deliver the batch on THREADS threads, renewing the leases of the messages still in
        flight every HEARTBEAT seconds, so that only a dead worker's messages are taken again."""
        with ThreadPoolExecutor(THREADS) as threads:
            flying = {threads.submit(self.deliver, m, companies[m.tenant_id]): m for m in claimed}
            while flying:
                done, _ = wait(flying, timeout=HEARTBEAT)
                for future in done:
                    del flying[future]
                    future.result()
                if flying:
                    self.renew()

    def renew(self) -> None:
        with service_role_transaction(self.pool, ACTOR) as conn:
            conn.execute(RENEW, {"worker": self.worker, "lease": LEASE})


_life: dict[str, tuple[psycopg.Connection[Any], int]] = {}
_life_lock = threading.Lock()


def alive_as(settings: Settings) -> int:
    """This process's worker key: an advisory lock it holds on a connection of its own for as
    long as it lives, so that its claims are taken again the moment it dies. Taken once per
    process (and again if that connection was lost)."""
    conninfo = settings.worker_database_url
    if conninfo is None:
        raise RuntimeError("WORKER_DATABASE_URL is not set: the worker needs its own connection")
    with _life_lock:
        held = _life.get(conninfo)
        if held is not None:
            try:
                held[0].execute("select 1")  # the lock lives as long as this connection
                return held[1]
            except psycopg.Error:
                pass
        for stale, _ in _life.values():
            stale.close()
        _life.clear()
        conn = psycopg.connect(conninfo, autocommit=True)
        while True:
            key = secrets.randbelow(2**31 - 2) + 1
            taken = conn.execute(
                "select pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, key]
            ).fetchone()
            if taken and taken[0]:
                _life[conninfo] = (conn, key)
                return key


def sweep(pool: ConnectionPool, settings: Settings | None = None) -> int:
    """Send every message due now, batch by batch, until none can be claimed (the rest wait
    for quiet hours, a sender's pace or a retry); returns how many were claimed."""
    sender = Sender(pool, settings or Settings.from_env())
    handled = 0
    while True:
        claimed, companies = sender.claim()
        if not claimed:
            return handled
        sender.send(claimed, companies)
        handled += len(claimed)


JOB = register(Job("messages", every_seconds=1, sweep=sweep))
