"""The messages about documents and finished work that nobody sends by hand, for every company:

- `estimate_follow_up`: a sent estimate nobody has looked at `estimate_follow_up_days` after it
  was sent (and still valid) is followed up once;
- `invoice_overdue`: an invoice still unpaid `invoice_overdue_days` after its due date is
  reminded, and again every `invoice_overdue_days`, three times at most (the occasion is the
  reminder's number; a reminder whose day passed by a whole period is skipped, not sent late);
- `visit_completed`: a visit completed within the last day is told to its customer, with the
  job, the technician's notes and the link to its invoice once the invoice is sent (the note
  waits `GRACE` for that, so an invoice made on site goes with it).

Each sweep is one set-based query per batch across companies (the service role, actor
`system:messaging`), by the database clock (`app.now()`): what is due and has no message of
that kind, subject and occasion yet (the anti-join), with the customer's channel, the company's
settings and its wording. Each message is written in the company's wording (the customer's
channel: `outgoing.channel_for`, the one rule) and queued by `app.queue_message_with_link`,
which mints a fresh link in the database, puts it in the text and checks the document again,
so a payment or a look since the query queues nothing. A message is queued once per (kind,
subject, occasion): two workers, or one run twice, queue it once. Reminders still waiting (quiet
hours) for an invoice paid or an estimate looked at since are canceled (their link removed from
the text by the database)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from psycopg_pool import ConnectionPool

from app.db import Connection, service_role_transaction
from app.estimates.service import display_number as estimate_number
from app.formatting import format_date
from app.invoices.service import display_number as invoice_number
from app.messaging import document_messages, templates
from app.messaging.outgoing import Draft, channel_for, queue
from app.money import format_money
from jobs import Job, register

ACTOR = "system:messaging"
BATCH = 200
GRACE = timedelta(minutes=30)  # a completed visit's note waits this long for its invoice
NOBODY = UUID(int=0)

# A company without a messaging account has its columns' defaults
# (20261209100200_message_settings.sql; tests/messaging/test_documents_jobs.py checks them).
FOLLOW_UPS = """
select e.tenant_id, e.id as subject_id, e.id as document_id, 'follow-up' as occasion,
       e.customer_id, e.property_id, e.number, e.revision,
       coalesce(nullif(c.first_name, ''), c.display_name) as first_name,
       c.preferred_contact, c.phone, c.email, t.name as company, t.phone as company_phone,
       w.enabled, w.sms_body, w.email_subject, w.email_body
  from public.estimates e
  join public.tenants t on t.id = e.tenant_id and t.status = 'active'
  join public.customers c on c.tenant_id = e.tenant_id and c.id = e.customer_id
  left join public.messaging_accounts a on a.tenant_id = e.tenant_id
  left join public.message_templates w
    on w.tenant_id = e.tenant_id and w.kind = 'estimate_follow_up'
 where e.status = 'sent'
   and e.sent_at <= app.now() - interval '1 day'
   and e.sent_at <= app.now() - make_interval(days => coalesce(a.estimate_follow_up_days, 3))
   and e.valid_until >= (app.now() at time zone t.time_zone)::date
   and coalesce(w.enabled, true) and (c.phone <> '' or c.email <> '')
"""

REMINDERS = """
select i.tenant_id, i.id as subject_id, i.id as document_id, due.reminder::text as occasion,
       i.customer_id, i.property_id, i.number, i.currency, i.due_on, s.balance,
       coalesce(nullif(c.first_name, ''), c.display_name) as first_name,
       c.preferred_contact, c.phone, coalesce(nullif(i.bill_to_email, ''), c.email) as email,
       t.name as company, t.phone as company_phone,
       w.enabled, w.sms_body, w.email_subject, w.email_body
  from public.invoices i
  join public.invoice_totals s on s.tenant_id = i.tenant_id and s.invoice_id = i.id
  join public.tenants t on t.id = i.tenant_id and t.status = 'active'
  join public.customers c on c.tenant_id = i.tenant_id and c.id = i.customer_id
  left join public.messaging_accounts a on a.tenant_id = i.tenant_id
  left join public.message_templates w
    on w.tenant_id = i.tenant_id and w.kind = 'invoice_overdue'
  cross join lateral (
    select ((app.now() at time zone t.time_zone)::date - i.due_on)
           / coalesce(a.invoice_overdue_days, 7) as reminder
  ) due
 where i.status in ('sent', 'partly_paid')
   and i.due_on <= (app.now() at time zone 'UTC')::date
   and s.balance > 0 and due.reminder between 1 and 3
   and coalesce(w.enabled, true)
   and (c.phone <> '' or c.email <> '' or i.bill_to_email <> '')
"""

COMPLETED_VISITS = """
select v.tenant_id, v.id as subject_id, invoice.id as document_id, 'completed' as occasion,
       j.customer_id, j.property_id, j.summary as job, v.completion_notes as summary,
       coalesce(nullif(c.first_name, ''), c.display_name) as first_name,
       c.preferred_contact, c.phone, c.email, t.name as company, t.phone as company_phone,
       w.enabled, w.sms_body, w.email_subject, w.email_body
  from public.visits v
  join public.jobs j on j.tenant_id = v.tenant_id and j.id = v.job_id
  join public.tenants t on t.id = v.tenant_id and t.status = 'active'
  join public.customers c on c.tenant_id = j.tenant_id and c.id = j.customer_id
  left join public.message_templates w
    on w.tenant_id = v.tenant_id and w.kind = 'visit_completed'
  left join lateral (
    select i.id from public.invoices i
     where i.tenant_id = v.tenant_id and (i.visit_id = v.id or i.job_id = v.job_id)
       and i.status in ('sent', 'partly_paid', 'paid')
     order by (i.visit_id = v.id) desc nulls last, i.created_at desc
     limit 1
  ) invoice on true
 where v.status = 'completed'
   and v.completed_at > app.now() - interval '1 day'
   and (v.completed_at <= app.now() - %(grace)s or invoice.id is not null)
   and coalesce(w.enabled, true) and (c.phone <> '' or c.email <> '')
