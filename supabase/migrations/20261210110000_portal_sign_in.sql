-- The homeowner's sign-in without a password (issue 14, point 1).
--
-- A homeowner names the email or mobile number their company has on file (customers.email,
-- customers.phone). The database mints everything secret here and keeps only hashes:
--   * a challenge per request: a handle (256 bits, kept by the browser that asked), a 6-digit
--     code and a link token (256 bits), both mailed or texted by the database itself as a
--     public.messages row (the outbox, or the company's SendGrid/Twilio); 15 minutes, single use
--     (the code and the link are one secret: using either uses both), at most 5 code attempts,
--     counted by one locking UPDATE so that parallel guesses cannot exceed them;
--   * on success, a portal session (iam.portal_sessions of the foundation, 12 hours), or, for an
--     address on file as several customers (of one company or several), a short-lived choice
--     token with which the homeowner picks one.
-- The request answers the same, and does the same work, whether or not the address is known: it
-- does not even look the address up (the message is queued by a second step, which the answer
-- does not wait for), and a challenge is stored either way, so the code step also answers alike
-- (an unknown address just never receives a code). Requests are limited per address (5 in 15
-- minutes) and per client address (10), code attempts per challenge (5) and per client address
-- (30 in 15 minutes; iam.check_limit: checked and recorded in one locked step). Nobody in the
-- company reads a sign-in message (restrictive policies on public.messages and
-- outbox.messages). Every sign-in is written to the company's audit log (table iam.portal_sessions,
-- operation insert, with the customer and the method, code or link; never the address).
--
-- Who may do what: the steps before sign-in are granted to `plenum_signin` only (never anon);
-- the helpers have no grant.

-- Why: the sign-in finds an address among every company's customers (the existing indexes lead
-- with tenant_id).
create index customers_email_anywhere_idx on public.customers (email) where email <> '';
create index customers_phone_anywhere_idx on public.customers (phone) where phone <> '';

