-- Why: a sign-in paused after repeated wrong passwords tells the person to "wait 15 minutes, or
-- reset your password"; finishing a reset proves the email and must lift that pause. The
-- subject is the one app/auth/service.py counts failed sign-ins under: 'account:<email>'.
create or replace function iam.finish_password_reset(p_token_hash bytea, p_password_hash text)
returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  v_account uuid;
begin
  update iam.password_resets r
     set used_at = now()
   where r.token_hash = p_token_hash and r.used_at is null and r.expires_at > now()
  returning r.account_id into v_account;
  if v_account is null then
    return null;
  end if;
  -- Other outstanding links of the account die with this one.
  update iam.password_resets r set used_at = now()
   where r.account_id = v_account and r.used_at is null;
  update iam.accounts a
     set password_hash = p_password_hash,
         password_changed_at = now(),
         session_version = a.session_version + 1
   where a.id = v_account;
  delete from iam.sign_in_failures f
   where f.subject = (select 'account:' || a.email from iam.accounts a where a.id = v_account);
  return v_account;
end
$$;
