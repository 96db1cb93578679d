-- Password sign-in as two short steps that return verdicts, never a stored hash. argon2id runs
-- in the app (the database has no argon2); the comparison and the counting happen here.
--   1. iam.begin_sign_in(email, address): records the attempt and counts it in one locked step;
--      returns the attempt's id and the stored hash's salt and costs, or a pause.
--   2. iam.finish_sign_in(attempt, candidate): compares the app's argon2id of the typed
--      password with the stored hash, uses the attempt up, and returns the account or nothing.

-- Why: a secret (a sign-in challenge's, a link's token) is hashed here, never by the caller: a
-- stored hash alone opens nothing. Only other functions of the database call it.
create function iam.token_hash(p_token text) returns bytea
language sql immutable set search_path = ''
as $$
  select sha256(convert_to(coalesce(p_token, ''), 'UTF8'))
$$;

revoke execute on function iam.token_hash(text) from public;

-- Why: the one place that says how many attempts are allowed in 15 minutes, and that records an
-- attempt only when it is allowed. Advisory locks on the subject (and, for passwords, the client
-- address) make parallel attempts queue here, so each one counts those before it.
--   password: 5 per (email, address), 20 per email from anywhere, 20 per address;
--   code (second factor, recovery code) and confirm (password re-confirmation): 5 per account.
create function iam.take_attempt(
  p_kind text, p_subject text, p_account uuid, p_address text, p_challenge bytea default null
) returns uuid
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_address text := left(coalesce(p_address, ''), 100);
  v_per_subject integer := case p_kind when 'password' then 20 else 5 end;
  v_paused boolean;
  v_id uuid;
begin
  perform pg_advisory_xact_lock(hashtextextended('sign-in:' || p_kind || ':' || p_subject, 0));
  if p_kind = 'password' then
    perform pg_advisory_xact_lock(hashtextextended('sign-in:address:' || v_address, 0));
  end if;
  select count(*) filter (where t.subject = p_subject and t.address = v_address) >= 5
         or count(*) filter (where t.subject = p_subject) >= v_per_subject
         or (p_kind = 'password' and count(*) filter (where t.address = v_address) >= 20)
    into v_paused
    from iam.sign_in_attempts t
   where t.kind = p_kind and t.created_at > now() - interval '15 minutes'
     and (t.subject = p_subject or (p_kind = 'password' and t.address = v_address));
  if v_paused then
    return null;
  end if;
  insert into iam.sign_in_attempts (kind, subject, account_id, address, challenge_id)
  values (p_kind, p_subject, p_account, v_address, p_challenge)
  returning id into v_id;
  delete from iam.sign_in_attempts t
   where t.id in (select s.id from iam.sign_in_attempts s
                  where s.created_at < now() - interval '1 day'
                  limit 100 for update skip locked);
  return v_id;
end
$$;

-- Why: the salt and costs of a stored argon2id hash (its PHC string without the hash itself),
-- and the hash's length in bytes; for an unknown email, those of a made-up hash whose salt is
-- derived from the email and the pepper, so the answer is the same shape either way.
create function iam.password_settings(p_email text, p_hash text)
returns table (settings text, hash_length integer)
language sql stable security definer set search_path = ''
as $$
  select
    case when p_hash is not null
         then array_to_string((string_to_array(p_hash, '$'))[1:5], '$')
         else '$argon2id$v=19$m=65536,t=3,p=4$'
              || rtrim(encode(substring(sha256(p.pepper || convert_to(p_email, 'UTF8'))
                                        from 1 for 16), 'base64'), '=')
    end,
    case when p_hash is not null then length(split_part(p_hash, '$', 6)) * 3 / 4 else 32 end
  from iam.sign_in_pepper p
$$;

-- Why: the first step of a sign-in. Recorded before anything is checked; when paused, nothing
-- but the pause is returned (a row of nulls).
create function iam.begin_sign_in(p_email text, p_address text)
returns table (attempt uuid, settings text, hash_length integer)
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_email text := left(lower(btrim(coalesce(p_email, ''))), 320);
  v_account iam.accounts;
  v_attempt uuid;
