-- The second factor, and re-confirming a password or code from a signed-in session, with the
-- same record-then-check limits as the password. TOTP codes are checked in the app (the secret
-- is encrypted with the app's key); the database decides who may claim a check and accepts each
-- time step once. Recovery codes are compared here, by their keyed hash.

-- Why: the account of an open challenge (not used, not expired, no reset since, second factor
-- still on), or null.
create function iam.challenge_account(p_secret text)
returns uuid
language sql stable security definer set search_path = ''
as $$
  select c.account_id
  from iam.sign_in_challenges c
  join iam.accounts a on a.id = c.account_id
  where c.id = iam.token_hash(p_secret)
    and c.finished_at is null and c.expires_at > now()
    and a.session_version = c.session_version and a.totp_enabled_at is not null
$$;

-- Why: the code page says at once when its challenge has expired or been used.
create function iam.sign_in_challenge_is_open(p_secret text)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select iam.challenge_account(p_secret) is not null
$$;

-- Why: a TOTP step is accepted once (only a step later than the last one), a recovery code once.
-- Returns how the factor was proved ('code' or 'recovery'), or null.
create function iam.accept_second_factor(p_account uuid, p_step bigint, p_recovery bytea[])
returns text
language plpgsql volatile security definer set search_path = ''
as $$
begin
  if p_step is not null then
    update iam.accounts a set totp_last_step = p_step
     where a.id = p_account and a.totp_enabled_at is not null
       and (a.totp_last_step is null or a.totp_last_step < p_step);
    if found then
      return 'code';
    end if;
  end if;
  if p_recovery is not null then
    update iam.recovery_codes r set used_at = now()
     where r.account_id = p_account and r.used_at is null and r.code_hash = any (p_recovery);
    if found then
      return 'recovery';
    end if;
  end if;
  return null;
end
$$;

-- Why: before a code is checked the attempt is recorded and counted; only then does the app get
-- what it needs to check a TOTP code (the encrypted secret and the last step used).
-- state: 'open' (check it), 'paused' (too many wrong codes) or 'closed' (sign in again).
create function iam.begin_second_factor(p_challenge text)
returns table (
  state text, attempt uuid, totp_secret text, totp_last_step bigint, account_id uuid
)
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_account uuid := iam.challenge_account(p_challenge);
  v_attempt uuid;
begin
  if v_account is null then
    return query select 'closed', null::uuid, null::text, null::bigint, null::uuid;
    return;
  end if;
  v_attempt := iam.take_attempt('code', v_account::text, v_account, '',
                                iam.token_hash(p_challenge));
  if v_attempt is null then
    return query select 'paused', null::uuid, null::text, null::bigint, null::uuid;
    return;
  end if;
  return query select 'open', v_attempt, a.totp_secret, a.totp_last_step, a.id
               from iam.accounts a where a.id = v_account;
end
$$;

-- Why: the attempt is used up whatever the outcome; a proved factor closes the challenge (so a
-- copy of the cookie is worthless) and returns what the session needs.
create function iam.finish_second_factor(
  p_challenge text, p_attempt uuid, p_step bigint, p_recovery bytea[]
) returns table (account_id uuid, session_version integer, used_recovery boolean)
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_challenge iam.sign_in_challenges;
  v_how text;
begin
  update iam.sign_in_attempts t set finished_at = now()
   where t.id = p_attempt and t.kind = 'code' and t.finished_at is null
     and t.challenge_id = iam.token_hash(p_challenge)
     and t.created_at > now() - interval '5 minutes';
  if not found then
    return;
  end if;
  select * into v_challenge from iam.sign_in_challenges c
   where c.id = iam.token_hash(p_challenge) and c.finished_at is null
   for update;
  if v_challenge.id is null or iam.challenge_account(p_challenge) is null then
    return;
  end if;
  v_how := iam.accept_second_factor(v_challenge.account_id, p_step, p_recovery);
  if v_how is null then
    return;
  end if;
  update iam.sign_in_challenges c set finished_at = now() where c.id = v_challenge.id;
  delete from iam.sign_in_attempts t
   where t.kind = 'code' and t.subject = v_challenge.account_id::text;
  return query select v_challenge.account_id, v_challenge.session_version, v_how = 'recovery';
end
$$;

-- Why: a signed-in account confirms a current code (to make new recovery codes). Counted with
-- the sign-in codes, so a stolen session cannot guess without limit. No row: no second factor;
-- a row with a null attempt: paused.
create function iam.begin_code_confirmation()
returns table (attempt uuid, totp_secret text, totp_last_step bigint)
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_account iam.accounts;
  v_attempt uuid;
begin
  select * into v_account from iam.accounts a
   where a.id = app.account_id() and a.totp_enabled_at is not null;
  if v_account.id is null then
    return;
  end if;
  v_attempt := iam.take_attempt('code', v_account.id::text, v_account.id, '');
  return query select v_attempt,
                      case when v_attempt is not null then v_account.totp_secret end,
                      case when v_attempt is not null then v_account.totp_last_step end;
end
$$;

create function iam.finish_code_confirmation(p_attempt uuid, p_step bigint)
returns boolean
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_account uuid;
begin
  update iam.sign_in_attempts t set finished_at = now()
   where t.id = p_attempt and t.kind = 'code' and t.finished_at is null
     and t.subject = app.account_id()::text and t.challenge_id is null
     and t.created_at > now() - interval '5 minutes'
  returning t.account_id into v_account;
  if v_account is null or iam.accept_second_factor(v_account, p_step, null) is null then
    return false;
  end if;
  delete from iam.sign_in_attempts t where t.kind = 'code' and t.subject = v_account::text;
  return true;
end
$$;

-- Why: a signed-in account re-confirms its password before a sensitive change (a new password,
-- turning the second factor off): the same verdict-only steps as sign-in, 5 wrong per account.
create function iam.begin_password_confirmation()
returns table (attempt uuid, settings text, hash_length integer)
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_account iam.accounts;
  v_attempt uuid;
begin
  select * into v_account from iam.accounts a where a.id = app.account_id();
  if v_account.id is null then
    return;
  end if;
  v_attempt := iam.take_attempt('confirm', v_account.id::text, v_account.id, '');
  if v_attempt is null then
    return query select null::uuid, null::text, null::integer;
    return;
  end if;
  return query select v_attempt, s.settings, s.hash_length
               from iam.password_settings(v_account.email, v_account.password_hash) s;
end
$$;

create function iam.finish_password_confirmation(p_attempt uuid, p_candidate text)
returns boolean
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_account uuid;
begin
  update iam.sign_in_attempts t set finished_at = now()
   where t.id = p_attempt and t.kind = 'confirm' and t.finished_at is null
     and t.subject = app.account_id()::text
     and t.created_at > now() - interval '5 minutes'
  returning t.account_id into v_account;
  if v_account is null or not exists (
    select from iam.accounts a where a.id = v_account and a.password_hash = p_candidate
  ) then
    return false;
  end if;
  delete from iam.sign_in_attempts t where t.kind = 'confirm' and t.subject = v_account::text;
  return true;
end
$$;

revoke execute on function
  iam.challenge_account(text),
  iam.sign_in_challenge_is_open(text),
  iam.accept_second_factor(uuid, bigint, bytea[]),
  iam.begin_second_factor(text),
  iam.finish_second_factor(text, uuid, bigint, bytea[]),
  iam.begin_code_confirmation(),
  iam.finish_code_confirmation(uuid, bigint),
  iam.begin_password_confirmation(),
  iam.finish_password_confirmation(uuid, text)
  from public, anon, authenticated;
grant execute on function
  iam.sign_in_challenge_is_open(text),
  iam.begin_second_factor(text),
  iam.finish_second_factor(text, uuid, bigint, bytea[])
  to plenum_signin;
grant execute on function
  iam.begin_code_confirmation(),
  iam.finish_code_confirmation(uuid, bigint),
  iam.begin_password_confirmation(),
  iam.finish_password_confirmation(uuid, text)
  to authenticated;
