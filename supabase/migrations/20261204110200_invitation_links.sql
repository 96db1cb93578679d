-- Invitations minted and mailed by the database, with attribution and lifetime stamped by it.
-- Before, the client chose `invited_by`, `expires_at` (a never-expiring link) and the token hash.

drop function iam.accept_invitation_with_new_account(bytea, text, text);
drop function iam.accept_invitation(bytea);
drop function iam.join_company(bytea, uuid);
drop function iam.invitation(bytea);

-- Why: whoever inserts an invitation, the database says who invited and until when. A row
-- written directly by a client (not by iam.invite, which runs as the table's owner) gets a
-- token nobody knows: only the database's minting yields a usable, emailed link.
create function app.stamp_invitation() returns trigger
language plpgsql set search_path = ''
as $$
begin
  new.invited_by := auth.uid();
  new.created_at := now();
  new.expires_at := now() + interval '7 days';
  new.accepted_at := null;
  new.revoked_at := null;
  if not exists (
    select from pg_catalog.pg_class c
    where c.oid = tg_relid
      and c.relowner = (select r.oid from pg_catalog.pg_roles r where r.rolname = current_user)
  ) then
    -- (gen_random_uuid: built in, and executable by the inserting role, unlike pgcrypto's.)
    new.token_hash := sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8'));
  end if;
  return new;
end
$$;
revoke execute on function app.stamp_invitation() from public;

create trigger invitations_stamped before insert on public.invitations
  for each row execute function app.stamp_invitation();

-- Why: an owner or admin invites by email; inviting the same address again replaces the link.
-- The company is the request's, the role rules are the insert policies', and the token is
-- emailed from here: the caller gets the invitation's id, never its link.
-- Why: an invitation is an email from Plenum's address carrying the company's and the inviter's
-- names to an address the inviter chooses: at most 50 a day per company and 3 a day per address,
-- checked and recorded in one step, so the team page cannot become a mail cannon.
create function iam.limit_invitations(p_tenant uuid, p_email text) returns void
language plpgsql volatile set search_path = ''
as $$
begin
  perform iam.check_limit('invite-company:' || p_tenant, interval '1 day', 50);
  perform iam.check_limit('invite-address:' || p_tenant || ':' || p_email, interval '1 day', 3);
exception when sqlstate 'PT429' then
  raise exception 'too many invitations today'
    using errcode = 'check_violation', constraint = 'invitations_sent_in_a_day';
end
$$;
revoke execute on function iam.limit_invitations(uuid, text) from public;

create function iam.invite(p_email text, p_role text) returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.tenant_id();
  v_email text := lower(btrim(coalesce(p_email, '')));
  v_token record;
  v_id uuid;
begin
  if v_tenant is null or not app.has_role('owner', 'admin')
     or (p_role = 'owner' and not app.has_role('owner')) then
    raise exception 'not allowed to invite' using errcode = '42501';
  end if;
  perform iam.limit_invitations(v_tenant, v_email);
  update public.invitations i set revoked_at = now()
   where i.tenant_id = v_tenant and i.email = v_email
     and i.accepted_at is null and i.revoked_at is null;
  select * into v_token from iam.new_token();
  insert into public.invitations (tenant_id, email, role, token_hash)
  values (v_tenant, v_email, p_role, v_token.token_hash)
  returning id into v_id;
  perform iam.queue_email(v_tenant, 'invitation', v_email, jsonb_build_object(
    'company_name', (select t.name from public.tenants t where t.id = v_tenant),
    'invited_by', (select m.full_name from public.memberships m
                    where m.tenant_id = v_tenant and m.account_id = auth.uid()),
    'role', p_role,
    'link', iam.public_url() || '/invitations/' || v_token.token));
  return v_id;
end
$$;

-- Why: "send again" on the team page: a new link (and email) for an open invitation of the
-- request's company; the old link stops working. Null when there is none the caller may resend.
create function iam.resend_invitation(p_id uuid) returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  v_invitation public.invitations;
begin
  select * into v_invitation from public.invitations i
   where i.tenant_id = app.tenant_id() and i.id = p_id
     and i.accepted_at is null and i.revoked_at is null;
  if v_invitation.id is null or not app.has_role('owner', 'admin')
     or (v_invitation.role = 'owner' and not app.has_role('owner')) then
    return null;
  end if;
  return iam.invite(v_invitation.email, v_invitation.role);
end
$$;

-- Why: the state an invitation is in, by its id (shared by the lookups below).
create function iam.invitation_state(i public.invitations) returns text
language sql stable set search_path = ''
as $$
  select case
    when i.accepted_at is not null then 'accepted'
    when i.revoked_at is not null then 'revoked'
    when i.expires_at <= now() then 'expired'
    when (select t.status from public.tenants t where t.id = i.tenant_id) <> 'active' then 'revoked'
    else 'open'
  end
$$;

-- Why: the invitation page shows the link holder whom it is for and whether it still works.
create function iam.invitation(p_token text)
returns table (
  id uuid, tenant_id uuid, company_name text, email text, role text, state text,
  account_exists boolean
)
language sql stable security definer set search_path = ''
as $$
  select i.id, i.tenant_id, t.name, i.email, i.role, iam.invitation_state(i),
         exists (select from iam.accounts a where a.email = i.email)
  from public.invitations i
  join public.tenants t on t.id = i.tenant_id
  where i.token_hash = iam.token_hash(p_token)
$$;

-- Why: a signed-in account sees an invitation addressed to its own email, by id: being signed
-- in as that address is the proof, so no token has to survive the sign-in.
create function iam.my_invitation(p_id uuid)
returns table (id uuid, tenant_id uuid, company_name text, email text, role text, state text)
language sql stable security definer set search_path = ''
as $$
  select i.id, i.tenant_id, t.name, i.email, i.role, iam.invitation_state(i)
  from public.invitations i
  join public.tenants t on t.id = i.tenant_id
  join iam.accounts a on a.email = i.email
  where i.id = p_id and a.id = app.account_id()
$$;

-- Why: joining adds (or re-activates) a membership with the invited role, once.
create function iam.join_company(p_invitation uuid, p_account uuid) returns uuid
language plpgsql volatile set search_path = ''
as $$
declare
  v_invitation public.invitations;
  v_account iam.accounts;
begin
  select * into v_invitation from public.invitations i where i.id = p_invitation for update;
  select * into v_account from iam.accounts a where a.id = p_account;
  if v_invitation.id is null or v_account.id is null
     or v_account.email <> v_invitation.email or iam.invitation_state(v_invitation) <> 'open' then
    return null;
  end if;
  update public.invitations i set accepted_at = now()
   where i.tenant_id = v_invitation.tenant_id and i.id = v_invitation.id;
  insert into public.memberships (tenant_id, account_id, full_name, email, role)
  values (v_invitation.tenant_id, v_account.id, v_account.full_name, v_account.email,
          v_invitation.role)
  on conflict (tenant_id, account_id) do update
    set role = excluded.role, status = 'active', removed_at = null, updated_at = now()
    -- A current member keeps their role: an invitation re-activates, it never demotes.
    where public.memberships.status <> 'active';
  return v_invitation.tenant_id;
end
$$;
revoke execute on function iam.join_company(uuid, uuid), iam.invitation_state(public.invitations)
  from public;

-- Why: a signed-in account accepts an invitation addressed to its own email.
create function iam.accept_my_invitation(p_id uuid) returns uuid
language sql security definer set search_path = ''
as $$
  select iam.join_company(p_id, app.account_id())
$$;

-- Why: someone without an account creates one from the link; the email is the invitation's.
create function iam.accept_invitation_with_new_account(
  p_token text, p_full_name text, p_password_hash text
) returns table (account_id uuid, tenant_id uuid)
language plpgsql security definer set search_path = ''
as $$
declare
  v_invitation public.invitations;
  v_account uuid;
begin
  select * into v_invitation from public.invitations i
   where i.token_hash = iam.token_hash(p_token) for update;
  if v_invitation.id is null or iam.invitation_state(v_invitation) <> 'open' then
    return;
  end if;
  insert into iam.accounts (email, full_name, password_hash)
  values (v_invitation.email, p_full_name, p_password_hash)
  returning id into v_account;
  return query select v_account, iam.join_company(v_invitation.id, v_account);
end
$$;

revoke execute on function
  iam.invite(text, text), iam.resend_invitation(uuid), iam.invitation(text), iam.my_invitation(uuid),
  iam.accept_my_invitation(uuid), iam.accept_invitation_with_new_account(text, text, text)
  from public;
grant execute on function iam.invite(text, text), iam.resend_invitation(uuid), iam.my_invitation(uuid),
  iam.accept_my_invitation(uuid) to authenticated;
grant execute on function iam.invitation(text), iam.accept_invitation_with_new_account(text, text, text)
  to plenum_signin;
