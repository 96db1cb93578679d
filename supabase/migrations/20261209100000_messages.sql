-- Messages to homeowners by SMS and email (P-15). A message is a row before it is anything
-- else: it is queued with a key that names its occasion, so the same reminder can never be
-- queued twice; the worker claims due rows (app.claim_messages), sends each once and records
-- the provider's id. What may not be sent is decided here, by the database, for every code path:
-- a number that texted STOP gets no more texts (even ones queued before the STOP), marketing
-- needs recorded consent, do-not-contact and restricted customers get none, and nothing that is
-- not urgent leaves outside 8am-9pm in the recipient's time zone (it waits, it is not dropped).

-- Why: per company, the Twilio account and SendGrid key (sealed by the app with AES-256-GCM,
-- P-17, never shown back) and the settings of what is sent when. Without keys, messages go to
-- the outbox. The webhook URLs name the company by `endpoint_id`, never by its id.
create table public.messaging_accounts (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  endpoint_id text not null
    default encode(sha256((gen_random_uuid()::text || gen_random_uuid()::text)::bytea), 'hex')
    constraint messaging_accounts_endpoint_once unique,
  twilio_account_sid text not null default ''
    constraint messaging_accounts_twilio_sid_format check (twilio_account_sid ~ '^(AC[0-9a-f]{32})?$'),
  twilio_auth_token_encrypted text not null default '',
  twilio_from_number text not null default ''
    constraint messaging_accounts_from_number_e164
    check (twilio_from_number ~ '^(\+[1-9][0-9]{6,14})?$'),
  twilio_messaging_service_sid text not null default ''
    constraint messaging_accounts_service_sid_format
    check (twilio_messaging_service_sid ~ '^(MG[0-9a-f]{32})?$'),
  sms_per_second numeric(6, 2) not null default 1
    constraint messaging_accounts_sms_rate_range check (sms_per_second between 0.1 and 1000),
  sendgrid_api_key_encrypted text not null default '',
  sendgrid_from_email text not null default ''
    constraint messaging_accounts_from_email_format
    check (sendgrid_from_email = '' or (sendgrid_from_email = lower(btrim(sendgrid_from_email))
                                        and sendgrid_from_email like '_%@_%')),
  sendgrid_from_name text not null default ''
    constraint messaging_accounts_from_name_length check (length(sendgrid_from_name) <= 100),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint messaging_accounts_one_per_company unique (tenant_id)
);
revoke all on public.messaging_accounts from anon, authenticated;
grant select, insert (tenant_id, twilio_account_sid, twilio_auth_token_encrypted,
                      twilio_from_number, twilio_messaging_service_sid, sms_per_second,
                      sendgrid_api_key_encrypted, sendgrid_from_email, sendgrid_from_name),
  update (twilio_account_sid, twilio_auth_token_encrypted, twilio_from_number,
          twilio_messaging_service_sid, sms_per_second, sendgrid_api_key_encrypted,
          sendgrid_from_email, sendgrid_from_name, updated_at)
  on public.messaging_accounts to authenticated;
alter table public.messaging_accounts enable row level security;

-- Why: a conversation by text with one phone number, on the customer's page and in the office
-- inbox; a number the company does not know yet starts one without a customer, which the
-- office can attach. `last_read_at` is the office's shared mark of what it has read.
create table public.conversations (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  phone text not null constraint conversations_phone_e164 check (phone ~ '^\+[1-9][0-9]{6,14}$'),
  customer_id uuid,
  last_message_at timestamptz not null default now(),
  last_read_at timestamptz,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint conversations_one_per_number unique (tenant_id, phone),
  foreign key (tenant_id, customer_id) references public.customers (tenant_id, id)
    on delete cascade
);
create index conversations_recent_idx on public.conversations (tenant_id, last_message_at desc);
create index conversations_customer_idx on public.conversations (tenant_id, customer_id);
revoke all on public.conversations from anon, authenticated;
grant select, update (customer_id, last_read_at) on public.conversations to authenticated;
alter table public.conversations enable row level security;