begin
  select * into v_account from iam.accounts a where a.email = v_email;
  v_attempt := iam.take_attempt('password', v_email, v_account.id, p_address);
  if v_attempt is null then
    return query select null::uuid, null::text, null::integer;
    return;
  end if;
  return query
    select v_attempt, s.settings, s.hash_length
    from iam.password_settings(v_email, v_account.password_hash) s;
end
$$;

-- Why: after the password, an account with a second factor gets a challenge, not a session.
-- The secret (244 random bits from two random UUIDs) is returned once; only its hash is kept.
create function iam.open_sign_in_challenge(p_account uuid, p_session_version integer)
returns text
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_secret text := encode(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()), 'hex');
begin
  delete from iam.sign_in_challenges c
   where c.account_id = p_account and (c.finished_at is not null or c.expires_at <= now());
  insert into iam.sign_in_challenges (id, account_id, session_version, expires_at)
  values (iam.token_hash(v_secret), p_account, p_session_version,
          now() + interval '5 minutes');
  return v_secret;
end
$$;

-- Why: the second step of a sign-in: one comparison per recorded attempt. A success removes the
-- attempts of this address at this account from the count; a failure keeps counting.
create function iam.finish_sign_in(p_attempt uuid, p_candidate text)
returns table (account_id uuid, session_version integer, mfa_enabled boolean, challenge text)
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_attempt iam.sign_in_attempts;
  v_account iam.accounts;
begin
  update iam.sign_in_attempts t set finished_at = now()
   where t.id = p_attempt and t.kind = 'password' and t.finished_at is null
     and t.created_at > now() - interval '5 minutes'
  returning * into v_attempt;
  if v_attempt.id is null or v_attempt.account_id is null then
    return;
  end if;
  select * into v_account from iam.accounts a
   where a.id = v_attempt.account_id and a.password_hash = p_candidate;
  if v_account.id is null then
    return;
  end if;
  delete from iam.sign_in_attempts t
   where t.kind = 'password' and t.subject = v_attempt.subject and t.address = v_attempt.address;
  return query select v_account.id, v_account.session_version,
                      v_account.totp_enabled_at is not null,
                      case when v_account.totp_enabled_at is not null
                           then iam.open_sign_in_challenge(v_account.id, v_account.session_version)
                      end;
end
$$;

-- Why: the real owner gets back in after proving their email (a finished password reset or an
-- unlock link): their account's recorded attempts are forgotten. Called by other definers only;
-- no API role may execute it, or anyone could unlock any account.
create function iam.lift_sign_in_pause(p_account uuid)
returns void
language sql volatile security definer set search_path = ''
as $$
  delete from iam.sign_in_attempts t
   where t.account_id = p_account
      or (t.kind = 'password'
          and t.subject = (select a.email from iam.accounts a where a.id = p_account));
$$;

-- Why: whoever sets a new password (reset, change) has proved control of the account, and the
-- guesses at the old one no longer matter: the pause lifts with it.
create function iam.lift_sign_in_pause_on_new_password()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform iam.lift_sign_in_pause(new.id);
  return null;
end
$$;

create trigger accounts_new_password_lifts_sign_in_pause
  after update of password_hash on iam.accounts
  for each row
  when (old.password_hash is distinct from new.password_hash)
  execute function iam.lift_sign_in_pause_on_new_password();

revoke execute on function
  iam.take_attempt(text, text, uuid, text, bytea),
  iam.password_settings(text, text),
  iam.begin_sign_in(text, text),
  iam.open_sign_in_challenge(uuid, integer),
  iam.finish_sign_in(uuid, text),
  iam.lift_sign_in_pause(uuid),
  iam.lift_sign_in_pause_on_new_password()
  from public, anon, authenticated;
grant execute on function iam.begin_sign_in(text, text), iam.finish_sign_in(uuid, text)
  to plenum_signin;
