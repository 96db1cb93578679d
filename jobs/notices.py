"""Visit notices: the booking confirmation, the reminder the day before, "on my way" and the
review request, each queued exactly once per occasion in the company's wording.

Every few seconds the sweep looks across companies (service role, actor `system:messaging`)
for visits that need a notice and have none yet: each kind's candidates are found in one
statement, set-based, with an anti-join on `public.messages` by (kind, visit, occasion), in
batches. The occasion makes each notice once: the window's start for a confirmation (so a
visit moved to another time is confirmed again, once), the visit's local date for the
reminder, the moment the technician set out for "on my way". A review request goes once per
visit, and at most once per customer every `review_every_months`.

What may be sent, and when, is the database's to decide (app.messages_guard): quiet hours in the
recipient's zone, consent for review requests (a marketing message), do-not-contact, STOP.
Times are the database clock's (app.now()), which tests set. A kind whose template the
company turned off is not even looked for."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from psycopg import sql
from psycopg_pool import ConnectionPool

from app import phones
from app.config import Settings
from app.db import Connection, service_role_transaction
from app.formatting import EN_DASH, format_day, format_time_range
from app.integrations import maps
from app.messaging import templates
from app.messaging.outgoing import Draft, channel_for, queue_many
from jobs import Job, register

log = logging.getLogger("jobs.notices")
ACTOR = "system:messaging"
BATCH = 500
# One sweep at a time across workers: the review request's "once per customer" spans visits.
LOCK = "select pg_try_advisory_xact_lock(hashtext('jobs.notices')) as mine"

# What every candidate row carries, whatever the kind: the company, the customer and how to
# reach them, the property, and the visit with its window and its job.
COLUMNS = """
       v.tenant_id, v.id as visit_id, v.window_starts_at, v.window_ends_at, j.summary as job,
       j.customer_id, j.property_id, c.first_name, c.display_name, c.preferred_contact,
       c.phone, c.email, t.name as company, t.phone as company_phone,
       coalesce(p.time_zone, t.time_zone) as zone, p.latitude, p.longitude
"""
JOINS = """
  join public.tenants t on t.id = v.tenant_id and t.status = 'active'
  join public.jobs j on j.tenant_id = v.tenant_id and j.id = v.job_id
  join public.customers c on c.tenant_id = j.tenant_id and c.id = j.customer_id
  join public.properties p on p.tenant_id = j.tenant_id and p.id = j.property_id
"""
# The company sends this kind, and the customer can be reached.
SENDABLE = """
   and (c.phone <> '' or c.email <> '')
   and not exists (select from public.message_templates mt
                    where mt.tenant_id = v.tenant_id and mt.kind = %(kind)s and not mt.enabled)
"""


# No message of this kind about this visit for {occasion} (an SQL expression), on either
# channel (the unique index on messages leads with them: one probe each).
NOT_SENT = """
   and not exists (select from public.messages m
                    where m.tenant_id = v.tenant_id and m.kind = %(kind)s
                      and m.channel in ('sms', 'email') and m.subject_id = v.id
                      and m.direction = 'out' and m.occasion = {occasion})