-- Why: every message sent or received. An outgoing message names its occasion (kind, channel,
-- subject, occasion: e.g. the reminder by SMS of visit V for its window on 2026-12-07), unique
-- per company, so queuing it twice is a no-op. `status` moves queued → sent →
-- delivered/undelivered/failed, or to blocked (with the reason) when the database refuses it;
-- while a worker sends it, its claim is in app.message_claims (20261209100400). Erasing a customer takes their messages with them.
create table public.messages (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  direction text not null default 'out'
    constraint messages_direction_check check (direction in ('out', 'in')),
  channel text not null constraint messages_channel_check check (channel in ('sms', 'email')),
  kind text not null constraint messages_kind_format check (kind ~ '^[a-z_]{1,40}$'),
  -- transactional: about a visit, estimate or invoice the customer asked for; marketing:
  -- campaigns and review requests (consent needed); conversation: the office's replies;
  -- compliance: the answers to STOP, START and HELP, which the law requires.
  purpose text not null default 'transactional' constraint messages_purpose_check
    check (purpose in ('transactional', 'marketing', 'conversation', 'compliance')),
  urgent boolean not null default false,
  subject_id uuid,
  occasion text constraint messages_occasion_length check (length(occasion) <= 100),
  customer_id uuid,
  property_id uuid,
  conversation_id uuid,
  campaign_id uuid,
  to_address text not null constraint messages_to_length check (length(to_address) between 3 and 320),
  from_address text not null default '' constraint messages_from_length
    check (length(from_address) <= 320),
  subject text not null default '' constraint messages_subject_length check (length(subject) <= 300),
  body text not null constraint messages_body_length check (length(body) between 1 and 20000),
  -- The recipient's time zone (the property's, else the company's), for quiet hours.
  time_zone text not null constraint messages_time_zone_known references app.time_zones (name),
  status text not null default 'queued' constraint messages_status_check
    check (status in ('queued', 'sent', 'delivered', 'undelivered', 'failed', 'received',
                      'blocked', 'canceled')),
  blocked_reason text not null default '' constraint messages_blocked_reason_length
    check (length(blocked_reason) <= 200),
  not_before timestamptz not null default app.now(),
  provider_id text constraint messages_provider_id_length check (length(provider_id) <= 200),
  failure text not null default '' constraint messages_failure_length check (length(failure) <= 300),
  -- Marketing email: the hash of the one-click unsubscribe token the worker puts in it.
  unsubscribe_token_hash bytea constraint messages_unsubscribe_once unique,
  created_by uuid,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  delivered_at timestamptz,
  primary key (tenant_id, id),
  constraint messages_incoming_received check ((direction = 'in') = (status = 'received')),
  foreign key (tenant_id, customer_id) references public.customers (tenant_id, id)
    on delete cascade,
  foreign key (tenant_id, property_id) references public.properties (tenant_id, id)
    on delete set null (property_id),
  foreign key (tenant_id, conversation_id) references public.conversations (tenant_id, id)
    on delete cascade
);
create unique index messages_once_per_occasion_idx on public.messages
  (tenant_id, kind, channel, subject_id, occasion) nulls not distinct
  where direction = 'out' and occasion is not null;
create unique index messages_provider_id_idx on public.messages (tenant_id, channel, provider_id)
  where provider_id is not null;
create index messages_due_idx on public.messages (not_before) where status = 'queued';
create index messages_customer_idx on public.messages (tenant_id, customer_id, created_at desc);
create index messages_conversation_idx on public.messages
  (tenant_id, conversation_id, created_at);
create index messages_recent_idx on public.messages (tenant_id, created_at desc);
create index messages_to_idx on public.messages (tenant_id, channel, to_address)
  where status in ('queued', 'sending');
