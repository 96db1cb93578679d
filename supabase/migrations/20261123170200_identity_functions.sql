-- Identity steps that happen before anyone is signed in (sign up, sign in, password reset,
-- accepting an invitation). Each is one narrow security-definer function: the anonymous role
-- gets no privilege on the tables themselves.

-- Why: sign up creates a company and its owner in one step.
create function iam.sign_up(
  p_email text, p_full_name text, p_password_hash text, p_company_name text, p_time_zone text
) returns table (account_id uuid, tenant_id uuid)
language plpgsql security definer set search_path = ''
as $$
declare
  v_account uuid;
  v_tenant uuid;
begin
  insert into iam.accounts (email, full_name, password_hash)
  values (p_email, p_full_name, p_password_hash)
  returning id into v_account;
  insert into public.tenants (name, time_zone)
  values (p_company_name, p_time_zone)
  returning id into v_tenant;
  insert into public.memberships (tenant_id, account_id, full_name, email, role)
  values (v_tenant, v_account, p_full_name, p_email, 'owner');
  return query select v_account, v_tenant;
end
$$;

-- Why: the password check happens in the app (argon2id); it needs the stored hash of one email.
create function iam.credentials(p_email text)
returns table (account_id uuid, password_hash text, session_version integer, mfa_enabled boolean)
language sql stable security definer set search_path = ''
as $$
  select a.id, a.password_hash, a.session_version, a.totp_enabled_at is not null
  from iam.accounts a
  where a.email = lower(btrim(p_email))
$$;

-- Why: rate limiting counts recent failures per subject ('account:<email>', 'address:<ip>').
create function iam.recent_sign_in_failures(p_subject text, p_window interval)
returns integer
language sql stable security definer set search_path = ''
as $$
  select count(*)::integer
  from iam.sign_in_failures f
  where f.subject = p_subject and f.failed_at > now() - p_window
$$;

create function iam.record_sign_in_failure(p_subjects text[])
returns void
language sql security definer set search_path = ''
as $$
  delete from iam.sign_in_failures f
  where f.subject = any (p_subjects) and f.failed_at < now() - interval '1 day';
  insert into iam.sign_in_failures (subject) select unnest(p_subjects);
$$;

create function iam.clear_sign_in_failures(p_subject text)
returns void
language sql security definer set search_path = ''
as $$
  delete from iam.sign_in_failures f where f.subject = p_subject;
$$;

-- Why: a reset link is issued only for an existing account; the caller learns whom to email.
create function iam.start_password_reset(p_email text, p_token_hash bytea, p_expires_at timestamptz)
returns table (account_id uuid, email text, full_name text)
language sql security definer set search_path = ''
as $$
  with reset as (
    insert into iam.password_resets (token_hash, account_id, expires_at)
    select p_token_hash, a.id, p_expires_at
    from iam.accounts a
    where a.email = lower(btrim(p_email))
    returning password_resets.account_id
  )
  select a.id, a.email, a.full_name
  from reset join iam.accounts a on a.id = reset.account_id
$$;

-- Why: a reset link works once, before it expires, and ends every session of the account.
create function iam.finish_password_reset(p_token_hash bytea, p_password_hash text)
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
  return v_account;
end
$$;

-- Why: the invitation page shows whom it is for and whether it can still be used.
create function iam.invitation(p_token_hash bytea)
returns table (
  tenant_id uuid, company_name text, email text, role text, state text, account_exists boolean
)
language sql stable security definer set search_path = ''
as $$
  select i.tenant_id, t.name, i.email, i.role,
         case
           when i.accepted_at is not null then 'accepted'
           when i.revoked_at is not null then 'revoked'
           when i.expires_at <= now() then 'expired'
           when t.status <> 'active' then 'revoked'
           else 'open'
         end,
         exists (select from iam.accounts a where a.email = i.email)
  from public.invitations i
  join public.tenants t on t.id = i.tenant_id
  where i.token_hash = p_token_hash
$$;

-- Why: joining adds (or re-activates) a membership with the invited role, once.
create function iam.join_company(p_token_hash bytea, p_account_id uuid)
returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  v_invitation public.invitations;
  v_account iam.accounts;
begin
  select * into v_invitation from public.invitations i
   where i.token_hash = p_token_hash and i.accepted_at is null and i.revoked_at is null
     and i.expires_at > now()
   for update;
  select * into v_account from iam.accounts a where a.id = p_account_id;
  if v_invitation.tenant_id is null or v_account.id is null
     or v_account.email <> v_invitation.email then
    return null;
  end if;
  update public.invitations i set accepted_at = now()
   where i.tenant_id = v_invitation.tenant_id and i.id = v_invitation.id;
  insert into public.memberships (tenant_id, account_id, full_name, email, role)
  values (v_invitation.tenant_id, v_account.id, v_account.full_name, v_account.email,
          v_invitation.role)
  on conflict (tenant_id, account_id) do update
    set role = excluded.role, status = 'active', removed_at = null, updated_at = now();
  return v_invitation.tenant_id;
end
$$;

-- Why: a signed-in account accepts an invitation addressed to its own email.
create function iam.accept_invitation(p_token_hash bytea)
returns uuid
language sql security definer set search_path = ''
as $$
  select iam.join_company(p_token_hash, auth.uid())
$$;

-- Why: someone without an account creates one from the invitation; the email is the invitation's.
create function iam.accept_invitation_with_new_account(
  p_token_hash bytea, p_full_name text, p_password_hash text
) returns table (account_id uuid, tenant_id uuid)
language plpgsql security definer set search_path = ''
as $$
declare
  v_account uuid;
  v_email text;
begin
  select i.email into v_email from public.invitations i
   where i.token_hash = p_token_hash and i.accepted_at is null and i.revoked_at is null
     and i.expires_at > now();
  if v_email is null then
    return;
  end if;
  insert into iam.accounts (email, full_name, password_hash)
  values (v_email, p_full_name, p_password_hash)
  returning id into v_account;
  return query select v_account, iam.join_company(p_token_hash, v_account);
end
$$;

grant execute on function
  iam.sign_up(text, text, text, text, text),
  iam.credentials(text),
  iam.recent_sign_in_failures(text, interval),
  iam.record_sign_in_failure(text[]),
  iam.clear_sign_in_failures(text),
  iam.start_password_reset(text, bytea, timestamptz),
  iam.finish_password_reset(bytea, text),
  iam.invitation(bytea),
  iam.accept_invitation_with_new_account(bytea, text, text)
  to anon, authenticated;
grant execute on function iam.accept_invitation(bytea) to authenticated;

-- Why: a signed-in account changes its own password; the version bump ends its other sessions.
grant update (password_hash, password_changed_at, session_version) on iam.accounts to authenticated;

-- Why: the reset page says at once when a link is used up or expired, without consuming it.
create function iam.password_reset_is_open(p_token_hash bytea)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select from iam.password_resets r
    where r.token_hash = p_token_hash and r.used_at is null and r.expires_at > now()
  )
$$;

-- Why: the company switcher lists the companies an account is an active member of. Company
-- rows are otherwise visible only to the company of the request.
create function iam.my_companies()
returns table (tenant_id uuid, name text, role text)
language sql stable security definer set search_path = ''
as $$
  select t.id, t.name, m.role
  from public.memberships m
  join public.tenants t on t.id = m.tenant_id
  where m.account_id = auth.uid() and m.status = 'active'
$$;

grant execute on function iam.password_reset_is_open(bytea) to anon, authenticated;
grant execute on function iam.my_companies() to authenticated;
