-- Password reset and the sign-in unlock link, minted and mailed by the database. The old reset
-- functions stored a token hash the caller chose: run as anon they took over any account.

drop function iam.start_password_reset(text, bytea, timestamptz);
drop function iam.finish_password_reset(bytea, text);
drop function iam.password_reset_is_open(bytea);

-- Why: a reset link for an existing account; returns nothing, so the caller (and the page)
-- cannot tell whether the address has an account. Limited per address and per email.
create function iam.request_password_reset(p_email text) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_email text := lower(btrim(coalesce(p_email, '')));
  v_account iam.accounts;
  v_token record;
begin
  perform iam.check_limit('reset-address:' || iam.client_address(), interval '15 minutes', 5);
  perform iam.check_limit('reset-email:' || v_email, interval '15 minutes', 10);
  select * into v_account from iam.accounts a where a.email = v_email;
  if v_account.id is null then
    return;
  end if;
  select * into v_token from iam.new_token();
  insert into iam.password_resets (token_hash, account_id, expires_at)
  values (v_token.token_hash, v_account.id, now() + interval '1 hour');
  perform iam.queue_email(null, 'password_reset', v_account.email, jsonb_build_object(
    'full_name', v_account.full_name,
    'link', iam.public_url() || '/password/reset/' || v_token.token));
end
$$;

-- Why: the reset page says at once when a link is used up or expired, without consuming it.
create function iam.password_reset_is_open(p_token text) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select from iam.password_resets r
    where r.token_hash = iam.token_hash(p_token) and r.used_at is null and r.expires_at > now()
  )
$$;

-- Why: a reset link works once, before it expires, ends every session of the account and
-- lifts a sign-in pause (the email is proven). Returns only whether it worked.
create function iam.finish_password_reset(p_token text, p_password_hash text) returns boolean
language plpgsql security definer set search_path = ''
as $$
declare
  v_account uuid;
begin
  update iam.password_resets r
     set used_at = now()
   where r.token_hash = iam.token_hash(p_token) and r.used_at is null and r.expires_at > now()
  returning r.account_id into v_account;
  if v_account is null then
    return false;
  end if;
  -- Other outstanding links of the account die with this one.
  update iam.password_resets r set used_at = now()
   where r.account_id = v_account and r.used_at is null;
  update iam.accounts a
     set password_hash = p_password_hash,
         password_changed_at = now(),
         session_version = a.session_version + 1
   where a.id = v_account;  -- the new password lifts a sign-in pause (its trigger)
  return true;
end
$$;

-- Why: the owner of a paused account gets back in with an emailed link instead of waiting;
-- only the hash is kept, and it works once.
create table iam.sign_in_unlocks (
  token_hash bytea primary key,
  account_id uuid not null references iam.accounts (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index sign_in_unlocks_account_idx on iam.sign_in_unlocks (account_id, created_at);
alter table iam.sign_in_unlocks enable row level security;
revoke all on iam.sign_in_unlocks from anon, authenticated;

-- Why: offered on the "sign-in paused" page; at most one link per account per pause window
-- (15 minutes), whoever asks, so it cannot flood a mailbox. Returns nothing (no enumeration).
create function iam.request_sign_in_unlock(p_email text) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_email text := lower(btrim(coalesce(p_email, '')));
  v_account iam.accounts;
  v_token record;
begin
  perform iam.check_limit('unlock-address:' || iam.client_address(), interval '15 minutes', 5);
  select * into v_account from iam.accounts a where a.email = v_email for update;
  if v_account.id is null or exists (
    select from iam.sign_in_unlocks u
    where u.account_id = v_account.id and u.created_at > now() - interval '15 minutes'
  ) then
    return;
  end if;
  select * into v_token from iam.new_token();
  insert into iam.sign_in_unlocks (token_hash, account_id, expires_at)
  values (v_token.token_hash, v_account.id, now() + interval '1 hour');
  perform iam.queue_email(null, 'sign_in_unlock', v_account.email, jsonb_build_object(
    'full_name', v_account.full_name,
    'link', iam.public_url() || '/sign-in/unlock/' || v_token.token));
end
$$;

create function iam.sign_in_unlock_is_open(p_token text) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select from iam.sign_in_unlocks u
    where u.token_hash = iam.token_hash(p_token) and u.used_at is null and u.expires_at > now()
  )
$$;

-- Why: using the link lifts the pause of that account only; it works once.
create function iam.use_sign_in_unlock(p_token text) returns boolean
language plpgsql security definer set search_path = ''
as $$
declare
  v_account uuid;
begin
  update iam.sign_in_unlocks u
     set used_at = now()
   where u.token_hash = iam.token_hash(p_token) and u.used_at is null and u.expires_at > now()
  returning u.account_id into v_account;
  if v_account is null then
    return false;
  end if;
  perform iam.lift_sign_in_pause(v_account);
  return true;
end
$$;

revoke execute on function
  iam.request_password_reset(text), iam.password_reset_is_open(text),
  iam.finish_password_reset(text, text), iam.request_sign_in_unlock(text),
  iam.sign_in_unlock_is_open(text), iam.use_sign_in_unlock(text)
  from public;
grant execute on function
  iam.request_password_reset(text), iam.password_reset_is_open(text),
  iam.finish_password_reset(text, text), iam.request_sign_in_unlock(text),
  iam.sign_in_unlock_is_open(text), iam.use_sign_in_unlock(text)
  to plenum_signin;