revoke all on public.messages from anon, authenticated;
grant select, insert (tenant_id, channel, kind, purpose, urgent, subject_id, occasion,
                      customer_id, property_id, conversation_id, campaign_id, to_address,
                      subject, body, not_before)
  on public.messages to authenticated;
alter table public.messages enable row level security;

create trigger stamp_created_by before insert or update on public.messages
  for each row execute function app.stamp_author('created_by');

-- Why: numbers that texted STOP (or a synonym) to the company. While a number is here, no SMS
-- but the law's answers (purpose 'compliance') leaves for it; START removes it. The row is the
-- opt-out record; the inbound STOP message is kept in the log too.
create table public.sms_opt_outs (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  phone text not null constraint sms_opt_outs_phone_e164 check (phone ~ '^\+[1-9][0-9]{6,14}$'),
  keyword text not null default 'STOP' constraint sms_opt_outs_keyword_length
    check (length(keyword) <= 40),
  opted_out_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint sms_opt_outs_once_per_number unique (tenant_id, phone)
);
revoke all on public.sms_opt_outs from anon, authenticated;
grant select on public.sms_opt_outs to authenticated;
alter table public.sms_opt_outs enable row level security;

-- Why: Twilio's per-number rate. Each company's sender (per channel) is next free at
-- `next_at`; the claim takes from a sender only when it is free and moves it on by the count
-- taken over the rate. Only the worker reads or writes it.
create table app.message_senders (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  channel text not null,
  next_at timestamptz not null default now(),
  primary key (tenant_id, channel)
);
revoke all on app.message_senders from anon, authenticated;
grant select, insert, update on app.message_senders to service_role;
alter table app.message_senders enable row level security;

-- Why: quiet hours. The first moment at or after `p_at` that is between 8am and 9pm in zone
-- `p_zone`; 8am is built from the local date, so a daylight-saving change moves it correctly.
create function app.permitted_from(p_zone text, p_at timestamptz)
returns timestamptz
language sql immutable parallel safe set search_path = ''
as $$
  select case
    when (p_at at time zone p_zone)::time >= time '08:00'
         and (p_at at time zone p_zone)::time < time '21:00' then p_at
    when (p_at at time zone p_zone)::time < time '08:00'
      then ((p_at at time zone p_zone)::date + time '08:00') at time zone p_zone
    else ((p_at at time zone p_zone)::date + 1 + time '08:00') at time zone p_zone
  end
$$;
revoke execute on function app.permitted_from(text, timestamptz) from public;
grant execute on function app.permitted_from(text, timestamptz) to authenticated, service_role;

-- Why: the reason the database refuses to send `m` now, or '' when it may go. Consulted when a
-- message is queued and again when a worker claims it, so a STOP, a withdrawn consent or a
-- do-not-contact set in between stops a message already queued.
create function app.message_refusal(m public.messages)
returns text
language sql stable security definer set search_path = ''
as $$
  select coalesce((
    select reason from (
      select 1 as rank, 'The number texted STOP.' as reason
       where m.channel = 'sms' and m.purpose <> 'compliance'
         and exists (select from public.sms_opt_outs o
                      where o.tenant_id = m.tenant_id and o.phone = m.to_address)
      union all
      select 2, 'Processing of this customer is restricted.'
        from public.customers c
       where c.tenant_id = m.tenant_id and c.id = m.customer_id and c.restrict_processing
         and m.purpose <> 'compliance'
      union all
      select 3, 'The customer asked not to be contacted.'
        from public.customers c
       where c.tenant_id = m.tenant_id and c.id = m.customer_id and c.do_not_contact
         and m.purpose in ('transactional', 'marketing')
      union all
      select 4, 'The customer has not consented to marketing.'
        from public.customers c
       where c.tenant_id = m.tenant_id and c.id = m.customer_id and not c.marketing_consent
         and m.purpose = 'marketing'
      union all
      select 4, 'Marketing goes only to customers who consented.'
       where m.purpose = 'marketing' and m.customer_id is null
      union all
      select 4, 'Add the company''s postal address before sending marketing email.'
        from public.tenants t
       where t.id = m.tenant_id and m.purpose = 'marketing' and m.channel = 'email'
         and btrim(t.address) = ''
      union all
      select 5, 'The customer turned off messages about visits and bills.'
        from public.customers c
       where c.tenant_id = m.tenant_id and c.id = m.customer_id and not c.transactional_messages
         and m.purpose = 'transactional'
    ) refusals order by rank limit 1), '')