"""

# What is due of a sweep's candidates (`{candidates}`: a select naming tenant_id, subject_id and
# occasion): those with no message of the kind, subject and occasion yet on any channel (the
# anti-join), a batch after the cursor.
BATCH_DUE = """
with candidates as ({candidates})
select d.* from candidates d
 where (d.tenant_id, d.subject_id) > (%(after_tenant)s, %(after)s)
   and not exists (
     select from public.messages m
      where m.tenant_id = d.tenant_id and m.kind = %(kind)s and m.subject_id = d.subject_id
        and m.occasion = d.occasion and m.direction = 'out')
 order by d.tenant_id, d.subject_id
 limit %(limit)s
"""

QUEUE_WITH_LINK = """
select app.queue_message_with_link(%(tenant_id)s, %(kind)s, %(document_id)s, %(subject_id)s,
                                   %(occasion)s, %(channel)s, %(to)s, %(subject)s, %(body)s)
  as id
"""

# Waiting reminders whose document no longer needs them.
CANCEL_FOLLOW_UPS = """
update public.messages m set status = 'canceled'
 where m.kind = 'estimate_follow_up' and m.status = 'queued' and m.direction = 'out'
   and not exists (select from public.estimates e
                    where e.tenant_id = m.tenant_id and e.id = m.subject_id
                      and e.status = 'sent')
"""

CANCEL_REMINDERS = """
update public.messages m set status = 'canceled'
 where m.kind = 'invoice_overdue' and m.status = 'queued' and m.direction = 'out'
   and not exists (select from public.invoices i
                    where i.tenant_id = m.tenant_id and i.id = m.subject_id
                      and i.status in ('sent', 'partly_paid'))
"""


@dataclass(frozen=True)
class Sweep:
    """One kind of message: what is due (`due`), what its wording is filled with (`values`),
    and what no longer needs a waiting one (`cancel`)."""

    kind: str
    due: str
    values: Callable[[dict[str, Any]], dict[str, Any]]
    cancel: str | None = None


def _follow_up(row: dict[str, Any]) -> dict[str, Any]:
    return {"estimate": estimate_number(row)}


def _reminder(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "invoice": invoice_number(row),
        "balance": format_money(row["balance"], row["currency"]),
        "due": format_date(row["due_on"]),
    }


def _completed(row: dict[str, Any]) -> dict[str, Any]:
    return {"job": row["job"], "summary": row["summary"]}


FOLLOW_UP = Sweep("estimate_follow_up", FOLLOW_UPS, _follow_up, CANCEL_FOLLOW_UPS)
REMINDER = Sweep("invoice_overdue", REMINDERS, _reminder, CANCEL_REMINDERS)
COMPLETED = Sweep("visit_completed", COMPLETED_VISITS, _completed)


def queue_one(conn: Connection, sweep: Sweep, row: dict[str, Any]) -> bool:
    """Write and queue one due message; False when nothing was queued (no address, or queued
    already, or its document no longer needs it)."""
    to = channel_for(row["preferred_contact"], row["phone"], row["email"])
    linked = row["document_id"] is not None
    values = sweep.values(row) | document_messages.greeting(row)
    letter = document_messages.write(templates.of_row(sweep.kind, row), to, values, linked)
    if letter.channel is None:
        return False
    where = {"tenant_id": row["tenant_id"], "subject_id": row["subject_id"]}
    if linked:
        params = where | letter.params() | {"kind": sweep.kind, "document_id": row["document_id"]}
        made = conn.execute(QUEUE_WITH_LINK, params | {"occasion": row["occasion"]}).fetchone()
        return made is not None and made["id"] is not None
    draft = Draft(
        row["tenant_id"],
        letter.channel,
        sweep.kind,
        letter.to,
        letter.body,
        subject=letter.subject,
        customer_id=row["customer_id"],
        property_id=row["property_id"],
        subject_id=row["subject_id"],
        occasion=row["occasion"],
    )
    return queue(conn, draft) is not None


def run(pool: ConnectionPool, sweep: Sweep) -> int:
    """Queue every message of `sweep` due now, a batch per transaction; how many were queued."""
    queued, after = 0, (NOBODY, NOBODY)
    if sweep.cancel:
        with service_role_transaction(pool, ACTOR) as conn:
            conn.execute(sweep.cancel)
    while True:
        with service_role_transaction(pool, ACTOR) as conn:
            rows = conn.execute(
                BATCH_DUE.format(candidates=sweep.due),
                {
                    "kind": sweep.kind,
                    "limit": BATCH,
                    "after_tenant": after[0],
                    "after": after[1],
                    "grace": GRACE,
                },
            ).fetchall()
            queued += sum(queue_one(conn, sweep, row) for row in rows)
        if len(rows) < BATCH:
            return queued
        after = (rows[-1]["tenant_id"], rows[-1]["subject_id"])


def follow_ups(pool: ConnectionPool) -> int:
    return run(pool, FOLLOW_UP)


def reminders(pool: ConnectionPool) -> int:
    return run(pool, REMINDER)


def completed_visits(pool: ConnectionPool) -> int:
    return run(pool, COMPLETED)


FOLLOW_UPS_JOB = register(Job("estimate_follow_ups", every_seconds=300, sweep=follow_ups))
REMINDERS_JOB = register(Job("invoice_reminders", every_seconds=300, sweep=reminders))
COMPLETED_JOB = register(Job("visit_completed_messages", every_seconds=60, sweep=completed_visits))
