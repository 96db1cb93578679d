-- Maintenance campaigns to past customers (P-15): the office picks an audience (customers whose
-- plan's tune-up is due, whose equipment is of a kind or age, or who have had no visit for some
-- months), writes one text or email, previews who gets it and who is excluded and why, and
-- schedules it. The jobs worker queues one marketing message per customer (jobs/campaigns.py),
-- spread over time at the campaign's pace; app.messages_guard refuses what may not go, and the
-- campaign's report counts those refusals with their reasons.

-- Why: one campaign: its audience (kind and parameters), channel and wording, when it goes and
-- how fast. `status` moves draft → scheduled (owners and admins) → sending (the worker queued
-- its messages) → done (none left to send), or to canceled.
create table public.campaigns (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  name text not null constraint campaigns_name_length check (length(btrim(name)) between 1 and 200),
  audience text not null
    constraint campaigns_audience_check check (audience in ('tune_up_due', 'equipment', 'no_visit')),
  -- tune_up_due: a plan's tune-up job due within this many days of today, not yet booked.
  due_within_days integer not null default 30
    constraint campaigns_due_within_range check (due_within_days between 0 and 365),
  -- equipment: of this kind ('' = any) and, when set, installed at least this many years ago.
  equipment_kind text not null default ''
    constraint campaigns_equipment_kind_check check (equipment_kind in (
      '', 'furnace', 'air_conditioner', 'heat_pump', 'boiler', 'mini_split', 'water_heater',
      'thermostat', 'air_handler', 'humidifier', 'air_purifier', 'other')),
  older_than_years integer
    constraint campaigns_older_than_range check (older_than_years between 1 and 100),
  -- no_visit: a completed visit once, none in this many months, and none booked ahead.
  no_visit_months integer not null default 12
    constraint campaigns_no_visit_range check (no_visit_months between 1 and 120),
  channel text not null constraint campaigns_channel_check check (channel in ('sms', 'email')),
  sms_body text not null default ''
    constraint campaigns_sms_body_length check (length(sms_body) <= 1600),
  email_subject text not null default ''
    constraint campaigns_email_subject_length check (length(email_subject) <= 200),
  email_body text not null default ''
    constraint campaigns_email_body_length check (length(email_body) <= 10000),
  status text not null default 'draft' constraint campaigns_status_check
    check (status in ('draft', 'scheduled', 'sending', 'done', 'canceled')),
  scheduled_at timestamptz,
  per_minute integer not null default 60
    constraint campaigns_per_minute_range check (per_minute between 1 and 1000),
  -- Set by the worker when it queues: how many customers were messaged (blocked included) and
  -- how many had no number or address for the channel.
  queued_count integer not null default 0,
  unreachable_count integer not null default 0,
  created_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint campaigns_scheduled_has_a_time
    check (status in ('draft', 'canceled') or scheduled_at is not null),
  constraint campaigns_has_wording check (
    status = 'draft'
    or (channel = 'sms' and btrim(sms_body) <> '')
    or (channel = 'email' and btrim(email_subject) <> '' and btrim(email_body) <> ''))
);
create index campaigns_recent_idx on public.campaigns (tenant_id, created_at desc);
create index campaigns_due_idx on public.campaigns (scheduled_at) where status = 'scheduled';
create index campaigns_sending_idx on public.campaigns (tenant_id) where status = 'sending';
revoke all on public.campaigns from anon, authenticated;
grant select, insert (tenant_id, name, audience, due_within_days, equipment_kind, older_than_years,
                      no_visit_months, channel, sms_body, email_subject, email_body, per_minute),
  update (name, audience, due_within_days, equipment_kind, older_than_years, no_visit_months,
          channel, sms_body, email_subject, email_body, per_minute, status, scheduled_at,
          updated_at)
  on public.campaigns to authenticated;
alter table public.campaigns enable row level security;