$$;
revoke execute on function app.message_refusal(public.messages) from public;
grant execute on function app.message_refusal(public.messages) to service_role;

-- Why: every outgoing message is checked as it is queued (and again as it is claimed,
-- app.claim_messages): a refused one is kept as 'blocked' with its reason (campaign reports
-- count them), and its time zone and the first moment quiet hours allow are set here, whoever
-- queues it.
create function app.messages_guard()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_reason text;
begin
  if new.direction = 'in' then
    return new;
  end if;
  new.status := 'queued';
  new.provider_id := null;
  new.time_zone := coalesce(
    (select p.time_zone from public.properties p
      where p.tenant_id = new.tenant_id and p.id = new.property_id),
    (select p.time_zone from public.properties p
      where p.tenant_id = new.tenant_id and p.customer_id = new.customer_id
        and p.time_zone is not null
      order by p.archived_at nulls first, p.created_at limit 1),
    app.company_time_zone(new.tenant_id));
  if not new.urgent then
    new.not_before := app.permitted_from(new.time_zone, greatest(new.not_before, app.now()));
  end if;
  v_reason := app.message_refusal(new);
  if v_reason <> '' then
    new.status := 'blocked';
    new.blocked_reason := v_reason;
  end if;
  return new;
end
$$;
revoke execute on function app.messages_guard() from public;
create trigger messages_guard before insert on public.messages
  for each row execute function app.messages_guard();

-- Why: the one-click unsubscribe of a marketing email (RFC 8058), with no sign-in: the link's
-- token is hashed here and names one message; its customer's marketing consent is withdrawn,
-- which blocks every marketing message still queued for them. Returns the company's name for
-- the page, or null for an unknown token (the same answer whether or not it was used).
create function app.unsubscribe_by_link(p_token text)
returns text
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_message public.messages;
begin
  if p_token is null or length(p_token) > 200 then
    return null;
  end if;
  select * into v_message from public.messages m
   where m.unsubscribe_token_hash = sha256(convert_to(p_token, 'UTF8'));
  if not found then
    return null;
  end if;
  update public.customers c
     set marketing_consent = false, updated_at = now()
   where c.tenant_id = v_message.tenant_id and c.id = v_message.customer_id
     and c.marketing_consent;
  update public.messages m
     set status = 'blocked', blocked_reason = 'The customer unsubscribed.'
   where m.tenant_id = v_message.tenant_id and m.customer_id = v_message.customer_id
     and m.purpose = 'marketing' and m.status = 'queued';
  return (select t.name from public.tenants t where t.id = v_message.tenant_id);
end
$$;
revoke execute on function app.unsubscribe_by_link(text) from public;
grant execute on function app.unsubscribe_by_link(text) to plenum_signin;

insert into audit.personal_tables (table_name, subject_column, parent_table) values
  ('public.messages', 'customer_id', null),
  ('public.conversations', 'customer_id', null);
-- A message's text may carry a link that opens a document (an estimate or invoice link): the
-- audit log keeps a digest of it, never the text (and the worker cuts such links from the text
-- once the message has left, app.without_document_links).
comment on column public.messages.body is '@audit-digest';
insert into audit.personal_columns (table_name, column_name) values
  ('public.messages', 'to_address'),
  ('public.messages', 'from_address'),
  ('public.messages', 'subject'),
  ('public.conversations', 'phone');
