-- A signed-in session reaches its own account row, but not the password hash, and changes its
-- credentials only through steps that prove the password in the same statement: a stolen
-- session (or a careless future route) can neither read the hash to guess offline, nor set a
-- new password, nor turn the second factor off.

-- Why: the own row without its password hash.
revoke select on iam.accounts from authenticated;
grant select (id, email, full_name, session_version, totp_secret, totp_enabled_at,
              totp_last_step, created_at, password_changed_at)
  on iam.accounts to authenticated;
revoke update (password_hash, password_changed_at, session_version) on iam.accounts
  from authenticated;

-- Why: a new password only with the current one, checked in the database as at sign-in (the
-- attempt comes from iam.begin_password_confirmation and is counted there); the version bump
-- ends the account's other sessions. Null when the password is wrong.
create function iam.change_password(p_attempt uuid, p_candidate text, p_new_hash text)
returns integer
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_version integer;
begin
  if not iam.finish_password_confirmation(p_attempt, p_candidate) then
    return null;
  end if;
  update iam.accounts a
     set password_hash = p_new_hash, password_changed_at = now(),
         session_version = a.session_version + 1
   where a.id = app.account_id()
  returning a.session_version into v_version;
  return v_version;
end
$$;

-- Why: turning the second factor off only with the password, in the same statement.
create function iam.turn_off_second_factor(p_attempt uuid, p_candidate text) returns boolean
language plpgsql volatile security definer set search_path = ''
as $$
begin
  if not iam.finish_password_confirmation(p_attempt, p_candidate) then
    return false;
  end if;
  update iam.accounts a set totp_secret = null, totp_enabled_at = null, totp_last_step = null
   where a.id = app.account_id();
  delete from iam.recovery_codes r where r.account_id = app.account_id();
  return true;
end
$$;

-- Why: a stored hash made with older argon2 costs is replaced at sign-in by one with today's;
-- the caller proves the password by naming the hash it just computed from it (unreadable to
-- the session otherwise).
create function iam.upgrade_password_hash(p_current text, p_new_hash text) returns boolean
language plpgsql volatile security definer set search_path = ''
as $$
begin
  update iam.accounts a set password_hash = p_new_hash
   where a.id = app.account_id() and a.password_hash = p_current;
  return found;
end
$$;

-- Why: a session may start the second factor (a pending secret, then turn it on) and move its
-- last used step, but not turn an enabled factor off or swap its secret by hand: that is
-- iam.turn_off_second_factor's, with the password.
create function iam.enabled_second_factor_is_kept() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if current_user = 'authenticated' and old.totp_enabled_at is not null
     and (new.totp_enabled_at is null or new.totp_secret is distinct from old.totp_secret) then
    raise exception 'turning two-step sign-in off needs the password'
      using errcode = 'insufficient_privilege';
  end if;
  return new;
end
$$;

create trigger accounts_enabled_second_factor_is_kept
  before update of totp_secret, totp_enabled_at on iam.accounts
  for each row execute function iam.enabled_second_factor_is_kept();

revoke execute on function
  iam.change_password(uuid, text, text),
  iam.turn_off_second_factor(uuid, text),
  iam.upgrade_password_hash(text, text),
  iam.enabled_second_factor_is_kept()
  from public, anon;
grant execute on function
  iam.change_password(uuid, text, text),
  iam.turn_off_second_factor(uuid, text),
  iam.upgrade_password_hash(text, text)
  to authenticated;