-- Why: a homeowner's request for a code and link, kept as hashes only. `code_hash` is the hash
-- of the handle and the code together, so a copy of the table alone does not give the codes
-- away by trying all million. Kept a day after expiry, then removed by the next request.
create table iam.portal_challenges (
  id uuid primary key default gen_random_uuid(),
  handle_hash bytea not null constraint portal_challenges_handle_once unique,
  link_hash bytea not null constraint portal_challenges_link_once unique,
  code_hash bytea not null,
  address text not null constraint portal_challenges_address_format check (
    address ~ '^\+[1-9][0-9]{6,14}$'
    or (length(address) <= 254
        and address ~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+\.[^@[:space:][:cntrl:]]+$')),
  attempts integer not null default 0
    constraint portal_challenges_attempts_range check (attempts between 0 and 5),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index portal_challenges_expired_idx on iam.portal_challenges (expires_at);
alter table iam.portal_challenges enable row level security;
revoke all on iam.portal_challenges from anon, authenticated;

-- Why: an address proved for several customers: the homeowner chooses one within 10 minutes,
-- once, in the browser that proved it (the token is kept in its session).
create table iam.portal_choices (
  token_hash bytea primary key,
  address text not null constraint portal_choices_address_length check (length(address) <= 320),
  method text not null constraint portal_choices_method_check check (method in ('code', 'link')),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index portal_choices_expired_idx on iam.portal_choices (expires_at);
alter table iam.portal_choices enable row level security;
revoke all on iam.portal_choices from anon, authenticated;

-- Why: the customers an address is on file as, in active companies: the customer's own email or
-- mobile number (not their contacts': a contact is someone else, who may not see the
-- customer's bills). For the definers below; no grant.
create function app.portal_sign_in_matches(p_address text)
returns table (
  tenant_id uuid, customer_id uuid, company_name text, customer_name text, created_at timestamptz
)
language sql stable set search_path = ''
as $$
  select c.tenant_id, c.id, t.name, c.display_name, c.created_at
    from public.customers c
    join public.tenants t on t.id = c.tenant_id and t.status = 'active'
   where p_address like '%@%' and c.email <> '' and c.email = p_address
  union all
  select c.tenant_id, c.id, t.name, c.display_name, c.created_at
    from public.customers c
    join public.tenants t on t.id = c.tenant_id and t.status = 'active'
   where p_address like '+%' and c.phone <> '' and c.phone = p_address
$$;
revoke execute on function app.portal_sign_in_matches(text) from public;

-- Why: what the sign-in message says; the caller chooses none of the text. The code never goes
-- in an email's subject (the audit log keeps subjects; of bodies only a digest).
create function app.portal_sign_in_text(
  p_channel text, p_company text, p_code text, p_link text, out subject text, out body text
)
language plpgsql immutable set search_path = ''
as $$
declare
  v_company text := regexp_replace(coalesce(p_company, ''), '[[:cntrl:]]+', ' ', 'g');
  v_where text := case when v_company = '' then 'your customer account'
                       else 'your account with ' || v_company end;
begin
  if p_channel = 'sms' then
    subject := '';
    body := format('%s is your code to sign in to %s. Or open %s . Both work once, for 15'
                   ' minutes. Did not ask? Ignore this text.', p_code, v_where, p_link);
  else
    subject := left(format('Sign in to %s', v_where), 300);
    body := format(E'Hello,\n\nYour code to sign in to %s is:\n\n    %s\n\nOr sign in with this'
                   ' link:\n\n%s\n\nThe code and the link work once, for 15 minutes. If you did'
                   ' not ask to sign in, ignore this email: nobody can sign in without it.\n',
                   v_where, p_code, p_link);
  end if;
end
$$;
revoke execute on function app.portal_sign_in_text(text, text, text, text) from public;

-- Why: the code and link of a request, from the moment they are minted until the message that
-- carries them is queued (app.send_portal_sign_in, a moment later): the request itself does the
-- same work for every address, and finding the address's customers and queuing the message
-- happen in a step the answer does not wait for. Rows are removed as they are sent, or 15
-- minutes later.
create table iam.portal_sign_in_sends (
  challenge_id uuid primary key references iam.portal_challenges (id) on delete cascade,
  code text not null constraint portal_sign_in_sends_code_format check (code ~ '^[0-9]{6}$'),
  link text not null constraint portal_sign_in_sends_link_length check (length(link) <= 1000),
  created_at timestamptz not null default now()
);
create index portal_sign_in_sends_created_idx on iam.portal_sign_in_sends (created_at);
alter table iam.portal_sign_in_sends enable row level security;
revoke all on iam.portal_sign_in_sends from anon, authenticated;

-- Why: a homeowner asks for a code and a link. Returns the challenge's handle for the asking
-- browser. Nothing here depends on whether the address is on file (it is not even looked up):
-- the same rows are written and the same answer given for any address, so neither the answer
-- nor its time tells them apart. The app then calls app.send_portal_sign_in beside the answer,
-- without waiting for it.
create function app.request_portal_sign_in(p_address text) returns text
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_address text := btrim(coalesce(p_address, ''));
  v_channel text := case when btrim(coalesce(p_address, '')) ~ '^\+[0-9]' then 'sms' else 'email' end;
  v_handle record;
  v_link record;
  v_code text;
  v_challenge uuid;
begin
  v_address := app.message_address(v_channel, v_address, 'portal_challenges_address_format');
  perform iam.check_limit('portal-code-client:' || iam.client_address(), interval '15 minutes', 10);
  perform iam.check_limit('portal-code-address:' || v_address, interval '15 minutes', 5);
  delete from iam.portal_challenges c where c.expires_at < now() - interval '1 day';
  delete from iam.portal_choices c where c.expires_at < now() - interval '1 day';
  delete from iam.portal_sign_in_sends s where s.created_at < now() - interval '15 minutes';
  select * into v_handle from iam.new_token();
  select * into v_link from iam.new_token();
  v_code := lpad((('x' || encode(extensions.gen_random_bytes(6), 'hex'))::bit(48)::bigint
                  % 1000000)::text, 6, '0');
  insert into iam.portal_challenges (handle_hash, link_hash, code_hash, address, expires_at)
  values (v_handle.token_hash, v_link.token_hash, iam.token_hash(v_handle.token || ':' || v_code),
          v_address, now() + interval '15 minutes')
  returning id into v_challenge;
  insert into iam.portal_sign_in_sends (challenge_id, code, link)
  values (v_challenge, v_code, iam.public_url() || '/portal/link/' || v_link.token);
  return v_handle.token;
end
$$;

-- Why: the message of a request (by its handle), once: to the address as typed once normalised,
-- from the company of the newest customer on file with it, naming the company when there is
-- one; nothing at all for an address on file nowhere. It is a transactional, urgent message
-- (no quiet hours: a code is needed now) without a customer, so only a STOP from that number
-- holds it back: do-not-contact and turned-off messages are about the company's messages to
-- them, not a code they asked for.
create function app.send_portal_sign_in(p_handle text) returns void
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_send record;
  v_sender record;
  v_text record;
  v_channel text;
begin
  delete from iam.portal_sign_in_sends s
   using iam.portal_challenges c
   where c.id = s.challenge_id
     and c.handle_hash = iam.token_hash(left(coalesce(p_handle, ''), 200))
     and c.used_at is null and c.expires_at > now()
  returning c.address, s.code, s.link into v_send;
  if v_send.address is null then
    return;
  end if;
  v_channel := case when v_send.address like '+%' then 'sms' else 'email' end;
  with m as (select * from app.portal_sign_in_matches(v_send.address))
  select (select m.tenant_id from m order by m.created_at desc, m.customer_id limit 1) as tenant_id,
         (select case when count(distinct m.tenant_id) = 1 then min(m.company_name) end from m)
           as company_name
    into v_sender;
  if v_sender.tenant_id is null then
    return;
  end if;
  select * into v_text
    from app.portal_sign_in_text(v_channel, v_sender.company_name, v_send.code, v_send.link);
  insert into public.messages
    (tenant_id, channel, kind, purpose, urgent, to_address, subject, body)
  values
    (v_sender.tenant_id, v_channel, 'portal_sign_in', 'transactional', true, v_send.address,
     v_text.subject, v_text.body);
end
$$;

-- Why: the one place a portal session is opened: the secret minted here and returned once (for
-- the browser's cookie), only its hash kept, and the sign-in written to the company's audit
-- log. 12 hours, like a staff session's cookie. For the definers below; no grant.
create function app.open_portal_session(
  p_tenant uuid, p_customer uuid, p_address text, p_method text
) returns text
language plpgsql volatile set search_path = ''
as $$
declare
  v_token record;
  v_session iam.portal_sessions;
begin
  select * into v_token from iam.new_token();
  insert into iam.portal_sessions (token_hash, tenant_id, customer_id, address, expires_at)
  values (v_token.token_hash, p_tenant, p_customer, p_address, now() + interval '12 hours')
  returning * into v_session;
  perform audit.append(p_tenant, 'iam.portal_sessions', v_session.id::text, 'insert', null,
    jsonb_build_object('customer_id', p_customer, 'method', p_method,
                       'channel', case when p_address like '+%' then 'sms' else 'email' end,
                       'expires_at', v_session.expires_at));
  return v_token.token;
end
$$;
revoke execute on function app.open_portal_session(uuid, uuid, text, text) from public;

-- Why: what a proved address leads to: the session of its one customer ('signed_in'), a choice
-- among several ('choose'), or nothing left on file ('unknown'). For the definers below.
create function app.portal_address_proved(p_address text, p_method text)
returns table (verdict text, session_token text, choice_token text)
language plpgsql volatile set search_path = ''
as $$
declare
  v_matches integer;
  v_match record;
  v_choice record;
begin
  select count(*) into v_matches from app.portal_sign_in_matches(p_address);
  if v_matches = 0 then
    return query select 'unknown'::text, null::text, null::text;
  elsif v_matches = 1 then
    select * into v_match from app.portal_sign_in_matches(p_address);
    return query select 'signed_in'::text,
      app.open_portal_session(v_match.tenant_id, v_match.customer_id, p_address, p_method),
      null::text;
  else
    select * into v_choice from iam.new_token();
    insert into iam.portal_choices (token_hash, address, method, expires_at)
    values (v_choice.token_hash, p_address, p_method, now() + interval '10 minutes');
    return query select 'choose'::text, null::text, v_choice.token;
  end if;
end
$$;
revoke execute on function app.portal_address_proved(text, text) from public;

-- Why: the code step, in the browser that asked (its handle). One UPDATE counts the attempt and
-- uses the challenge up when the code is right, under the row's lock: parallel guesses queue,
-- and no more than 5 are ever compared. Answers 'wrong', 'closed' (used, expired or out of
-- attempts) or what the proved address leads to; never a hash.
create function app.portal_sign_in_with_code(p_handle text, p_code text)
returns table (verdict text, session_token text, choice_token text)
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_handle text := left(coalesce(p_handle, ''), 200);
  v_challenge iam.portal_challenges;
begin
  perform iam.check_limit('portal-verify-client:' || iam.client_address(), interval '15 minutes', 30);
  update iam.portal_challenges c
     set attempts = c.attempts + 1,
         used_at = case when c.code_hash = iam.token_hash(
                                v_handle || ':' || left(btrim(coalesce(p_code, '')), 20))
                        then now() end
   where c.handle_hash = iam.token_hash(v_handle)
     and c.used_at is null and c.expires_at > now() and c.attempts < 5
  returning c.* into v_challenge;
  if v_challenge.id is null then
    return query select 'closed'::text, null::text, null::text;
  elsif v_challenge.used_at is null then
    return query select case when v_challenge.attempts >= 5 then 'closed' else 'wrong' end,
      null::text, null::text;
  else
    return query select * from app.portal_address_proved(v_challenge.address, 'code');
  end if;
end
$$;

-- Why: the link's page says at once when a link is used up or expired, without using it.
create function app.portal_sign_in_link_is_open(p_token text) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select from iam.portal_challenges c
     where c.link_hash = iam.token_hash(left(coalesce(p_token, ''), 200))
       and c.used_at is null and c.expires_at > now()
  )
$$;

-- Why: the link step: the link works once, before it expires (and uses the code up with it).
create function app.portal_sign_in_with_link(p_token text)
returns table (verdict text, session_token text, choice_token text)
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_address text;
begin
  update iam.portal_challenges c
     set used_at = now()
   where c.link_hash = iam.token_hash(left(coalesce(p_token, ''), 200))
     and c.used_at is null and c.expires_at > now()
  returning c.address into v_address;
  if v_address is null then
    return query select 'closed'::text, null::text, null::text;
  else
    return query select * from app.portal_address_proved(v_address, 'link');
  end if;
end
$$;

-- Why: the choice page: the company and name of each customer the proved address is on file
-- as, for the browser holding the choice token only.
create function app.portal_sign_in_choices(p_choice text)
returns table (customer_id uuid, company_name text, customer_name text)
language sql stable security definer set search_path = ''
as $$
  select m.customer_id, m.company_name, m.customer_name
    from iam.portal_choices ch
    cross join lateral app.portal_sign_in_matches(ch.address) m
   where ch.token_hash = iam.token_hash(left(coalesce(p_choice, ''), 200))
     and ch.used_at is null and ch.expires_at > now()
   order by m.company_name, m.customer_name, m.customer_id
$$;

-- Why: the homeowner's choice opens the session of that one customer, if the proved address is
-- still on file as it; the choice works once. Returns the session's secret, or null.
create function app.portal_sign_in_choose(p_choice text, p_customer uuid) returns text
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_choice iam.portal_choices;
  v_tenant uuid;
begin
  update iam.portal_choices ch
     set used_at = now()
   where ch.token_hash = iam.token_hash(left(coalesce(p_choice, ''), 200))
     and ch.used_at is null and ch.expires_at > now()
     and exists (select from app.portal_sign_in_matches(ch.address) m
                  where m.customer_id = p_customer)
  returning ch.* into v_choice;
  if v_choice.address is null then
    return null;
  end if;
  select m.tenant_id into v_tenant from app.portal_sign_in_matches(v_choice.address) m
   where m.customer_id = p_customer
   limit 1;
  return app.open_portal_session(v_tenant, p_customer, v_choice.address, v_choice.method);
end
$$;

revoke execute on function
  app.request_portal_sign_in(text), app.send_portal_sign_in(text),
  app.portal_sign_in_with_code(text, text),
  app.portal_sign_in_link_is_open(text), app.portal_sign_in_with_link(text),
  app.portal_sign_in_choices(text), app.portal_sign_in_choose(text, uuid)
  from public;
grant execute on function
  app.request_portal_sign_in(text), app.send_portal_sign_in(text),
  app.portal_sign_in_with_code(text, text),
  app.portal_sign_in_link_is_open(text), app.portal_sign_in_with_link(text),
  app.portal_sign_in_choices(text), app.portal_sign_in_choose(text, uuid)
  to plenum_signin;
