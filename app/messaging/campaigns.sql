-- name: list_campaigns
select id, name, audience, channel, status, scheduled_at, queued_count, created_at
from public.campaigns
where tenant_id = %(tenant_id)s
order by created_at desc, id
limit %(limit)s offset %(offset)s

-- name: campaign
select id, name, audience, due_within_days, equipment_kind, older_than_years, no_visit_months,
       channel, sms_body, email_subject, email_body, status, scheduled_at, per_minute,
       queued_count, unreachable_count, created_at
from public.campaigns
where tenant_id = %(tenant_id)s and id = %(id)s

-- name: create_campaign
insert into public.campaigns
  (tenant_id, name, audience, due_within_days, equipment_kind, older_than_years, no_visit_months,
   channel, sms_body, email_subject, email_body, per_minute)
values
  (%(tenant_id)s, %(name)s, %(audience)s, %(due_within_days)s, %(equipment_kind)s,
   %(older_than_years)s, %(no_visit_months)s, %(channel)s, %(sms_body)s, %(email_subject)s,
   %(email_body)s, %(per_minute)s)
returning id

-- name: update_campaign
-- Only a draft changes (the policies say so too).
update public.campaigns
   set name = %(name)s, audience = %(audience)s, due_within_days = %(due_within_days)s,
       equipment_kind = %(equipment_kind)s, older_than_years = %(older_than_years)s,
       no_visit_months = %(no_visit_months)s, channel = %(channel)s, sms_body = %(sms_body)s,
       email_subject = %(email_subject)s, email_body = %(email_body)s,
       per_minute = %(per_minute)s, updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status = 'draft'
returning id

-- name: schedule_campaign
-- A draft (or a scheduled campaign moved) goes at `scheduled_at`; the worker queues it then.
update public.campaigns
   set status = 'scheduled', scheduled_at = %(scheduled_at)s, per_minute = %(per_minute)s,
       updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status in ('draft', 'scheduled')
returning id

-- name: cancel_campaign
select app.cancel_campaign(%(id)s) as canceled

-- name: preview_counts
-- The audience of a campaign, counted by why each customer is excluded ('' = it goes).
select refusal, count(*)::integer as n
from app.preview_campaign(%(id)s)
group by refusal
order by refusal

-- name: preview_sample
-- A few of those it goes to, for the office to recognise the audience.
select customer_id, first_name, display_name, address
from app.preview_campaign(%(id)s)
where refusal = ''
order by display_name, customer_id
limit %(limit)s

-- name: campaign_report
-- What became of a campaign's messages: by status, blocked ones by reason; replied = an inbound
-- text from the number within 14 days after the message was sent; booked = a visit of the
-- customer booked within 30 days after.
select
  count(*) filter (where m.status = 'queued')::integer as waiting,
  count(*) filter (where m.status in ('sent', 'delivered', 'undelivered'))::integer as sent,
  count(*) filter (where m.status = 'delivered')::integer as delivered,
  count(*) filter (where m.status in ('failed', 'undelivered'))::integer as failed,
  count(*) filter (where m.status = 'blocked')::integer as blocked,
  count(*) filter (where m.status = 'canceled')::integer as canceled,
  count(*) filter (where m.sent_at is not null and exists (
    select from public.messages i
     where i.tenant_id = m.tenant_id and i.direction = 'in' and i.channel = 'sms'
       and m.channel = 'sms' and i.from_address = m.to_address
       and i.created_at > m.sent_at and i.created_at <= m.sent_at + interval '14 days'
  ))::integer as replied,
  count(*) filter (where m.sent_at is not null and exists (
    select from public.visits v
      join public.jobs j on j.tenant_id = v.tenant_id and j.id = v.job_id
     where j.tenant_id = m.tenant_id and j.customer_id = m.customer_id
       and v.scheduled_at > m.sent_at and v.scheduled_at <= m.sent_at + interval '30 days'
  ))::integer as booked
from public.messages m
where m.tenant_id = %(tenant_id)s and m.campaign_id = %(id)s

-- name: campaign_blocked
select blocked_reason as reason, count(*)::integer as n
from public.messages
where tenant_id = %(tenant_id)s and campaign_id = %(id)s and status = 'blocked'
group by blocked_reason
order by n desc, blocked_reason

-- name: company_values
-- What a campaign's {company} and {company_phone} say.
select name, phone from public.tenants where id = %(tenant_id)s
