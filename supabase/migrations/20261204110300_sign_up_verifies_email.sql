-- Sign-up proves the email before anything is usable: the form's answers wait in
-- iam.sign_ups until the emailed link is used, and only then do the account, the company and
-- its owner exist. An address that already has an account gets the same answer on the page
-- and an email saying so, never an error that tells a stranger the address is taken.

drop function iam.sign_up(text, text, text, text, text);

-- Why: a sign-up waiting for its emailed link; only the link's hash is kept. The checks carry
-- the names of the account's and company's own checks, so the form shows the same messages.
create table iam.sign_ups (
  token_hash bytea primary key,
  email text not null constraint accounts_email_format
    check (email = lower(btrim(email)) and email like '_%@_%'),
  full_name text not null constraint accounts_full_name_length
    check (length(btrim(full_name)) between 1 and 200),
  password_hash text not null constraint sign_ups_password_is_argon2id
    check (password_hash like '$argon2id$%'),
  company_name text not null constraint tenants_name_length
    check (length(btrim(company_name)) between 1 and 200),
  time_zone text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index sign_ups_email_idx on iam.sign_ups (email, created_at);
alter table iam.sign_ups enable row level security;
revoke all on iam.sign_ups from anon, authenticated;

-- Why: the same refusals for a new and a taken address, before the two paths part.
create function iam.check_sign_up(
  p_email text, p_full_name text, p_company_name text, p_time_zone text
) returns void
language plpgsql stable set search_path = ''
as $$
begin
  if p_email is null or p_email not like '_%@_%' then
    raise exception 'invalid email' using errcode = 'check_violation',
      constraint = 'accounts_email_format';
  end if;
  if length(btrim(coalesce(p_full_name, ''))) not between 1 and 200 then
    raise exception 'invalid name' using errcode = 'check_violation',
      constraint = 'accounts_full_name_length';
  end if;
  if length(btrim(coalesce(p_company_name, ''))) not between 1 and 200 then
    raise exception 'invalid company name' using errcode = 'check_violation',
      constraint = 'tenants_name_length';
  end if;
  if not exists (select from pg_catalog.pg_timezone_names z where z.name = p_time_zone) then
    raise exception 'unknown time zone' using errcode = 'check_violation',
      constraint = 'tenants_time_zone_known';
  end if;
end
$$;

-- Why: limited per client address and per email; returns nothing, whichever path was taken.
create function iam.start_sign_up(
  p_email text, p_full_name text, p_password_hash text, p_company_name text, p_time_zone text
) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_email text := lower(btrim(coalesce(p_email, '')));
  v_token record;
begin
  perform iam.check_limit('sign-up-address:' || iam.client_address(), interval '1 hour', 5);
  perform iam.check_limit('sign-up-email:' || v_email, interval '1 hour', 3);
  perform iam.check_sign_up(v_email, p_full_name, p_company_name, p_time_zone);
  if exists (select from iam.accounts a where a.email = v_email) then
    perform iam.queue_email(null, 'sign_up_attempt', v_email, jsonb_build_object(
      'sign_in_link', iam.public_url() || '/sign-in',
      'reset_link', iam.public_url() || '/password/forgot'));
    return;
  end if;
  select * into v_token from iam.new_token();
  insert into iam.sign_ups (token_hash, email, full_name, password_hash, company_name, time_zone,
                            expires_at)
  values (v_token.token_hash, v_email, btrim(p_full_name), p_password_hash, btrim(p_company_name),
          p_time_zone, now() + interval '1 day');
  perform iam.queue_email(null, 'email_verification', v_email, jsonb_build_object(
    'link', iam.public_url() || '/sign-up/confirm/' || v_token.token));
end
$$;

-- Why: "send the link again" from the check-your-email page: a new link for the newest open
-- sign-up of that address (the old link stops working), under the same limits as sign-up.
create function iam.resend_sign_up(p_email text) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_email text := lower(btrim(coalesce(p_email, '')));
  v_token record;
  v_pending bytea;
begin
  perform iam.check_limit('sign-up-address:' || iam.client_address(), interval '1 hour', 5);
  perform iam.check_limit('sign-up-email:' || v_email, interval '1 hour', 3);
  select s.token_hash into v_pending from iam.sign_ups s
   where s.email = v_email and s.used_at is null and s.expires_at > now()
   order by s.created_at desc limit 1
   for update;
  if v_pending is null or exists (select from iam.accounts a where a.email = v_email) then
    return;
  end if;
  select * into v_token from iam.new_token();
  update iam.sign_ups s set token_hash = v_token.token_hash, expires_at = now() + interval '1 day'
   where s.token_hash = v_pending;
  perform iam.queue_email(null, 'email_verification', v_email, jsonb_build_object(
    'link', iam.public_url() || '/sign-up/confirm/' || v_token.token));
end
$$;

-- Why: the confirmation page names the company before the button that creates it.
create function iam.sign_up_to_confirm(p_token text)
returns table (email text, company_name text)
language sql stable security definer set search_path = ''
as $$
  select s.email, s.company_name from iam.sign_ups s
  where s.token_hash = iam.token_hash(p_token) and s.used_at is null and s.expires_at > now()
    and not exists (select from iam.accounts a where a.email = s.email)
$$;

-- Why: the link works once: it creates the account, the company and its owner together.
create function iam.finish_sign_up(p_token text)
returns table (account_id uuid, tenant_id uuid)
language plpgsql security definer set search_path = ''
as $$
declare
  v_sign_up iam.sign_ups;
  v_account uuid;
  v_tenant uuid;
begin
  update iam.sign_ups s set used_at = now()
   where s.token_hash = iam.token_hash(p_token) and s.used_at is null and s.expires_at > now()
  returning * into v_sign_up;
  if v_sign_up.email is null
     or exists (select from iam.accounts a where a.email = v_sign_up.email) then
    return;
  end if;
  update iam.sign_ups s set used_at = now() where s.email = v_sign_up.email and s.used_at is null;
  insert into iam.accounts (email, full_name, password_hash)
  values (v_sign_up.email, v_sign_up.full_name, v_sign_up.password_hash)
  returning id into v_account;
  insert into public.tenants (name, time_zone)
  values (v_sign_up.company_name, v_sign_up.time_zone)
  returning id into v_tenant;
  insert into public.memberships (tenant_id, account_id, full_name, email, role)
  values (v_tenant, v_account, v_sign_up.full_name, v_sign_up.email, 'owner');
  return query select v_account, v_tenant;
end
$$;

revoke execute on function
  iam.check_sign_up(text, text, text, text),
  iam.start_sign_up(text, text, text, text, text), iam.resend_sign_up(text),
  iam.sign_up_to_confirm(text), iam.finish_sign_up(text)
  from public;
grant execute on function
  iam.start_sign_up(text, text, text, text, text), iam.resend_sign_up(text),
  iam.sign_up_to_confirm(text), iam.finish_sign_up(text)
  to plenum_signin;
