"""Queues each scheduled campaign when its time comes, then marks it done once its messages have
all gone (or been refused).

One of the few cross-company jobs, hence the service role, with the actor `system:campaigns`. A
due campaign is claimed with `for update skip locked` and queued in one transaction: one
marketing message per customer of its audience (app.campaign_audience) who has a number or
address for its channel, `occasion` the campaign's id, so a customer gets it once however often
this runs. The messages are released `per_minute` at a time, a minute apart, from the scheduled
moment; app.messages_guard blocks the ones the rules refuse (no consent, do-not-contact,
restricted, STOP) and keeps them with their reason for the report, and quiet hours hold back the
rest until 8am where the customer is."""

from __future__ import annotations

from typing import Any

from psycopg_pool import ConnectionPool

from app.db import Connection, service_role_transaction
from app.messaging.campaigns import company_values, message_for
from jobs import Job, register

ACTOR = "system:campaigns"

DUE = """
select c.tenant_id, c.id, c.channel, c.sms_body, c.email_subject, c.email_body, c.per_minute,
       greatest(c.scheduled_at, app.now()) as starts_at
  from public.campaigns c
 where c.status = 'scheduled' and c.scheduled_at <= app.now()
   and exists (select from public.tenants t where t.id = c.tenant_id and t.status = 'active')
 order by c.scheduled_at, c.id
 limit 1
   for update skip locked
"""

AUDIENCE = """
select customer_id, first_name, address, property_id, refusal
  from app.campaign_audience(%(tenant_id)s, %(id)s)
 order by customer_id
"""

# The n-th recipient (from 0) may go from `starts_at` + floor(n / per_minute) minutes.
QUEUE = """
insert into public.messages
  (tenant_id, channel, kind, purpose, subject_id, occasion, customer_id, property_id, campaign_id,
   to_address, subject, body, not_before)
select %(tenant_id)s, %(channel)s, 'campaign', 'marketing', r.customer_id, %(occasion)s,
       r.customer_id, r.property_id, %(campaign_id)s, r.address, r.subject, r.body,
       %(starts_at)s + ((r.place - 1) / %(per_minute)s) * interval '1 minute'
  from unnest(%(customers)s::uuid[], %(properties)s::uuid[], %(addresses)s::text[],
              %(subjects)s::text[], %(bodies)s::text[])
       with ordinality as r(customer_id, property_id, address, subject, body, place)
on conflict (tenant_id, kind, channel, subject_id, occasion)
  where direction = 'out' and occasion is not null
  do nothing
"""

SENDING = """
update public.campaigns
   set status = 'sending', queued_count = %(queued)s, unreachable_count = %(unreachable)s,
       updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s
"""

DONE = """
update public.campaigns c set status = 'done', updated_at = now()
 where c.status = 'sending'
   and not exists (select from public.messages m
                    where m.tenant_id = c.tenant_id and m.campaign_id = c.id
                      and m.status = 'queued')
"""


def _queue(conn: Connection, campaign: dict[str, Any]) -> int:
    """Queue one campaign's messages; returns how many customers were messaged."""
    audience = conn.execute(AUDIENCE, campaign).fetchall()
    reachable = [r for r in audience if r["address"]]
    company = company_values(conn, campaign["tenant_id"])
    texts = [message_for(campaign, company | {"first_name": r["first_name"]}) for r in reachable]
    conn.execute(
        QUEUE,
        {
            "tenant_id": campaign["tenant_id"],
            "campaign_id": campaign["id"],
            "occasion": str(campaign["id"]),
            "channel": campaign["channel"],
            "starts_at": campaign["starts_at"],
            "per_minute": campaign["per_minute"],
            "customers": [r["customer_id"] for r in reachable],
            "properties": [r["property_id"] for r in reachable],
            "addresses": [r["address"] for r in reachable],
            "subjects": [subject for subject, _ in texts],
            "bodies": [body for _, body in texts],
        },
    )
    conn.execute(
        SENDING,
        {
            "tenant_id": campaign["tenant_id"],
            "id": campaign["id"],
            "queued": len(reachable),
            "unreachable": len(audience) - len(reachable),
        },
    )
    return len(reachable)


def sweep(pool: ConnectionPool) -> int:
    """Queue every campaign now due, each in its own transaction, then mark finished ones done;
    returns how many messages were queued."""
    queued = 0
    while True:
        with service_role_transaction(pool, ACTOR) as conn:
            campaign = conn.execute(DUE).fetchone()
            if campaign is None:
                conn.execute(DONE)
                return queued
            queued += _queue(conn, campaign)


JOB = register(Job("campaigns", every_seconds=30, sweep=sweep))