"""
WINDOW_START = "to_char(v.window_starts_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI\"Z\"')"
LOCAL_DAY = "((v.window_starts_at at time zone coalesce(p.time_zone, t.time_zone))::date)"
EN_ROUTE = "to_char(v.en_route_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
# The moment the reminder is due: the company's reminder time on the day before, local.
REMINDER_DUE = """((LOCAL_DAY - 1 + coalesce(a.reminder_time, time '17:00'))
                    at time zone coalesce(p.time_zone, t.time_zone))""".replace(
    "LOCAL_DAY", LOCAL_DAY
)


def _statement(text: str) -> sql.Composed:
    """A candidate query from the fragments above (fixed text only; values are parameters)."""

    def not_sent(occasion: str) -> sql.Composed:
        return sql.SQL(NOT_SENT).format(occasion=sql.SQL(occasion))

    return sql.SQL(text).format(
        columns=sql.SQL(COLUMNS),
        joins=sql.SQL(JOINS),
        sendable=sql.SQL(SENDABLE),
        window_start=sql.SQL(WINDOW_START),
        local_day=sql.SQL(LOCAL_DAY),
        en_route=sql.SQL(EN_ROUTE),
        reminder_due=sql.SQL(REMINDER_DUE),
        not_sent_window=not_sent(WINDOW_START),
        not_sent_day=not_sent(LOCAL_DAY + "::text"),
        not_sent_en_route=not_sent(EN_ROUTE),
        not_sent_completed=not_sent("'completed'"),
    )


# Visits given a window (or moved) in the last two days whose window is still ahead.
CONFIRMATIONS = _statement("""
select {columns}, {window_start} as occasion
  from public.visits v {joins}
 where v.status in ('scheduled', 'dispatched') and v.window_starts_at is not null
   and v.updated_at > now() - interval '2 days'
   and v.window_starts_at > app.now()
   {sendable} {not_sent_window}
 order by v.updated_at
 limit %(limit)s
""")

# Visits starting within two days whose reminder is due, unless the visit was confirmed after
# that moment (the confirmation said it all).
REMINDERS = _statement("""
select {columns}, {local_day}::text as occasion
  from public.visits v {joins}
  left join public.messaging_accounts a on a.tenant_id = v.tenant_id
 where v.status in ('scheduled', 'dispatched')
   and v.window_starts_at > app.now() and v.window_starts_at <= app.now() + interval '50 hours'
   and {reminder_due} <= app.now()
   and not exists (select from public.messages m
                    where m.tenant_id = v.tenant_id and m.kind = 'booking_confirmation'
                      and m.channel in ('sms', 'email') and m.subject_id = v.id
                      and m.direction = 'out' and m.occasion = {window_start}
                      and m.not_before >= {reminder_due})
   {sendable} {not_sent_day}
 order by v.window_starts_at
 limit %(limit)s
""")

# Visits whose technician is on the way: the first assigned technician's first name, and where
# they set out from (the property of their stop before this one that day, when it is placed).
ON_MY_WAY = _statement("""
select {columns}, {en_route} as occasion, tech.first_name as technician,
       origin.latitude as origin_latitude, origin.longitude as origin_longitude
  from public.visits v {joins}
  left join lateral (
    select va.technician_id, split_part(btrim(mb.full_name), ' ', 1) as first_name
      from public.visit_assignments va
      join public.memberships mb on mb.tenant_id = va.tenant_id and mb.account_id = va.technician_id
     where va.tenant_id = v.tenant_id and va.visit_id = v.id
     order by va.created_at, va.id limit 1) tech on true
  left join lateral (
    select op.latitude, op.longitude
      from public.visit_assignments oa
      join public.visits ov on ov.tenant_id = oa.tenant_id and ov.id = oa.visit_id
      join public.jobs oj on oj.tenant_id = ov.tenant_id and oj.id = ov.job_id
      join public.properties op on op.tenant_id = oj.tenant_id and op.id = oj.property_id
     where oa.tenant_id = v.tenant_id and oa.technician_id = tech.technician_id
       and ov.id <> v.id and ov.arrived_at < v.en_route_at
       and ov.arrived_at > v.en_route_at - interval '16 hours'
     order by ov.arrived_at desc limit 1) origin on true
 where v.status = 'en_route' and v.en_route_at is not null
   {sendable} {not_sent_en_route}
 order by v.en_route_at
 limit %(limit)s