create trigger stamp_created_by before insert or update on public.campaigns
  for each row execute function app.stamp_author('created_by');

-- Why: a campaign's messages name it; a campaign is never deleted while they exist.
alter table public.messages
  add constraint messages_tenant_id_campaign_id_fkey foreign key (tenant_id, campaign_id)
  references public.campaigns (tenant_id, id);
create index messages_campaign_idx on public.messages (tenant_id, campaign_id)
  where campaign_id is not null;
-- The report's "replied": inbound texts by the number they came from.
create index messages_inbound_from_idx on public.messages (tenant_id, from_address, created_at)
  where direction = 'in';

-- Why: who a campaign reaches, set-based, with the reason the database would refuse each one
-- (app.message_refusal on the marketing message it would be, or 'No mobile number.' / 'No email
-- address.'), so the preview's exclusions and what the guard blocks are the same rule. Runs as
-- its owner for the worker (service role) and for app.preview_campaign, never for a caller
-- naming a company.
create function app.campaign_audience(p_tenant uuid, p_campaign uuid)
returns table (customer_id uuid, first_name text, display_name text, address text,
               property_id uuid, refusal text)
language sql stable security definer set search_path = ''
as $$
  with c as (
    select x.*, (app.now() at time zone app.company_time_zone(x.tenant_id))::date as today
      from public.campaigns x
     where x.tenant_id = p_tenant and x.id = p_campaign
  ), people as (
    select cu.tenant_id, cu.id, cu.first_name, cu.display_name, c.channel,
           case when c.channel = 'sms' then cu.phone else cu.email end as address
      from c
      join public.customers cu on cu.tenant_id = c.tenant_id
     where (c.audience = 'tune_up_due' and exists (
              select from public.jobs j
              join public.service_agreements a on a.tenant_id = j.tenant_id and a.id = j.agreement_id
             where j.tenant_id = cu.tenant_id and j.customer_id = cu.id and a.status = 'active'
               and j.due_on <= c.today + c.due_within_days
               and not exists (select from public.visits v
                                where v.tenant_id = j.tenant_id and v.job_id = j.id
                                  and v.status not in ('unscheduled', 'canceled'))))
        or (c.audience = 'equipment' and exists (
              select from public.equipment e
              join public.properties p on p.tenant_id = e.tenant_id and p.id = e.property_id
             where p.tenant_id = cu.tenant_id and p.customer_id = cu.id and p.archived_at is null
               and (c.equipment_kind = '' or e.kind = c.equipment_kind)
               and (c.older_than_years is null
                    or e.installed_on <= c.today - make_interval(years => c.older_than_years))))
        or (c.audience = 'no_visit'
            and exists (
              select from public.visits v
              join public.jobs j on j.tenant_id = v.tenant_id and j.id = v.job_id
             where j.tenant_id = cu.tenant_id and j.customer_id = cu.id and v.status = 'completed')
            and not exists (
              select from public.visits v
              join public.jobs j on j.tenant_id = v.tenant_id and j.id = v.job_id
             where j.tenant_id = cu.tenant_id and j.customer_id = cu.id
               and ((v.status = 'completed'
                     and v.completed_at > app.now() - make_interval(months => c.no_visit_months))
                    or v.status in ('scheduled', 'dispatched', 'en_route', 'on_site'))))
  )
  select p.id, p.first_name, p.display_name, p.address,
         (select pr.id from public.properties pr
           where pr.tenant_id = p.tenant_id and pr.customer_id = p.id
           order by pr.archived_at nulls first, pr.created_at limit 1),
         case
           when p.address = '' and p.channel = 'sms' then 'No mobile number.'
           when p.address = '' then 'No email address.'
           else app.message_refusal(jsonb_populate_record(null::public.messages, jsonb_build_object(
             'tenant_id', p.tenant_id, 'channel', p.channel, 'purpose', 'marketing',
             'kind', 'campaign', 'customer_id', p.id, 'to_address', p.address)))
         end
    from people p
$$;
revoke execute on function app.campaign_audience(uuid, uuid) from public;
grant execute on function app.campaign_audience(uuid, uuid) to service_role;

-- Why: the office's preview of a campaign of its own company: the audience with each one's
-- exclusion reason ('' = it goes). Office staff only; the company is the caller's.
create function app.preview_campaign(p_campaign uuid)
returns table (customer_id uuid, first_name text, display_name text, address text,
               refusal text)
language sql stable security definer set search_path = ''
as $$
  select a.customer_id, a.first_name, a.display_name, a.address, a.refusal
    from app.campaign_audience(app.tenant_id(), p_campaign) a
   where app.is_office_staff()
$$;
revoke execute on function app.preview_campaign(uuid) from public;
grant execute on function app.preview_campaign(uuid) to authenticated;

-- Why: canceling a campaign (owners and admins) cancels its messages not yet sent, which the
-- office cannot write itself. Returns how many messages were canceled; null when the campaign
-- is not the caller's or is already done or canceled.
create function app.cancel_campaign(p_campaign uuid)
returns integer
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.tenant_id();
  v_canceled integer;
begin
  if v_tenant is null or not app.is_manager() then
    return null;
  end if;
  update public.campaigns c set status = 'canceled', updated_at = now()
   where c.tenant_id = v_tenant and c.id = p_campaign
     and c.status in ('draft', 'scheduled', 'sending');
  if not found then
    return null;
  end if;
  update public.messages m set status = 'canceled'
   where m.tenant_id = v_tenant and m.campaign_id = p_campaign and m.status = 'queued'
     -- not one a worker is sending now: it may be with Twilio, and the worker records it
     and not exists (select from app.message_claims c
                      where c.tenant_id = m.tenant_id and c.message_id = m.id
                        and c.lease_until is not null);
  get diagnostics v_canceled = row_count;
  return v_canceled;
end
$$;
revoke execute on function app.cancel_campaign(uuid) from public;
grant execute on function app.cancel_campaign(uuid) to authenticated;

-- Why: the unsubscribe page asks before it acts (a GET must change nothing: mail scanners
-- follow links). The company's name for a link that works, or null; nothing else.
create function app.unsubscribe_link_company(p_token text)
returns text
language sql stable security definer set search_path = ''
as $$
  select t.name
    from public.messages m
    join public.tenants t on t.id = m.tenant_id
   where p_token is not null and length(p_token) <= 200
     and m.unsubscribe_token_hash = sha256(convert_to(p_token, 'UTF8'))
$$;
revoke execute on function app.unsubscribe_link_company(text) from public;
grant execute on function app.unsubscribe_link_company(text) to plenum_signin;

-- Why: P-12, message logs are kept three years. Deletes messages created before the database
-- clock's three years (a batch at a time) and the conversations left with no message; the
-- opt-out records (sms_opt_outs) stay, since dropping one would let texts go to a number that
-- said STOP. Returns how many messages went. Service role only (the retention job).
create function app.delete_expired_messages(p_batch integer)
returns integer
language plpgsql volatile security invoker set search_path = ''
as $$
declare
  v_cutoff timestamptz := app.now() - interval '3 years';
  v_deleted integer;
begin
  delete from public.messages m
   where (m.tenant_id, m.id) in (select x.tenant_id, x.id from public.messages x
                                  where x.created_at < v_cutoff limit p_batch);
  get diagnostics v_deleted = row_count;
  delete from public.conversations c
   where c.last_message_at < v_cutoff
     and not exists (select from public.messages m
                      where m.tenant_id = c.tenant_id and m.conversation_id = c.id);
  return v_deleted;
end
$$;
revoke execute on function app.delete_expired_messages(integer) from public;
grant execute on function app.delete_expired_messages(integer) to service_role;
create index messages_created_idx on public.messages (created_at);