""")

# Visits completed `review_delay_hours` ago (and not more than a week before that), when the
# company has a review page; one per customer, none for a customer asked (not refused) within
# `review_every_months`. A visit is looked at once: its request is queued, or refused and kept.
REVIEWS = _statement("""
select distinct on (v.tenant_id, j.customer_id)
       {columns}, 'completed' as occasion,
       a.review_url as review_link
  from public.visits v {joins}
  join public.messaging_accounts a on a.tenant_id = v.tenant_id and a.review_url <> ''
 where v.status = 'completed'
   and v.completed_at <= app.now() - make_interval(hours => a.review_delay_hours)
   and v.completed_at > app.now() - make_interval(hours => a.review_delay_hours)
                                  - interval '7 days'
   and not exists (select from public.messages m
                    where m.tenant_id = v.tenant_id and m.customer_id = j.customer_id
                      and m.kind = %(kind)s and m.direction = 'out'
                      and m.status not in ('blocked', 'canceled', 'failed')
                      and m.not_before > app.now() - make_interval(months => a.review_every_months))
   {sendable} {not_sent_completed}
 order by v.tenant_id, j.customer_id, v.completed_at desc
 limit %(limit)s
""")


@dataclass(frozen=True)
class Position:
    latitude: float
    longitude: float


def arriving(minutes: int | None) -> str:
    """The {eta} of "on my way": ', arriving in about 25 minutes', or '' when not known."""
    if minutes is None or minutes < 1:
        return ""
    if minutes >= 90:
        hours = round(minutes / 60 * 2) / 2
        return f", arriving in about {hours:g} hours"
    return f", arriving in about {minutes} minute{'s' if minutes != 1 else ''}"


def eta_text(settings: Settings, origin: Position | None, destination: Position | None) -> str:
    """How long the technician should take to arrive, for the {eta} of "on my way", from where
    they set out (their stop before, when it is placed) to the property, by the maps port
    (Google's driving time when configured, else straight-line); '' when either place has no
    coordinates yet (the message reads well without it)."""
    if origin is None or destination is None:
        return ""
    minutes = maps.eta_minutes(
        settings, origin.latitude, origin.longitude, destination.latitude, destination.longitude
    )
    return arriving(minutes)


def _position(latitude: Any, longitude: Any) -> Position | None:
    if latitude is None or longitude is None:
        return None
    return Position(float(latitude), float(longitude))


def window_text(starts: datetime, ends: datetime, zone: str) -> str:
    """'Tue, Dec 8, 8:00-10:00 AM' in the property's zone, with plain hyphens (GSM-7 texts)."""
    local = ZoneInfo(zone)
    text = f"{format_day(starts, local)}, {format_time_range(starts, ends, local)}"
    return text.replace(EN_DASH, "-")


class Notices:
    """One sweep: the settings, and each company's wording as it is read."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.wording: dict[tuple[UUID, str], templates.Template] = {}

    def template(self, conn: Connection, tenant_id: UUID, kind: str) -> templates.Template:
        key = (tenant_id, kind)
        if key not in self.wording:
            self.wording[key] = templates.for_company(conn, tenant_id, kind)
        return self.wording[key]

    def visit_links(
        self, conn: Connection, kind: str, rows: list[dict[str, Any]]
    ) -> dict[Any, str]:
        """A new link to each row's visit for the kinds that carry one (`LINKED`), by visit id,
        for the customers a message can reach: minted by the database, the token only in the
        message's text."""
        reachable = [r for r in rows if channel_for(r["preferred_contact"], r["phone"], r["email"])]
        if kind not in LINKED or not reachable:
            return {}
        made = conn.execute(
            MINT_VISIT_LINKS,
            {
                "tenants": [r["tenant_id"] for r in reachable],
                "visits": [r["visit_id"] for r in reachable],
            },
        ).fetchall()
        base = self.settings.public_url
        return {m["visit_id"]: f"{base}/visit/{m['token']}" for m in made}

    def values(
        self, kind: str, row: dict[str, Any], links: dict[Any, str] | None = None
    ) -> dict[str, str]:
        values = {
            "first_name": row["first_name"] or row["display_name"],
            "company": row["company"],
            "company_phone": phones.readable(row["company_phone"]),
            "job": row["job"],
        }
        if row["window_starts_at"] is not None:
            values["window"] = window_text(
                row["window_starts_at"], row["window_ends_at"], row["zone"]
            )
        if kind == "on_my_way":
            values["technician"] = row["technician"] or "Your technician"
            values["eta"] = eta_text(
                self.settings,
                _position(row["origin_latitude"], row["origin_longitude"]),
                _position(row["latitude"], row["longitude"]),
            )
        if kind == "review_request":
            values["review_link"] = row["review_link"]
        if links and row["visit_id"] in links:
            values["visit_link"] = links[row["visit_id"]]
        return values

    def draft(
        self, conn: Connection, kind: str, row: dict[str, Any], links: dict[Any, str] | None = None
    ) -> Draft | None:
        """The message of `kind` about the row's visit, in the company's wording, to the
        customer's channel; None when the customer cannot be reached."""
        reach = channel_for(row["preferred_contact"], row["phone"], row["email"])
        if reach is None:
            return None
        channel, address = reach
        wording = self.template(conn, row["tenant_id"], kind)
        values = self.values(kind, row, links)
        sms = channel == "sms"
        body = templates.render(wording.sms if sms else wording.email_body, values)
        subject = "" if sms else templates.render(wording.email_subject, values)
        return Draft(
            row["tenant_id"],
            channel,
            kind,
            to=address,
            body=body,
            subject=subject,
            purpose=wording.kind.purpose,  # type: ignore[arg-type]
            urgent=wording.kind.urgent,
            customer_id=row["customer_id"],
            property_id=row["property_id"],
            subject_id=row["visit_id"],
            occasion=row["occasion"],
        )

    def safe_draft(
        self, conn: Connection, kind: str, row: dict[str, Any], links: dict[Any, str]
    ) -> Draft | None:
        """`draft`, or None (logged) when the row cannot be worded: one bad row does not hold
        back the rest of the batch."""
        try:
            return self.draft(conn, kind, row, links)
        except (ValueError, KeyError, LookupError) as error:
            log.warning("%s for visit %s not worded: %r", kind, row["visit_id"], error)
            return None


# The kinds that carry a link to the visit (its page: app/messaging/visit_links.py).
LINKED = ("booking_confirmation", "visit_reminder")
MINT_VISIT_LINKS = "select visit_id, token from app.mint_visit_links(%(tenants)s, %(visits)s)"

KINDS: dict[str, sql.Composed] = {
    # Confirmations first: a reminder due at once is left out when the confirmation is newer.
    "booking_confirmation": CONFIRMATIONS,
    "visit_reminder": REMINDERS,
    "on_my_way": ON_MY_WAY,
    "review_request": REVIEWS,
}


def _batch(
    pool: ConnectionPool, notices: Notices, kind: str, statement: sql.Composed
) -> tuple[int, bool]:
    """Queue one batch of `kind`: how many were queued, and whether to look again (a full
    batch that queued something; not when another worker holds the sweep)."""
    with service_role_transaction(pool, ACTOR) as conn:
        lock = conn.execute(LOCK).fetchone()
        if lock is None or not lock["mine"]:
            return 0, False
        rows = conn.execute(statement, {"kind": kind, "limit": BATCH}).fetchall()
        links = notices.visit_links(conn, kind, rows)
        drafts = [notices.safe_draft(conn, kind, row, links) for row in rows]
        queued = len(queue_many(conn, [d for d in drafts if d is not None]))
    return queued, len(rows) == BATCH and queued > 0


def sweep(pool: ConnectionPool, settings: Settings | None = None) -> int:
    """Queue every visit notice due now, kind by kind, batch by batch; returns how many were
    queued."""
    notices = Notices(settings or Settings.from_env())
    total = 0
    for kind, statement in KINDS.items():
        again = True
        while again:
            queued, again = _batch(pool, notices, kind, statement)
            total += queued
    return total


JOB = register(Job("notices", every_seconds=5, sweep=sweep))
